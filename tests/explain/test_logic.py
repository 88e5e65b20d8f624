"""Tests for the logic lens and ``check``.

Oracles: Python's boolean operators on 0/1 ints over rows written out with itertools; a
small parser in this file that evaluates the lens's expressions independently; sigmoid
values computed with ``math.exp``; and truth tables composed here by hand.
"""

import itertools
import json
import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
import xornet.cli.logic  # registers check/logic on the app
from xornet.cli import app
from xornet.errors import XornetError
from xornet.explain import boolfn, logic

ROWS = list(itertools.product([0, 1], repeat=2))  # (0,0), (0,1), (1,0), (1,1)

# The 16 two-input functions, defined independently of xornet with A = x1, B = x2.
SIXTEEN = {
    "FALSE": lambda a, b: 0,
    "TRUE": lambda a, b: 1,
    "A": lambda a, b: a,
    "B": lambda a, b: b,
    "NOT A": lambda a, b: 1 - a,
    "NOT B": lambda a, b: 1 - b,
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "NAND": lambda a, b: 1 - (a & b),
    "NOR": lambda a, b: 1 - (a | b),
    "XOR": lambda a, b: a ^ b,
    "XNOR": lambda a, b: 1 - (a ^ b),
    "A AND NOT B": lambda a, b: a & (1 - b),
    "NOT A AND B": lambda a, b: (1 - a) & b,
    "A OR NOT B": lambda a, b: a | (1 - b),
    "NOT A OR B": lambda a, b: (1 - a) | b,
}


def column(f, n=2):
    return "".join(str(f(*row)) for row in itertools.product([0, 1], repeat=n))


# --- an independent evaluator of the lens's expressions ------------------------------------
BINARY = {"AND": lambda p, q: p & q, "OR": lambda p, q: p | q, "XOR": lambda p, q: p ^ q,
          "NAND": lambda p, q: 1 - (p & q), "NOR": lambda p, q: 1 - (p | q),
          "XNOR": lambda p, q: 1 - (p ^ q)}


def evaluate(text, env):
    """Evaluate an expression such as "(A OR B) AND NOT (A AND B)" with 0/1 values in env.

    NOT binds tightest; one level holds one kind of binary operator, and NAND, NOR and XNOR
    take exactly two operands, so any other text is a bug in the expression writer.
    """
    tokens = re.findall(r"\(|\)|[^\s()]+", text)
    value, rest = _level(tokens, env)
    assert not rest, text
    return value


def _level(tokens, env):
    value, tokens = _unary(tokens, env)
    ops = []
    while tokens and tokens[0] != ")":
        op, tokens = tokens[0], tokens[1:]
        right, tokens = _unary(tokens, env)
        ops.append(op)
        value = BINARY[op](value, right)
    assert len(set(ops)) <= 1, "mixed operators without parentheses"
    assert not ops or ops[0] in ("AND", "OR", "XOR") or len(ops) == 1
    return value, tokens


def _unary(tokens, env):
    head, tokens = tokens[0], tokens[1:]
    if head == "NOT":
        value, tokens = _unary(tokens, env)
        return 1 - value, tokens
    if head == "(":
        value, tokens = _level(tokens, env)
        assert tokens[0] == ")"
        return value, tokens[1:]
    return {"TRUE": 1, "FALSE": 0}.get(head, env.get(head)), tokens


def table_of(text, names):
    return "".join(str(evaluate(text, dict(zip(names, row, strict=True))))
                   for row in itertools.product([0, 1], repeat=len(names)))


# --- naming the 16 functions ---------------------------------------------------------------
def test_the_sixteen_names_match_their_definitions():
    assert len({column(f) for f in SIXTEEN.values()}) == 16
    assert {boolfn.GATES[column(f)][0]: column(f) for f in SIXTEEN.values()} == \
        {name: column(f) for name, f in SIXTEEN.items()}


@pytest.mark.parametrize("name", list(SIXTEEN))
def test_every_name_round_trips_through_a_network(name):
    table = column(SIXTEEN[name])
    if name in ("XOR", "XNOR"):  # no single unit computes these (not linearly separable)
        assert boolfn.function_name(table) == name
        return
    # Search small integer weights for one step unit with this truth table; the search's
    # own arithmetic (z ≥ 0 on each row) is the oracle the network must agree with.
    for w1, w2, b in itertools.product(range(-2, 3), range(-2, 3), np.arange(-2.5, 3)):
        if "".join(str(int(w1 * a + w2 * c + b >= 0)) for a, c in ROWS) == table:
            break
    net = xornet.Network.from_weights([[[w1], [w2]]], [[b]], ["step"])
    reading = logic.lens(net)
    assert reading.outputs[0].table == table
    assert reading.outputs[0].function == name


@pytest.mark.parametrize("name", list(SIXTEEN))
def test_every_template_evaluates_to_its_table(name):
    table = column(SIXTEEN[name])
    assert table_of(boolfn.expression(table, ["A", "B"]), ["A", "B"]) == table
    assert table_of(boolfn.expression(table, ["h1", "h2"]), ["h1", "h2"]) == table


@pytest.mark.parametrize("k", [1, 2, 3])
def test_every_function_of_up_to_three_variables_is_written_correctly(k):
    names = [f"v{i}" for i in range(k)]
    for bits in itertools.product("01", repeat=2**k):
        table = "".join(bits)
        text = boolfn.expression(table, names)
        assert text is not None, table
        assert table_of(text, names) == table, (table, text)


def test_four_and_five_variable_functions_are_written_correctly():
    rng = np.random.default_rng(0)
    for k in (4, 5):
        names = [f"v{i}" for i in range(k)]
        for _ in range(40):
            table = "".join(rng.choice(["0", "1"], size=2**k))
            text = boolfn.expression(table, names)
            assert text is not None and table_of(text, names) == table, (table, text)


def test_parity_of_many_variables_is_named_as_a_chain_of_xor():
    names = [f"x{i}" for i in range(1, 8)]
    parity = column(lambda *bits: sum(bits) % 2, 7)
    assert boolfn.expression(parity, names) == " XOR ".join(names)
    flipped = parity.translate(str.maketrans("01", "10"))
    assert boolfn.expression(flipped, names) == f"NOT ({' XOR '.join(names)})"


def test_essential_variables_match_a_brute_force_check():
    # f(a, b, c) = a AND c ignores b
    table = column(lambda a, b, c: a & c, 3)
    assert boolfn.essential(table) == [0, 2]
    assert boolfn.expression(table, ["a", "b", "c"]) == "a AND c"


# --- the lens on hand-built networks ------------------------------------------------------
@pytest.mark.parametrize(("model", "hidden", "over_hidden", "composed", "output"), [
    ("xor-step", ["OR", "AND"], "h1 AND NOT h2", "(A OR B) AND NOT (A AND B)", "XOR"),
    ("xor-or-nand", ["OR", "NAND"], "h1 AND h2", "(A OR B) AND (A NAND B)", "XOR"),
    ("xnor-step", ["AND", "NOR"], "h1 OR h2", "(A AND B) OR (A NOR B)", "XNOR"),
])
def test_lens_names_the_functions_a_network_was_built_from(model, hidden, over_hidden,
                                                           composed, output):
    reading = logic.lens(xornet.load(f"builtin:{model}"))
    assert [u.function for u in reading.layers[0]] == hidden
    y = reading.outputs[0]
    assert (y.reads_as, y.composed_expression, y.composed_function) == \
        (over_hidden, composed, output)
    assert y.function == output and reading.agrees
    assert all(u.margin == 0.5 and u.deviation == 0.0 and u.crisp
               for layer in reading.layers for u in layer)


@pytest.mark.parametrize(("model", "name"), [
    ("and-step", "AND"), ("or-step", "OR"), ("nand-step", "NAND"), ("nor-step", "NOR"),
    ("not-a-step", "NOT A"),
])
def test_lens_names_single_layer_networks(model, name):
    reading = logic.lens(xornet.load(f"builtin:{model}"))
    assert len(reading.layers) == 1
    assert reading.outputs[0].function == name


def test_tanh_units_are_read_on_their_own_range():
    # h1 = OR and h2 = AND in tanh's -1/1; ŷ = σ(10·(h1 − h2 − 1)) is 1 only for h1 = 1,
    # h2 = -1. Reading the hidden units at 0/1 instead of -1/1 would give FALSE.
    net = xornet.Network.from_weights(
        [[[10, 10], [10, 10]], [[10], [-10]]], [[-5, -15], [-10]], ["tanh", "sigmoid"])
    y = logic.lens(net).outputs[0]
    assert y.over_previous == "0010"
    assert (y.reads_as, y.composed_function, y.agrees) == ("h1 AND NOT h2", "XOR", True)


def test_margin_and_deviation_of_a_sigmoid_unit():
    # z = 2a + 2b − 3 is -3, -1, -1, 1 on the four rows (worked by hand).
    net = xornet.Network.from_weights([[[2], [2]]], [[-3]], ["sigmoid"])
    u = logic.lens(net).outputs[0]
    s = [1 / (1 + math.exp(-z)) for z in (-3, -1, -1, 1)]
    assert u.values == pytest.approx(s, abs=1e-15)
    assert u.table == "0001" and u.function == "AND"
    assert u.margin == pytest.approx(s[3] - 0.5, abs=1e-15)  # 0.2311
    assert u.deviation == pytest.approx(max(s[1], 1 - s[3]), abs=1e-15)  # 0.2689
    assert u.weakest_row in (1, 2, 3) and not u.crisp


def test_a_unit_far_from_boolean_breaks_the_composition():
    # One weak sigmoid hidden unit: h = σ(a + b − 0.5) is 0.38, 0.62, 0.62, 0.82 (OR).
    # ŷ = σ(10·(h − 0.7)) on those values is AND, but on ideal h = 0/1 it copies h (OR).
    net = xornet.Network.from_weights([[[1], [1]], [[10]]], [[-0.5], [-7]],
                                      ["sigmoid", "sigmoid"])
    reading = logic.lens(net)
    y = reading.outputs[0]
    assert reading.layers[0][0].function == "OR" and not reading.layers[0][0].crisp
    assert (y.reads_as, y.composed_function, y.function) == ("h1", "OR", "AND")
    assert y.composed_expression == "A OR B"  # a copied operand loses its parentheses
    assert y.agrees is False and reading.agrees is False


def test_deeper_networks_compose_layer_by_layer():
    # Layer 1: OR, NAND; layer 2: AND of them (= XOR) and its negation; output: h2_1 AND
    # NOT h2_2, which is XOR again. Step units, so the composition must agree.
    net = xornet.Network.from_weights(
        [[[1, -1], [1, -1]], [[1, -1], [1, -1]], [[1], [-1]]],
        [[-0.5, 1.5], [-1.5, 1.5], [-0.5]], ["step", "step", "step"])
    reading = logic.lens(net)
    assert [u.name for u in reading.layers[1]] == ["h2_1", "h2_2"]
    assert [u.composed_function for u in reading.layers[1]] == ["XOR", "XNOR"]
    y = reading.outputs[0]
    assert y.reads_as == "h2_1 AND NOT h2_2" and y.composed_function == "XOR" and y.agrees


@pytest.mark.parametrize("seed", [2, 3, 4, 5, 6, 7])
def test_trained_sigmoid_network_composes_to_xor(seed, xor):
    X, y = xor
    net = xornet.Network([2, 2, 1], activation="sigmoid", output_activation="sigmoid",
                         bias=True, init="uniform", seed=seed)
    net.fit(X, y, epochs=3000, lr=2.0, loss="sse", stop_when_solved=True)
    assert np.all(np.abs(net.predict(X) - y) <= 0.1)  # it really learned XOR
    reading = logic.lens(net, X)
    h1, h2 = (u.table for u in reading.layers[0])
    out = reading.outputs[0]
    # Compose by hand: the output's table over (h1, h2) indexed by the hidden bits per row.
    composed = "".join(out.over_previous[int(h1[r] + h2[r], 2)] for r in range(4))
    assert composed == column(lambda a, b: a ^ b) == "0110"
    assert out.composed_function == "XOR" and reading.agrees
    # The names read back produce XOR too.
    names = [u.function for u in reading.layers[0]]
    hidden = [column(SIXTEEN[n]) for n in names]
    assert hidden == [h1, h2]
    assert table_of(out.composed_expression, ["A", "B"]) == "0110"


def test_lens_reads_all_rows_of_a_wider_input():
    X, _ = xornet.datasets.load("parity", n_bits=3)
    net = xornet.Network.from_weights([[[1], [1], [1]]], [[-2.5]], ["step"])
    reading = logic.lens(net, X)
    assert reading.rows.tolist() == [list(map(float, r))
                                     for r in itertools.product([0, 1], repeat=3)]
    assert reading.outputs[0].function == "x1 AND x2 AND x3"


def test_lens_rejects_non_boolean_data_and_too_many_inputs():
    net = xornet.load("builtin:xor-step")
    with pytest.raises(XornetError, match="boolean"):
        logic.lens(net, [[0.0, 0.5], [1.0, 1.0]])
    with pytest.raises(XornetError, match="3 input columns"):
        logic.lens(net, np.zeros((2, 3)))
    with pytest.raises(XornetError, match="at most 12 inputs"):
        logic.lens(xornet.Network([13, 1]))


# --- check --------------------------------------------------------------------------------
def test_check_counts_rows_against_the_oracle():
    X = np.array(ROWS, dtype=float)
    y = np.array([[a ^ b] for a, b in ROWS], dtype=float)
    result = logic.check(xornet.load("builtin:or-step"), X, y)
    # OR differs from XOR only on (1, 1).
    assert [r["ok"] for r in result["rows"]] == [True, True, True, False]
    assert (result["passed"], result["failed"], result["ok"]) == (3, 1, False)
    assert logic.check(xornet.load("builtin:xor-step"), X, y)["ok"]


def test_check_rejects_a_table_that_does_not_fit():
    net = xornet.load("builtin:xor-step")
    with pytest.raises(XornetError, match="3 input columns"):
        logic.check(net, np.zeros((8, 3)), np.zeros((8, 1)))
    with pytest.raises(XornetError, match="0 or 1"):
        logic.check(net, np.array(ROWS, dtype=float), np.full((4, 1), 0.5))


# --- the command line ---------------------------------------------------------------------
def run(*args):
    return CliRunner().invoke(app, list(args))


def test_check_command_exit_codes():
    assert run("check", "builtin:xor-step", "--dataset", "xor").exit_code == 0
    assert run("check", "builtin:xor-or-nand").exit_code == 0  # the recorded dataset
    failed = run("check", "builtin:and-step", "--dataset", "0110")
    assert failed.exit_code == 1 and "FAIL" in failed.stdout


def test_check_and_logic_json_parse():
    doc = json.loads(run("check", "builtin:and-step", "--dataset", "and", "--json").stdout)
    assert doc["ok"] is True and doc["total"] == 4
    failed = run("check", "builtin:and-step", "--dataset", "or", "--json")
    assert failed.exit_code == 1 and json.loads(failed.stdout)["failed"] == 2
    doc = json.loads(run("logic", "builtin:xor-step", "--json").stdout)
    assert doc["agrees"] is True
    assert doc["layers"][1][0]["reads_as"] == "h1 AND NOT h2"


def test_logic_command_prints_the_composition():
    result = run("logic", "builtin:xor-step")
    assert result.exit_code == 0
    assert "ŷ ≈ h1 AND NOT h2 = (A OR B) AND NOT (A AND B) = XOR" in result.stdout


@pytest.mark.parametrize("args", [
    ("check", "builtin:xor-magic"),
    ("logic", "builtin:xor-step", "--dataset", "moons"),
    ("check", "builtin:xor-step", "--dataset", "parity", "--n-bits", "3"),
    ("check", "builtin:xor-step", "--dataset", "sine"),
])
def test_bad_input_is_one_line_and_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("xornet: error: ")


def test_check_without_a_recorded_dataset_asks_for_one(tmp_path):
    path = tmp_path / "m.json"
    xornet.Network([2, 2, 1]).save(path)
    result = run("check", str(path))
    assert result.exit_code == 2 and "--dataset" in result.stderr
