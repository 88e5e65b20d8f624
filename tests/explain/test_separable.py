"""Tests for xornet.explain.separable and ``xornet separable``, each against its own oracle."""

import itertools
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet.cli.separable  # noqa: F401  (registers the command on the app)
from xornet.cli import app
from xornet.errors import XornetError
from xornet.explain import separable
from xornet.io import datasets

COLUMNS = ["".join(bits) for bits in itertools.product("01", repeat=4)]  # all 16 functions


def _separates(X, y, w, b):
    """Every 1 strictly on the positive side of w·x + b = 0 and every 0 strictly on the
    negative side, checked point by point in plain Python."""
    for xi, yi in zip(X.tolist(), y[:, 0].tolist(), strict=True):
        z = sum(a * c for a, c in zip(xi, w, strict=True)) + b
        if not (z > 0 if yi == 1 else z < 0):
            return False
    return True


def _grid_separable(X, y):
    """Oracle for two-input truth tables: every threshold function of two bits is drawn by a
    line with w in {-1, 0, 1}² and b in {±0.5, ±1.5}; search them all."""
    for w1, w2, b in itertools.product((-1, 0, 1), (-1, 0, 1), (-1.5, -0.5, 0.5, 1.5)):
        if _separates(X, y, (w1, w2), b):
            return True
    return False


# ------------------------------------------------------------------ truth tables


@pytest.mark.parametrize("column", COLUMNS)
def test_every_two_input_function_is_classified_like_a_search_over_lines(column):
    X, y = datasets.load(column)
    result = separable.decide(X, y)
    assert result.linearly_separable is _grid_separable(X, y)
    if result.linearly_separable:
        assert _separates(X, y, result.w, result.b)
        assert result.best_accuracy == 1.0


def test_exactly_fourteen_of_sixteen_functions_are_separable_all_but_xor_and_xnor():
    # the classic result (Minsky & Papert): XOR and XNOR are the only two that no line draws
    verdicts = {c: separable.decide(*datasets.load(c)).linearly_separable for c in COLUMNS}
    assert sum(verdicts.values()) == 14
    assert {c for c, ok in verdicts.items() if not ok} == {"0110", "1001"}


def test_and_gets_the_line_x1_plus_x2_minus_one_and_a_half():
    # worked by hand: the widest margin with |w_j| ≤ 1 is w = (1, 1), b = −1.5 (margin 0.5 in
    # w·x + b at every corner, so 0.5/√2 in distance)
    result = separable.decide(*datasets.load("and"), name="AND")
    assert result.w.tolist() == [1.0, 1.0] and result.b == -1.5
    assert result.margin == pytest.approx(0.5 / np.sqrt(2), abs=1e-15)
    assert result.explanation == (
        "AND is linearly separable: the line 1·x1 + 1·x2 − 1.5 = 0 puts every 1 on its "
        "positive side and every 0 on its negative side."
    )


@pytest.mark.parametrize("gate", ["xor", "xnor"])
def test_xor_and_xnor_are_not_separable_and_the_best_line_gets_three_of_four(gate):
    X, y = datasets.load(gate)
    result = separable.decide(X, y, name=gate.upper())
    assert not result.linearly_separable and result.w is None and result.b is None
    assert result.best_correct == 3 and result.best_accuracy == 0.75
    # oracle for "3 is reachable": the line x1 + x2 − 0.5 = 0 gets 3 rows of XOR right
    ones = (X.sum(axis=1) - 0.5 > 0).astype(float)
    assert max(np.sum(ones == y[:, 0]), np.sum(ones != y[:, 0])) == 3
    assert "3 of 4" in result.explanation


def test_xor_sentence_names_the_points_no_line_can_split():
    result = separable.decide(*datasets.load("xor"), name="XOR")
    assert result.explanation == (
        "XOR is not linearly separable: no line puts (0,1),(1,0) on one side and (0,0),(1,1) "
        "on the other; the best a single line can do is 3 of 4."
    )


def test_constant_targets_are_separable_with_no_boundary():
    result = separable.decide(*datasets.load("1111"))
    assert result.linearly_separable and result.w.tolist() == [0.0, 0.0] and result.b > 0
    assert result.margin is None


# ------------------------------------------------------------------ parity and clouds


@pytest.mark.parametrize("n_bits", [2, 3, 4, 5, 6])
def test_parity_is_never_separable(n_bits):
    # known result: parity of n ≥ 2 bits is not a threshold function (for n = 6 the 64 rows
    # also exercise the float solve and its exact certificate)
    X, y = datasets.load("parity", n_bits=n_bits)
    assert not separable.decide(X, y).linearly_separable


def test_three_bit_parity_best_plane_gets_six_of_eight():
    X, y = datasets.load("parity", n_bits=3)
    result = separable.decide(X, y)
    assert result.best_correct == 6
    # oracle: a search over planes with small integer weights and half-integer biases
    best = 0
    for w in itertools.product(range(-2, 3), repeat=3):
        for b in np.arange(-4.5, 5.0, 1.0):
            pred = (X @ np.array(w) + b > 0).astype(float)
            best = max(best, int(np.sum(pred == y[:, 0])))
    assert best == 6


def _far_apart_cloud(n_per_class, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(-3.0, 0.3, (n_per_class, 2)), rng.normal(3.0, 0.3, (n_per_class, 2))])
    y = np.r_[np.zeros(n_per_class), np.ones(n_per_class)][:, None]
    return X, y


@pytest.mark.parametrize("n_per_class", [10, 100, 2000])
def test_gaussians_far_apart_are_separable_by_the_line_returned(n_per_class):
    X, y = _far_apart_cloud(n_per_class)
    result = separable.decide(X, y)
    assert result.linearly_separable
    assert _separates(X, y, result.w, result.b)
    # the margin is the distance to the nearest point, computed here another way
    dist = np.abs(X @ result.w + result.b) / np.hypot(*result.w)
    assert result.margin == pytest.approx(dist.min(), rel=1e-12)
    assert result.margin > 3.0  # the blobs are 6 apart with spread 0.3


@pytest.mark.parametrize("name", ["xor-cloud", "circles", "moons", "spiral"])
def test_clouds_that_interleave_are_not_separable(name):
    X, y = datasets.load(name, n_samples=500)
    assert not separable.decide(X, y).linearly_separable


def test_the_exact_working_set_agrees_with_the_fast_path():
    # the exact fallback, run on its own, on data that is and is not separable
    for (X, y), expected in [(_far_apart_cloud(40), True), (datasets.load("xor-cloud",
                                                                         n_samples=80), False)]:
        Xc, s = separable._check(X, y)
        found = separable._working_set(Xc, s)
        assert (found is not None) is expected
        if found is not None:
            assert _separates(X, y, [float(v) for v in found[0]], float(found[1]))


@pytest.mark.parametrize("copies", [1, 30])
def test_a_gap_of_two_to_the_minus_sixty_is_found_and_a_gap_of_zero_is_not(copies):
    # geometry oracle: 0s at (0, 0) and (2, 0), a 1 at (1, gap): the horizontal line
    # y = gap/2 separates them for any gap > 0; at gap = 0 the 1 lies between the two 0s
    for gap, expected in [(2.0**-60, True), (0.0, False)]:
        X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, gap]] * copies)
        y = np.array([[0.0], [0.0], [1.0]] * copies)
        result = separable.decide(X, y)
        assert result.linearly_separable is expected


def test_equation_writes_signs_and_leaves_out_zero_terms():
    assert separable.equation([1.0, 1.0], -1.5) == "1·x1 + 1·x2 − 1.5 = 0"
    assert separable.equation([-1.0, 0.0], 0.5) == "−1·x1 + 0.5 = 0"
    assert separable.equation([0.5, -1.0], 0.0) == "0.5·x1 − 1·x2 = 0"


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "X, y, field",
    [
        (np.zeros((4, 2)), np.array([[0.0], [0.5], [1.0], [1.0]]), "y:"),
        (np.zeros((4, 2)), np.zeros((4, 2)), "y:"),
        (np.zeros((4, 2)), np.zeros((3, 1)), "y:"),
        (np.array([[0.0, np.nan]] * 4), np.zeros((4, 1)), "X:"),
        (np.zeros((0, 2)), np.zeros((0, 1)), "X:"),
    ],
)
def test_bad_input_is_one_sentence_naming_the_field(X, y, field):
    with pytest.raises(XornetError) as info:
        separable.decide(X, y)
    message = str(info.value)
    assert message.startswith(field) and message.endswith(".") and "\n" not in message


# ------------------------------------------------------------------ command line

runner = CliRunner()


def test_cli_json_for_and_has_a_separating_line():
    result = runner.invoke(app, ["separable", "--dataset", "and", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["linearly_separable"] is True
    X, y = datasets.load("and")
    assert _separates(X, y, doc["w"], doc["b"])


def test_cli_json_for_xor_says_not_separable_with_best_three_of_four():
    result = runner.invoke(app, ["separable", "--dataset", "xor", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["linearly_separable"] is False and doc["w"] is None
    assert doc["best_correct"] == 3 and doc["best_accuracy"] == 0.75


def test_cli_prints_one_sentence():
    result = runner.invoke(app, ["separable", "--dataset", "and"])
    assert result.exit_code == 0
    # the sentence, wrapped at the terminal's width (100 columns in a pipe)
    printed = " ".join(result.stdout.split())
    assert printed == separable.decide(*datasets.load("and"), name="AND").explanation
    result = runner.invoke(app, ["separable", "--dataset", "parity", "--n-bits", "3"])
    assert result.stdout.startswith("3-bit parity is not linearly separable: no plane puts")


def test_cli_reads_a_csv(tmp_path):
    path = tmp_path / "or.csv"
    path.write_text("a,b,t\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n")
    result = runner.invoke(app, ["separable", "--csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["linearly_separable"] is True


def test_cli_non_binary_target_is_one_line_and_exit_2():
    result = runner.invoke(app, ["separable", "--dataset", "sine"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xornet: error: y:")
    assert "Traceback" not in result.output
