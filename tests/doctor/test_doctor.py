"""Tests for the doctor: each diagnosis provoked on purpose, and silent on healthy runs.

Oracles: networks built by hand whose net inputs, slopes and gradients are worked out in the
comments; numbers recomputed from the history or the weights with plain formulas; the
seed study recounted by an independent loop over ``Network.fit``.
"""

import json
import math
import statistics
from collections import Counter

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet.cli.doctor  # noqa: F401  (registers `xornet doctor` on the app)
from xornet import DivergenceError, History, Network
from xornet.cli import app
from xornet.doctor.diagnose import CODES, diagnose, run_and_diagnose
from xornet.doctor.findings import Diagnosis
from xornet.doctor.seedstudy import seed_study
from xornet.train import presets
from xornet.train.config import RunConfig, run

DEFAULT = presets.get("default")
# The smallest XOR net with plain gradient descent: seed 3 stalls, most seeds solve.
SMALL = presets.get("bias-2-2-1").with_(epochs=2000)


def xor_arrays():
    """XOR written out (module-scoped fixtures cannot use conftest's function-scoped one)."""
    return (np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
            np.array([[0.0], [1.0], [1.0], [0.0]]))


def codes(found):
    return [d.code for d in found]


def only(found, code):
    (d,) = [d for d in found if d.code == code]
    return d


def sigmoid_slope(z):
    """σ′(z) = e^-|z| / (1 + e^-|z|)², written without σ itself."""
    e = math.exp(-abs(z))
    return e / (1.0 + e) ** 2


def dead_relu_net():
    """ReLU 2-2-1, no bias: h1 = relu(x1 − x2) fires only on (1, 0); h2 = relu(−x1 − x2) has
    net input 0, −1, −1, −2 (≤ 0 on every row: dead); ŷ = h1 (linear) = 0, 0, 1, 0.
    So 3 of 4 rows are right, and the gradient is exactly 0: the wrong row (0, 1) has hidden
    code (0, 0), which no output weight can change, and relu′ = 0 there."""
    return Network.from_weights([[[1.0, -1.0], [-1.0, -1.0]], [[1.0], [0.0]]], biases=None,
                                activations=["relu", "linear"])


# --- healthy runs: nothing fires -----------------------------------------------------------

@pytest.fixture(scope="module")
def healthy():
    X, y = xor_arrays()
    net, history = run(DEFAULT, X, y)
    assert history.solved
    return net, history, X, y


def test_a_healthy_solved_run_gets_no_diagnosis(healthy):
    net, history, X, y = healthy
    assert diagnose(net, X, y, history, DEFAULT) == []
    assert diagnose(net, X, y) == []  # without history or config too


@pytest.mark.parametrize("code", CODES)
def test_no_check_fires_on_a_healthy_run_even_when_asked_to_look(healthy, code):
    net, history, X, y = healthy
    assert code not in codes(diagnose(net, X, y, history, DEFAULT, check_solved=True))


def test_the_codes_are_the_failures_product_md_names():
    # "outputs stuck near 0.5, symmetric units (zero init), saturated sigmoids, dead ReLUs,
    # the 75 % plateau, divergence, too few epochs", and hidden layers that are all linear
    assert sorted(CODES) == sorted([
        "stuck-output", "symmetric-units", "saturated", "dead-relu", "plateau-3-of-4",
        "diverged", "still-learning", "linear-hidden"])


def test_diagnoses_are_sentences_with_a_suggestion(xor):
    X, y = xor
    found = diagnose(dead_relu_net(), X, y, check_solved=True)
    # worked out in dead_relu_net's docstring: h2 is dead and the net sits at 3 of 4 rows,
    # with MSE (0² + 1² + 0² + 0²) / 4 = 0.25 and gradient exactly 0
    assert codes(found) == ["dead-relu", "plateau-3-of-4"]
    assert only(found, "plateau-3-of-4").evidence["loss"] == 0.25
    for d in found:
        assert isinstance(d, Diagnosis)
        assert d.sentence.endswith(".") and d.suggestion.endswith(".")
        assert d.sentence[0].isupper() or d.sentence[0].isdigit()
        assert json.loads(json.dumps(d.as_dict())) == d.as_dict()  # plain JSON data


# --- stuck-output ---------------------------------------------------------------------------

def test_stuck_output_a_perceptron_on_xor_outputs_one_half_everywhere(xor):
    X, y = xor
    cfg = RunConfig(hidden=(), output_activation="sigmoid", init="uniform", loss="mse",
                    optimizer="sgd", lr=2.0, epochs=300, stop_when_solved=False)
    net, _, found = run_and_diagnose(cfg, X, y)
    spread = np.ptp(net.predict(X))  # oracle: the outputs themselves
    assert spread < 0.1
    d = only(found, "stuck-output")
    assert d.evidence["output_spread"][0] == pytest.approx(spread, abs=1e-15)
    assert d.evidence["mean"] == pytest.approx(0.5, abs=0.01)
    assert "hidden layer" in d.suggestion


def test_stuck_output_does_not_fire_when_outputs_differ(xor):
    X, y = xor
    assert "stuck-output" not in codes(diagnose(dead_relu_net(), X, y))  # outputs 0, 0, 1, 0


# --- symmetric-units ------------------------------------------------------------------------

def test_symmetric_units_zero_init_leaves_every_hidden_unit_identical(xor):
    X, y = xor
    cfg = DEFAULT.with_(init="zeros", hidden=(3,), epochs=50)
    net, _, found = run_and_diagnose(cfg, X, y)
    d = only(found, "symmetric-units")
    assert d.evidence["groups"] == [["h1", "h2", "h3"]]
    assert d.changes == ({"init": "xavier"},) and "random weights" in d.suggestion
    W1 = net.weights[0]
    assert np.all(W1[:, :1] == W1)  # oracle: the columns really are equal


def test_symmetric_units_names_only_the_copies(xor):
    X, y = xor
    # h1 and h3 have the same incoming (1, 2; bias 0.5) and outgoing (3) weights; h2 differs.
    W1 = [[1.0, -1.0, 1.0], [2.0, 0.5, 2.0]]
    net = Network.from_weights([W1, [[3.0], [1.0], [3.0]]], [[0.5, 0.0, 0.5], [-4.0]],
                               ["sigmoid", "sigmoid"])
    d = only(diagnose(net, X, y), "symmetric-units")
    assert d.evidence["groups"] == [["h1", "h3"]]
    assert d.evidence["max_difference"] == 0.0
    net.weights[1][2, 0] = 3.01  # h3's outgoing weight moves: no longer a copy
    assert "symmetric-units" not in codes(diagnose(net, X, y, check_solved=True))


# --- saturated ------------------------------------------------------------------------------

def test_saturated_huge_weights_flatten_every_sigmoid(xor):
    X, y = xor
    # h1 net input 10·x1 + 10·x2 + 8 = 8, 18, 18, 28; h2 = −h1: |z| ≥ 8 on every row, so
    # σ′ ≤ σ′(8) = 3.35e-4, below 1 % of σ′(0) = 0.25.
    net = Network.from_weights([[[10.0, -10.0], [10.0, -10.0]], [[1.0], [1.0]]],
                               [[8.0, -8.0], [-1.0]], ["sigmoid", "sigmoid"])
    d = only(diagnose(net, X, y, config=DEFAULT.with_(loss="mse")), "saturated")
    units = {u["unit"]: u for u in d.evidence["units"]}
    assert set(units) == {"h1", "h2"}  # ŷ's net input σ(z1) + σ(z2) − 1 ≈ 0 is not saturated
    for u in units.values():
        assert u["rows"] == 4
        assert u["min_abs_net_input"] == 8.0
        assert u["largest_slope"] == pytest.approx(sigmoid_slope(8.0), rel=1e-9)
        assert u["smallest_slope"] == pytest.approx(sigmoid_slope(28.0), rel=1e-3)
    assert "h1 and h2" in d.sentence


def test_saturated_needs_almost_every_row(xor):
    X, y = xor
    # net input 10·x1 + 10·x2 − 3 = −3, 7, 7, 17: σ′(−3) = 0.045 is steep enough
    net = Network.from_weights([[[10.0], [10.0]], [[1.0]]], [[-3.0], [0.0]],
                               ["sigmoid", "sigmoid"])
    assert "saturated" not in codes(diagnose(net, X, y, check_solved=True))


def _step_fit(wobble):
    """A 1-1-1 network ŷ = tanh(30·x) on y = tanh(30·x) + wobble·sin(x), x at 200 points of
    [−π, π]: every output misses by |wobble·sin(x)|, so with wobble ≥ 0.12 the largest error
    is above the tolerance 0.1 (not solved). tanh′(30·x) < 1 % of tanh′(0) where |30·x| > 2.99,
    i.e. |x| > 0.0998: 194 of the 200 points (only ±0.016, ±0.047, ±0.079 are inside)."""
    X = np.linspace(-np.pi, np.pi, 200)[:, None]
    y = np.tanh(30.0 * X) + wobble * np.sin(X)
    net = Network.from_weights([[[30.0]], [[1.0]]], [[0.0], [0.0]], ["tanh", "linear"])
    r2 = 1.0 - np.mean((np.tanh(30.0 * X) - y) ** 2) / np.var(y)  # the fit's R², by hand
    return net, X, y, r2


def test_a_well_fitted_regression_is_not_called_saturated():
    # wobble 0.12: max error 0.12 > 0.1, yet R² = 1 − mean(0.0144·sin²x) / var(y) ≈ 0.993:
    # the step unit is flat on 194 rows because that is the curve, not a failure.
    net, X, y, r2 = _step_fit(0.12)
    assert np.max(np.abs(net.predict(X) - y)) > 0.1 and r2 >= 0.99
    assert "saturated" not in codes(diagnose(net, X, y))


def test_a_poor_regression_fit_with_a_flat_unit_is_called_saturated():
    # the same unit, the same 194 flat rows; wobble 0.6 leaves R² ≈ 0.9: a poor fit
    net, X, y, r2 = _step_fit(0.6)
    assert r2 < 0.99
    d = only(diagnose(net, X, y), "saturated")
    assert d.evidence["units"][0]["unit"] == "h1"
    assert d.evidence["units"][0]["rows"] == 194


# --- dead-relu ------------------------------------------------------------------------------

def test_dead_relu_hand_built_unit_negative_on_every_row(xor):
    X, y = xor
    d = only(diagnose(dead_relu_net(), X, y), "dead-relu")
    z = X @ np.array([[1.0, -1.0], [-1.0, -1.0]])  # oracle: h2's net input 0, −1, −1, −2
    assert np.all(z[:, 1] <= 0) and np.any(z[:, 0] > 0)
    assert d.evidence["units"] == [{"unit": "h2", "largest_net_input": 0.0}]
    assert "leaky_relu" in d.suggestion


def test_dead_relu_in_a_trained_online_relu_net(xor):
    X, y = xor
    cfg = presets.get("relu-online").with_(hidden=(2,), seed=0)
    net, _, found = run_and_diagnose(cfg, X, y)
    dead = [u["unit"] for u in only(found, "dead-relu").evidence["units"]]
    z = X @ net.weights[0]  # no bias in this preset
    assert dead == [f"h{j + 1}" for j in range(2) if np.all(z[:, j] <= 0)] != []


# --- plateau-3-of-4 -------------------------------------------------------------------------

def test_plateau_hand_built_network_sitting_in_the_minimum(xor):
    X, y = xor
    net = dead_relu_net()
    d = only(diagnose(net, X, y, config=DEFAULT.with_(loss="sse")), "plateau-3-of-4")
    assert d.evidence["rows_right"] == 3
    assert d.evidence["gradient_norm"] == 0.0  # worked out in dead_relu_net's docstring
    assert "another seed" in d.suggestion and "more hidden units" in d.suggestion
    assert d.changes == ({"seed": DEFAULT.seed + 1}, {"hidden": (2 * net.sizes[1],)})


def test_plateau_a_small_sigmoid_net_that_stalls(xor):
    X, y = xor
    stalled = None
    for seed in range(8):  # search a fixed config's seeds for one that does not solve XOR
        net, history = run(SMALL.with_(seed=seed), X, y)
        if not history.solved:
            stalled = (net, history, seed)
            break
    assert stalled is not None
    net, history, seed = stalled
    found = diagnose(net, X, y, history, SMALL.with_(seed=seed))
    d = only(found, "plateau-3-of-4")
    window = round(0.1 * history.epochs)
    before, after = history.loss[-1 - window], history.loss[-1]
    assert d.evidence["drop"] == pytest.approx((before - after) / before, rel=1e-12)
    assert d.evidence["drop"] < 0.01
    rounded_right = int(np.sum(np.round(net.predict(X)) == y))
    at_middle = int(np.sum(np.abs(net.predict(X) - 0.5) < 0.05))
    assert rounded_right + at_middle / 2 == 3  # two right, two tied at 0.5
    assert "still-learning" not in codes(found)


def test_plateau_needs_evidence_of_a_flat_loss(xor):
    X, y = xor
    # a hand-built step OR gate gets 3 of 4 XOR rows right, but has no gradient to be flat
    or_gate = Network.from_weights([[[1.0], [1.0]]], [[-0.5]], ["step"])
    assert "plateau-3-of-4" not in codes(diagnose(or_gate, X, y))


def test_plateau_does_not_fire_while_the_loss_still_falls(xor):
    X, y = xor
    falling = History(loss=[1.0, 0.9, 0.8, 0.7, 0.6, 0.5], epochs=5, stop_reason="max epochs")
    found = codes(diagnose(dead_relu_net(), X, y, falling))
    assert "plateau-3-of-4" not in found and "still-learning" in found


# --- diverged -------------------------------------------------------------------------------

def test_diverged_huge_learning_rate_with_a_linear_output(xor):
    X, y = xor
    cfg = presets.get("classic-linear-out").with_(lr=10.0)
    with pytest.raises(DivergenceError) as info:  # oracle: the training loop's own report
        run(cfg, X, y)
    net, history, found = run_and_diagnose(cfg, X, y)
    assert net is None and history is not None
    d = only(found, "diverged")
    assert d.evidence["epoch"] == info.value.epoch
    assert d.changes == ({"lr": 1.0},)  # a tenth of 10


def test_diverged_a_finite_loss_that_explodes(xor):
    X, y = xor
    history = History(loss=[0.5, 3.0, 80.0, 400.0, 300.0], epochs=4, stop_reason="max epochs")
    d = only(diagnose(None, X, y, history), "diverged")
    assert (d.evidence["epoch"], d.evidence["peak_loss"]) == (3, 400.0)


def test_diverged_a_network_with_non_finite_weights(xor):
    X, y = xor
    net = dead_relu_net()
    net.weights[0][0, 0] = np.nan  # what an interrupted diverging fit leaves behind
    d = only(diagnose(net, X, y), "diverged")
    assert d.evidence["epoch"] is None and "not all finite" in d.sentence


def test_diverged_does_not_fire_on_a_loss_that_grows_a_little(xor):
    X, y = xor
    history = History(loss=[0.5, 0.6, 0.7], epochs=2, stop_reason="max epochs")
    assert "diverged" not in codes(diagnose(dead_relu_net(), X, y, history))


# --- still-learning -------------------------------------------------------------------------

def test_still_learning_a_run_cut_off_after_a_few_epochs(xor):
    X, y = xor
    cfg = presets.get("wide").with_(epochs=8)  # the 2-16-1 run, still falling fast at 8
    _, history, found = run_and_diagnose(cfg, X, y)
    d = only(found, "still-learning")
    before, after = history.loss[-2], history.loss[-1]  # the last 10 % of 8 epochs: 1 epoch
    assert d.evidence["drop"] == pytest.approx((before - after) / before, rel=1e-12)
    assert d.evidence["drop"] > 0.01
    assert d.changes[0] == {"epochs": 80}  # ten times the 8 epochs


def test_still_learning_does_not_fire_when_stopped_on_purpose(xor):
    X, y = xor
    history = History(loss=[1.0, 0.5], epochs=1, stop_reason="target loss")
    assert "still-learning" not in codes(diagnose(dead_relu_net(), X, y, history))


# --- the seed study -------------------------------------------------------------------------

def test_seed_study_matches_an_independent_loop(xor):
    X, y = xor
    cfg = SMALL.with_(epochs=1500, stop_when_solved=True)
    study = seed_study(cfg, X, y, 14)
    solved_epochs, failures = [], Counter()
    for s in range(14):  # oracle: each seed trained by hand through the public API
        net = Network([2, 2, 1], "sigmoid", "sigmoid", bias=True, init="uniform01", seed=s)
        h = net.fit(X, y, epochs=1500, lr=2.0, loss="mse", stop_when_solved=True, seed=s)
        if h.solved:
            solved_epochs.append(h.solved_epoch)
        else:
            failures.update(codes(diagnose(net, X, y, h, cfg.with_(seed=s))))
    assert 0 < len(solved_epochs) < 14  # the check covers both outcomes
    assert study.n_solved == len(solved_epochs)
    assert study.success_rate == len(solved_epochs) / 14
    assert study.epochs_to_solve == solved_epochs
    summary = study.epochs_summary()
    n = len(solved_epochs)
    p90 = min(v for v in solved_epochs if sum(u <= v for u in solved_epochs) >= 0.9 * n)
    assert summary == {"min": min(solved_epochs), "median": statistics.median(solved_epochs),
                       "p90": p90, "max": max(solved_epochs)}
    assert study.diagnosis_counts == dict(failures)


def test_seed_study_rejects_no_seeds(xor):
    from xornet import XornetError

    with pytest.raises(XornetError, match="seeds"):
        seed_study(DEFAULT, *xor, 0)


# --- the command line -----------------------------------------------------------------------

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, ["doctor", *args])


def test_cli_model_mode_names_the_dead_unit(tmp_path):
    path = str(tmp_path / "dead.json")
    dead_relu_net().save(path)
    result = invoke(path, "--dataset", "xor", "--loss", "sse")
    assert result.exit_code == 0, result.output
    assert "dead-relu" in result.stdout and "h2" in result.stdout
    assert "plateau-3-of-4" in result.stdout and "→" in result.stdout


def test_cli_config_mode_healthy_and_failing():
    healthy = invoke()
    assert healthy.exit_code == 0 and "healthy" in healthy.stdout
    zeros = invoke("--init", "zeros", "--epochs", "30")
    assert zeros.exit_code == 0 and "symmetric-units" in zeros.stdout


def test_cli_seeds_counts_match_an_independent_loop():
    result = invoke("--seeds", "20", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # a study trains one attempt per seed (no restart), stopping when solved
    once = DEFAULT.with_(restarts=0, until_crisp=False)
    solved = [run(once.with_(seed=s), *xor_arrays())[1] for s in range(20)]
    assert sum(h.solved for h in solved) < 20  # so the study sees the default's stalls
    assert doc["solved"] == sum(h.solved for h in solved)
    assert doc["epochs_to_solve"]["median"] == statistics.median(
        h.solved_epoch for h in solved if h.solved)
    text = invoke("--seeds", "20")
    assert f"{doc['solved']}/20" in text.stdout and "median" in text.stdout


def test_cli_json_parses_in_every_mode(tmp_path):
    path = str(tmp_path / "dead.json")
    dead_relu_net().save(path)
    model = json.loads(invoke(path, "--json").stdout)
    assert model["mode"] == "model" and "dead-relu" in [d["code"] for d in model["diagnoses"]]
    diverged = json.loads(invoke("--preset", "classic-linear-out", "--lr", "10", "--json").stdout)
    assert diverged["diagnoses"][0]["code"] == "diverged" and diverged["network"] is None
    assert diverged["diverged_at"] == diverged["diagnoses"][0]["evidence"]["epoch"]
    healthy = json.loads(invoke("--json").stdout)
    assert healthy["healthy"] is True and healthy["diagnoses"] == []


@pytest.mark.parametrize("args", [
    ["--lr", "-1"], ["missing.json"], ["--seeds", "0"], ["--dataset", "nope"],
    ["--activation", "bogus"], ["MODEL", "--hidden", "3"], ["MODEL", "--seeds", "5"],
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, args):
    path = str(tmp_path / "m.json")
    dead_relu_net().save(path)
    result = invoke(*[path if a == "MODEL" else a for a in args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xornet: error:"), result.stderr



def test_linear_hidden_layers_are_named_as_the_cause(xor):
    # 2-2-1 with linear hidden units: one layer in disguise, so XOR cannot be learned
    cfg = DEFAULT.with_(hidden=(2,), activation="linear", epochs=300)
    _, history, found = run_and_diagnose(cfg, *xor)
    codes = [d.code for d in found]
    assert not history.solved and "linear-hidden" in codes
    assert "non-linear" in found[codes.index("linear-hidden")].suggestion


def test_linear_hidden_does_not_fire_with_a_nonlinear_hidden_layer(xor):
    cfg = DEFAULT.with_(hidden=(2,), activation="tanh", epochs=3)  # unsolved, but non-linear
    _, history, found = run_and_diagnose(cfg, *xor)
    assert not history.solved and "linear-hidden" not in [d.code for d in found]
