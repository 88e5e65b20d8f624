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
from xornet.explain import boolfn, circuit, logic, story

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


def test_a_unit_far_from_boolean_is_read_at_a_cut_of_its_own():
    # One weak sigmoid hidden unit: h = σ(a + b − 0.5) is 0.38, 0.62, 0.62, 0.82 (OR).
    # ŷ = σ(10·(h − 0.7)) on those values is AND, but on ideal h = 0/1 it copies h (OR), so
    # the middle reading does not agree. Cut between 0.62 and 0.82 (the stand-ins are the
    # mean below, 0.54, and 0.82: σ(10·0.54 − 7) < 0.5 < σ(10·0.82 − 7)), h reads as AND.
    net = xornet.Network.from_weights([[[1], [1]], [[10]]], [[-0.5], [-7]],
                                      ["sigmoid", "sigmoid"])
    reading = logic.lens(net)
    y = reading.outputs[0]
    assert reading.layers[0][0].function == "OR" and not reading.layers[0][0].crisp
    assert y.over_previous == "01" and y.function == "AND"  # on ideal h: ŷ copies h
    c = y.circuit
    assert c["middle_composed"] == "0111"  # the middle reading composes to OR, not AND
    s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    h = [s(-0.5), s(0.5), s(0.5), s(1.5)]
    assert c["reading"] == "cut" and c["thresholds"]["h1"] == pytest.approx((h[1] + h[3]) / 2)
    assert c["read_as"] == {"h1": "AND"} and c["table"] == "01"
    assert (y.reads_as, y.composed_function, y.agrees) == ("h1", "AND", True)
    told = [t.text for t in story.sentences(reading)]
    assert any(t.startswith("Read at the middle of their range, the units that carry ŷ "
                            "compose to OR, not AND") for t in told)


def test_a_reading_that_fails_both_ways_does_not_agree():
    # h1 = σ(0.4a − 0.4b − 1.1) is .250 .182 .332 .250, h2 = σ(0.4a − 1.1b − 1.9) is .130
    # .047 .182 .069, ŷ = σ(−5.6 h1 + 2.8 h2 + 1.1) is NOT A (1100). At the middle both units
    # read 0 on every row. Cut: r0 and r3 differ in ŷ but not in h1 (equal values), so h2
    # must be cut between .069 and .130: h2 bits 1 0 1 0. Then r1 and r3 differ in ŷ but
    # not in h2, so h1 must be cut between .182 and .250: h1 bits 1 0 1 1. Now r0 and r2
    # read (1, 1) alike but ŷ differs. No set of units reads, so the reading cannot agree.
    net = xornet.Network.from_weights(
        [[[0.4, 0.4], [-0.4, -1.1]], [[-5.6], [2.8]]], [[-1.1, -1.9], [1.1]],
        ["sigmoid", "sigmoid"])
    reading = logic.lens(net)
    y = reading.outputs[0]
    assert y.table == "1100" and y.agrees is False and reading.agrees is False
    assert y.circuit["reading"] == "middle" and y.composed != y.table
    told = story.sentences(reading)
    assert told[-1].kind == story.DISAGREES and "not crisp: h1, h2" in told[-1].text


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
    # over both units on ideal values ŷ is h2_1 AND NOT h2_2; but h2_2 = NOT h2_1, so h2_1
    # alone carries ŷ: with h2_2 at its mean 0.5, z = h2_1 − 1 fires (z ≥ 0) iff h2_1 = 1
    assert boolfn.expression(y.over_previous, ["h2_1", "h2_2"]) == "h2_1 AND NOT h2_2"
    assert y.reads_as == "h2_1" and y.circuit["set_aside"] == {"h2_2": 0.5}
    assert y.composed_function == "XOR" and y.agrees


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


# --- circuits: the units that carry the output ---------------------------------------------
def sig(z):
    return 1 / (1 + math.exp(-z))


def xor_among_noise(m=5, carriers=(0, 1), seed=0):
    """A 2-m-1 sigmoid network: units carriers[0] = OR and carriers[1] = NAND (weights ±20)
    carry ŷ = σ(20·OR + 20·NAND − 30) = XOR; every other unit is noise, with small weights
    in and out (at most 0.5 out)."""
    rng = np.random.default_rng(seed)
    W1 = rng.uniform(-1, 1, (2, m))
    b1 = rng.uniform(-1, 1, m)
    W2 = rng.uniform(-0.5, 0.5, (m, 1))
    (i, j) = carriers
    W1[:, i], b1[i], W2[i] = 20, -10, 20  # OR
    W1[:, j], b1[j], W2[j] = -20, 30, 20  # NAND
    b2 = [-30.0]
    return xornet.Network.from_weights([W1.tolist(), W2.tolist()], [b1.tolist(), b2],
                                       ["sigmoid", "sigmoid"]), W1, b1, W2, b2


def held_output(W1, b1, W2, b2, keep):
    """ŷ's bits on the four rows with the units not in ``keep`` held at their means: computed
    here with math.exp, independently of the lens."""
    H = [[sig(a * W1[0, k] + c * W1[1, k] + b1[k]) for k in range(W1.shape[1])]
         for a, c in ROWS]
    means = [sum(h[k] for h in H) / 4 for k in range(W1.shape[1])]
    bits = ""
    for h in H:
        z = b2[0] + sum(W2[k, 0] * (h[k] if k in keep else means[k]) for k in range(len(h)))
        bits += "1" if sig(z) > 0.5 else "0"
    return bits, means


def test_two_of_five_units_carry_xor_and_three_are_set_aside():
    net, W1, b1, W2, b2 = xor_among_noise()
    reading = logic.lens(net)
    y = reading.outputs[0]
    assert y.table == "0110"
    # the oracle: the pair carries ŷ; no single unit (nor none) does
    assert held_output(W1, b1, W2, b2, {0, 1})[0] == "0110"
    assert all(held_output(W1, b1, W2, b2, {k})[0] != "0110" for k in range(5))
    assert held_output(W1, b1, W2, b2, set())[0] != "0110"
    c = y.circuit
    assert c["carriers"] == ["h1", "h2"] and c["smallest"] and c["reading"] == "middle"
    means = held_output(W1, b1, W2, b2, set())[1]
    assert c["set_aside"] == pytest.approx({f"h{k + 1}": means[k] for k in (2, 3, 4)})
    assert (y.reads_as, y.composed_function, y.agrees) == ("h1 AND h2", "XOR", True)
    text = " ".join(s.text for s in story.sentences(reading))
    assert ("ŷ ≈ h1 AND h2 = (A OR B) AND (A NAND B) = XOR; the other 3 units of the layer "
            "before, held at their means, change no output.") in text
    assert "h3" not in text  # the noise units are not told about


def test_a_pair_among_64_units_is_found_exhaustively():
    net, W1, b1, W2, b2 = xor_among_noise(m=64, carriers=(17, 41), seed=3)
    y = logic.lens(net).outputs[0]
    assert held_output(W1, b1, W2, b2, {17, 41})[0] == "0110"
    assert y.circuit["carriers"] == ["h18", "h42"] and y.circuit["smallest"]
    assert len(y.circuit["set_aside"]) == 62 and y.composed_function == "XOR" and y.agrees


def test_past_the_bound_a_greedy_search_finds_the_pair(monkeypatch):
    monkeypatch.setattr(circuit, "MAX_WORK", 10)  # only the empty set is tried exhaustively
    net, *_ = xor_among_noise()
    reading = logic.lens(net)
    c = reading.outputs[0].circuit
    assert c["carriers"] == ["h1", "h2"] and not c["smallest"] and c["searched"] == 0
    text = " ".join(s.text for s in story.sentences(reading))
    assert "(a greedy search: no set of 0 or fewer units carries ŷ)" in text


@pytest.mark.parametrize("seed", range(40))
def test_every_circuit_carries_and_its_formula_reads_the_network(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 7))
    W1, b1 = rng.normal(0, 3, (2, m)), rng.normal(0, 2, m)
    W2, b2 = rng.normal(0, 3, (m, 1)), [float(rng.normal(0, 2))]
    net = xornet.Network.from_weights([W1.tolist(), W2.tolist()], [b1.tolist(), b2],
                                      ["sigmoid", "sigmoid"])
    y = logic.lens(net).outputs[0]
    keep = {int(n[1:]) - 1 for n in y.circuit["carriers"]}
    assert held_output(W1, b1, W2, b2, keep)[0] == y.table  # the carriers carry ŷ
    if y.agrees and y.reads_as:
        # the formula, evaluated here on what each carrier reads as, is ŷ's table
        env = {n: column(SIXTEEN[f]) for n, f in y.circuit["read_as"].items()
               if f in SIXTEEN}
        if len(env) == len(keep):
            got = "".join(str(evaluate(y.reads_as, {n: int(t[r]) for n, t in env.items()}))
                          for r in range(4))
            assert got == y.table


# --- networks without bias, and unbounded units ------------------------------------------
@pytest.fixture(scope="module")
def classic_models():
    from xornet.train import config, presets
    X, y = xornet.datasets.load("xor")
    return {name: config.run(presets.get(name), X, y)[0]
            for name in ("classic", "classic-linear-out")}


def test_without_bias_the_zero_row_is_undecided_and_told_once(classic_models):
    reading = logic.lens(classic_models["classic"])
    hidden = reading.layers[0]
    assert all(u.values[0] == 0.5 and u.undecided == [0] for u in hidden)  # σ(0) = 0.5
    assert all(u.crisp for u in hidden)  # read on the other rows
    told = story.sentences(reading)
    pinned = [s for s in told if s.kind == story.PINNED]
    assert len(pinned) == 1 and "f(0) = 0.5" in pinned[0].text and "row 0 0" in pinned[0].text
    assert not [s for s in told if s.kind == story.NOT_CRISP]
    y = reading.outputs[0]
    assert y.composed_function == "XOR" and y.agrees and told[-1].kind == story.AGREES


def test_a_linear_output_without_bias_reads_as_xor(classic_models):
    net = classic_models["classic-linear-out"]
    reading = logic.lens(net)
    y = reading.outputs[0]
    assert y.table == "0110" and y.composed_function == "XOR" and y.agrees
    told = story.sentences(reading)
    assert [s.text for s in told if s.kind == story.UNBOUNDED] == [
        "Linear units have no top of their own: the lens reads them as on above 0.5, the "
        "middle of the 0/1 targets."]
    c = y.circuit
    if c["reading"] == "cut":
        # each cut lies between two of the unit's values, and reading the carriers on the
        # cut bits with the formula gives XOR (checked with this file's evaluator)
        bits = {n: "".join("1" if v > c["thresholds"][n] else "0" for v in u.values)
                for u in reading.layers[0] for n in [u.name] if n in c["carriers"]}
        got = "".join(str(evaluate(y.reads_as, {n: int(b[r]) for n, b in bits.items()}))
                      for r in range(4))
        assert got == "0110"
        assert [s.kind for s in told].count(story.CUT) == 1


# --- the command line fits the terminal ----------------------------------------------------
@pytest.fixture(scope="module")
def wide_model(tmp_path_factory):
    """A 2-16-1 tanh network trained on XOR, saved (the wide setting the lens summarises)."""
    X, y = xornet.datasets.load("xor")
    net = xornet.Network([2, 16, 1], activation="tanh", output_activation="sigmoid", seed=0)
    net.fit(X, y, epochs=2000, lr=0.5, loss="mse")
    path = tmp_path_factory.mktemp("models") / "wide.json"
    net.save(path)
    return str(path)


@pytest.fixture(scope="module")
def classic_model(tmp_path_factory, classic_models):
    path = tmp_path_factory.mktemp("models") / "classic.json"
    classic_models["classic"].save(path)
    return str(path)


def widths(monkeypatch, columns, *args):
    """Every line's width (in terminal cells) of a command rendered ``columns`` wide."""
    from rich.cells import cell_len

    from xornet.cli import render
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(render, "PIPE_WIDTH", columns, raising=False)  # CliRunner is a pipe
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return [cell_len(line) for line in result.stdout.splitlines()], result.stdout


@pytest.mark.parametrize("columns", [80, 100])
@pytest.mark.parametrize("command", ["logic", "check"])
@pytest.mark.parametrize("model", ["wide", "classic", "builtin:xor-step"])
def test_logic_and_check_fit_the_terminal(monkeypatch, columns, command, model, wide_model,
                                          classic_model):
    path = {"wide": wide_model, "classic": classic_model}.get(model, model)
    lines, out = widths(monkeypatch, columns, command, path, "--dataset", "xor")
    assert lines and max(lines) <= columns, out


def test_a_wide_layer_shows_its_carriers_and_summarises_the_rest(monkeypatch, wide_model):
    reading = logic.lens(xornet.load(wide_model))
    c = reading.outputs[0].circuit
    _, out = widths(monkeypatch, 80, "logic", wide_model)
    shown = [u.name for u in reading.layers[0] if u.name in c["carriers"]]
    aside = list(c["set_aside"])
    assert len(shown) + len(aside) == 16 and aside
    assert all(re.search(rf"│ {n}\s+│", out) for n in shown)  # a row of the unit table each
    assert not any(re.search(rf"│ {n}\s+│", out) for n in aside)
    assert f"Set aside for ŷ (held at their means): {aside[0]}" in out


def test_logic_json_keeps_its_fields_and_adds_the_circuit():
    doc = json.loads(run("logic", "builtin:xor-step", "--json").stdout)
    assert doc["agrees"] is True and doc["layers"][1][0]["composed_function"] == "XOR"
    assert all("crisp" in u for layer in doc["layers"] for u in layer)
    assert doc["circuit"] == [{"unit": "ŷ", **doc["layers"][1][0]["circuit"]}]
    c = doc["circuit"][0]
    assert (c["carriers"], c["set_aside"], c["formula"]) == (["h1", "h2"], {}, "h1 AND NOT h2")
