"""`explain_step` against a step worked by hand, against Network.gradients and against
finite differences; and `xornet explain` on the command line."""

import itertools
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app
from xornet.explain.trace import explain_step
from xornet.train import presets
from xornet.train.config import RunConfig

# A 2-2-1 sigmoid network with bias, written with the flat numbering of naming.py:
# net_h1 = 1·w1 + x1·w2 + x2·w3, net_h2 = 1·w4 + x1·w5 + x2·w6, net_ŷ = 1·w7 + h1·w8 + h2·w9
W1 = [[0.15, 0.25], [0.20, 0.30]]  # rows: x1, x2; columns: h1, h2 → w2, w5 / w3, w6
B1 = [0.35, 0.35]  # w1, w4
W2 = [[0.40], [0.45]]  # w8, w9
B2 = [0.60]  # w7


def hand_net():
    return xornet.Network.from_weights([W1, W2], biases=[B1, B2],
                                       activations=["sigmoid", "sigmoid"])


def test_one_sample_matches_the_hand_worked_step():
    step = explain_step(hand_net(), [[1.0, 0.0]], [[1.0]], loss="mse", lr=0.5)
    h1_unit, h2_unit = step["forward"][0][0]["units"]
    out_unit = step["forward"][0][1]["units"][0]
    # forward, worked with a pocket calculator (σ(z) = 1 / (1 + e^-z)):
    assert h1_unit["net"] == pytest.approx(0.5)  # 0.35 + 1·0.15 + 0·0.20
    assert h1_unit["out"] == pytest.approx(0.6224593312018546)  # σ(0.5)
    assert h2_unit["net"] == pytest.approx(0.6)  # 0.35 + 1·0.25 + 0·0.30
    assert h2_unit["out"] == pytest.approx(0.6456563062257954)  # σ(0.6)
    assert out_unit["net"] == pytest.approx(1.1395290702823497)  # 0.6 + 0.40·h1 + 0.45·h2
    assert out_unit["out"] == pytest.approx(0.7575931652488075)  # σ(1.13953)
    assert [t["weight"] for t in h1_unit["terms"]] == ["w1", "w2", "w3"]
    assert [t["matrix"] for t in out_unit["terms"]] == ["b2[0]", "W2[0,0]", "W2[1,0]"]
    # the error: mse on one sample is (ŷ − y)², no ½
    assert step["loss"]["value"] == pytest.approx(0.058761073534091955)  # (0.75759 − 1)²
    # the chain rule: ∂E/∂ŷ = 2(ŷ − y) = −0.48481, ∂ŷ/∂net = ŷ(1 − ŷ) = 0.18365
    by_name = {p["name"]: p for p in step["parameters"]}
    w8 = by_name["w8"]["samples"][0]["factors"]
    assert [f["symbol"] for f in w8] == ["∂E/∂ŷ", "∂ŷ/∂net_ŷ", "∂net_ŷ/∂w8"]
    assert [f["value"] for f in w8] == pytest.approx(
        [-0.484813669502385, 0.18364576121710055, 0.6224593312018546])
    w2 = by_name["w2"]["samples"][0]["factors"]
    # ∂E/∂ŷ · ∂ŷ/∂net_ŷ · ∂net_ŷ/∂h1 (= w8) · ∂h1/∂net_h1 (= h1(1 − h1)) · ∂net_h1/∂w2 (= x1)
    assert [f["value"] for f in w2] == pytest.approx(
        [-0.484813669502385, 0.18364576121710055, 0.40, 0.2350037122015945, 1.0])
    expected = {  # every gradient, worked by hand from the factors above
        "w1": -0.008369325890942959, "w2": -0.008369325890942959, "w3": 0.0,
        "w4": -0.009166306694902109, "w5": -0.009166306694902109, "w6": 0.0,
        "w7": -0.08903397538422131, "w8": -0.05542002877190478, "w9": -0.05748534767517472,
    }
    for name, grad in expected.items():
        assert by_name[name]["gradient"] == pytest.approx(grad, abs=1e-15)
        assert by_name[name]["samples"][0]["product"] == pytest.approx(grad, abs=1e-15)
        # the update w ← w − α·∂E/∂w with α = 0.5
        assert by_name[name]["new"] == pytest.approx(by_name[name]["old"] - 0.5 * grad)
    assert by_name["w8"]["old"] == 0.40 and by_name["w1"]["old"] == 0.35


@pytest.mark.parametrize("loss", ["mse", "sse", "bce"])
@pytest.mark.parametrize("sizes", [[2, 3, 1], [2, 4, 3, 1], [3, 2, 2]])
def test_batch_gradients_agree_with_network_and_finite_differences(loss, sizes):
    rng = np.random.default_rng(7)
    net = xornet.Network(sizes, activation="tanh", output_activation="sigmoid", seed=3)
    X = rng.random((5, sizes[0]))
    y = (rng.random((5, sizes[-1])) > 0.5).astype(float)
    step = explain_step(net, X, y, loss=loss, lr=0.1)
    dW, db = net.gradients(X, y, loss=loss)
    # one entry per weight and bias: Σ n_in·n_out + n_out over the layers
    assert len(step["parameters"]) == sum(a * b + b for a, b in itertools.pairwise(sizes)) > 0
    for p in step["parameters"]:
        k = p["layer"] - 1
        idx = [int(v) for v in p["matrix"].split("[")[1].rstrip("]").split(",")]
        expected = dW[k][idx[0], idx[1]] if p["matrix"][0] == "W" else db[k][idx[0]]
        assert p["gradient"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        # each sample's chain-rule product, combined as the loss combines samples
        products = [s["product"] for s in p["samples"]]
        combined = np.sum(products) if loss == "sse" else np.mean(products)
        assert combined == pytest.approx(expected, rel=1e-9, abs=1e-13)
        # and a central finite difference of the loss itself
        flat = int(p["name"][1:])
        assert _numeric_gradient(net, X, y, loss, k, p["matrix"]) == pytest.approx(
            expected, rel=1e-6, abs=1e-9), flat


def _numeric_gradient(net, X, y, loss, k, matrix, h=1e-6):
    idx = tuple(int(v) for v in matrix.split("[")[1].rstrip("]").split(","))
    array = net.weights[k] if matrix[0] == "W" else net.biases[k]
    old = array[idx]
    array[idx] = old + h
    up = net.loss(X, y, loss)
    array[idx] = old - h
    down = net.loss(X, y, loss)
    array[idx] = old
    return (up - down) / (2 * h)


def test_flat_numbering_without_bias_and_new_weights():
    net = xornet.Network([2, 2, 1], bias=False, seed=0)
    X, y = xornet.datasets.load("xor")
    step = explain_step(net, X, y, loss="sse", lr=1.0)
    assert [p["name"] for p in step["parameters"]] == [f"w{i}" for i in range(1, 7)]
    assert [p["matrix"] for p in step["parameters"]][:2] == ["W1[0,0]", "W1[1,0]"]
    dW, _ = net.gradients(X, y, loss="sse")
    for k in range(2):
        np.testing.assert_allclose(step["new_weights"][k], net.weights[k] - 1.0 * dW[k])
    assert step["new_biases"] is None


def test_explain_does_not_change_the_network():
    net = hand_net()
    before = net.params.copy()
    explain_step(net, [[0.0, 1.0]], [[1.0]], loss="bce", lr=2.0)
    assert np.array_equal(net.params, before)


def test_cli_explain_json_and_text(tmp_path):
    path = tmp_path / "hand.json"
    hand_net().save(str(path))
    runner = CliRunner()
    result = runner.invoke(app, ["explain", str(path), "--input", "1,0", "--target", "1",
                                 "--loss", "mse", "--lr", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    grads = {p["name"]: p["gradient"] for p in doc["parameters"]}
    assert grads["w8"] == pytest.approx(-0.05542002877190478)
    text = runner.invoke(app, ["explain", str(path), "--input", "1,0", "--target", "1",
                               "--loss", "mse", "--digits", "5"])
    assert text.exit_code == 0
    assert "net_h1 = 1·w1 + x1·w2 + x2·w3" in text.stdout
    assert "-0.05542" in text.stdout  # ∂E/∂w8 = −0.055420029 to 5 significant digits
    assert "δ1 = (δ2·W2ᵀ) ⊙ f′(net1)" in text.stdout


def _explain_json(*args):
    result = CliRunner().invoke(app, ["explain", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _check_step_against_network(doc, net, X, y, loss, lr):
    """Every ∂E/∂w explain printed is Network.gradients' entry, and every new weight is
    old − lr·gradient, for the network, loss and lr explain should have used."""
    assert doc["loss"]["name"] == loss and doc["lr"] == lr
    assert doc["sizes"] == net.sizes and doc["activations"] == net.activations
    dW, db = net.gradients(X, y, loss=loss)
    for p in doc["parameters"]:
        kind, layer, index = re.fullmatch(r"([Wb])(\d+)\[([\d,]+)\]", p["matrix"]).groups()
        k = int(layer) - 1  # "W2[0,1]": layer 2's weight from unit 0 to unit 1
        want_old, want_grad = ((net.weights[k], dW[k]) if kind == "W" else (net.biases[k], db[k]))
        at = tuple(int(i) for i in index.split(","))
        assert p["old"] == want_old[at]
        assert p["gradient"] == pytest.approx(want_grad[at], rel=1e-12, abs=1e-15)
    for k in range(len(net.weights)):
        np.testing.assert_allclose(doc["new_weights"][k], net.weights[k] - lr * dW[k],
                                   rtol=1e-12, atol=1e-15)


def test_cli_explain_defaults_to_the_default_run():
    # no model, preset or flags: the default run's untrained network, loss and learning rate
    default = RunConfig()
    doc = _explain_json("--input", "1,0", "--target", "1")
    net = default.build(2, 1)
    _check_step_against_network(doc, net, np.array([[1.0, 0.0]]), np.array([[1.0]]),
                                default.loss, default.lr)
    assert (default.loss, default.lr) == ("bce", 3.0)  # not explain's old mse and 0.5


def test_cli_explain_flags_and_presets_build_the_network_as_train_does():
    X, y = xornet.datasets.load("xor")
    doc = _explain_json("--hidden", "3", "--activation", "sigmoid", "--seed", "4")
    cfg = RunConfig(hidden=(3,), activation="sigmoid", seed=4)
    _check_step_against_network(doc, cfg.build(2, 1), X, y, cfg.loss, cfg.lr)
    classic = presets.get("classic")
    doc = _explain_json("--preset", "classic")
    _check_step_against_network(doc, classic.build(2, 1), X, y, classic.loss, classic.lr)
    doc = _explain_json("--preset", "classic", "--loss", "bce", "--lr", "0.25")
    _check_step_against_network(doc, classic.build(2, 1), X, y, "bce", 0.25)


def test_cli_explain_a_model_uses_its_training_record_else_the_default_run(tmp_path):
    X, y = xornet.datasets.load("xor")
    trained = tmp_path / "trained.json"
    result = CliRunner().invoke(app, ["train", "--hidden", "2", "--loss", "mse", "--lr", "0.3",
                                      "--epochs", "3", "--no-early-stop", "--save", str(trained)])
    assert result.exit_code == 0, result.output
    net = xornet.load(str(trained))
    assert (net.training["loss"], net.training["lr"]) == ("mse", 0.3)
    _check_step_against_network(_explain_json(str(trained)), net, X, y, "mse", 0.3)
    _check_step_against_network(_explain_json(str(trained), "--loss", "sse", "--lr", "2"),
                                net, X, y, "sse", 2.0)
    bare = tmp_path / "hand.json"  # a model file without a training record
    hand_net().save(str(bare))
    _check_step_against_network(_explain_json(str(bare)), hand_net(), X, y,
                                RunConfig().loss, RunConfig().lr)


@pytest.mark.parametrize("args", [
    ["--preset", "classic", "--input", "1,x", "--target", "1"],
    ["--preset", "classic", "--input", "1,0,1", "--target", "1"],
    ["--preset", "classic", "--input", "1,0"],
    ["--preset", "nope"],
    ["--preset", "classic", "--lr", "-1"],
    ["--loss", "nope"],
    ["builtin:xor-or-nand", "--preset", "classic"],
])
def test_cli_explain_bad_input_is_one_line(args):
    result = CliRunner().invoke(app, ["explain", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["builtin:xor-step", "builtin:xor-or-nand", "builtin:and-step"])
def test_a_step_network_is_refused_with_one_sentence(name):
    # a step has no derivative: there is no chain rule to write out (it used to crash)
    result = CliRunner().invoke(app, ["explain", name])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "step activation has no derivative" in lines[0]
    assert "Traceback" not in result.output


# --- the well-known 2-2-2 worked example (Mazur, "A Step by Step Backpropagation Example") ---
# Its published numbers, to the digits it prints. Its w1..w8 are xornet's W1[0,0], W1[1,0],
# W1[0,1], W1[1,1], W2[0,0], W2[1,0], W2[0,1], W2[1,1]; its one bias per layer is every unit's.
WORKED = {"E_total": 0.298371109, "delta_o1_w5": 0.055399425, "delta_o2_w7": -0.019049119,
          "dE_dh1": 0.036350306, "new_w5": 0.35891648, "new_w1": 0.149780716}


def worked_step(**kw):
    return explain_step(xornet.load("builtin:worked-2-2-2"), [[0.05, 0.10]], [[0.01, 0.99]],
                        loss="sse", lr=0.5, **kw)


def test_the_worked_2_2_2_example_gives_its_published_numbers():
    step = worked_step()
    assert step["loss"]["value"] == pytest.approx(WORKED["E_total"], abs=1e-9)
    h1 = step["sums"][0][0]["units"][0]  # sample 1, the layer h feeds, unit h1
    assert h1["unit"] == "h1"
    # ∂E/∂h1 = δ_o1·w5 + δ_o2·w7, term by term
    assert [(t["delta"], t["matrix"]) for t in h1["terms"]] == [("δ_ŷ1", "W2[0,0]"),
                                                                ("δ_ŷ2", "W2[0,1]")]
    assert [t["w"] for t in h1["terms"]] == [0.40, 0.50]
    assert h1["terms"][0]["product"] == pytest.approx(WORKED["delta_o1_w5"], abs=1e-9)
    assert h1["terms"][1]["product"] == pytest.approx(WORKED["delta_o2_w7"], abs=1e-9)
    assert h1["value"] == pytest.approx(WORKED["dE_dh1"], abs=1e-9)
    assert step["new_weights"][1][0][0] == pytest.approx(WORKED["new_w5"], abs=1e-8)
    assert step["new_weights"][0][0][0] == pytest.approx(WORKED["new_w1"], abs=1e-9)


def test_each_sum_is_the_upstream_factor_of_its_units_weights():
    # a second formula: the sum's value is the ∂E/∂h factor of every weight into h
    step = worked_step()
    for layer in step["sums"][0]:
        for u in layer["units"]:
            assert u["value"] == pytest.approx(sum(t["product"] for t in u["terms"]), rel=1e-12)
            into = [p for p in step["parameters"] if p["to"] == u["unit"]]
            assert len(into) == 3  # bias, x1, x2
            for p in into:
                factor = p["samples"][0]["factors"][0]
                assert factor["symbol"] == f"∂E/∂{u['unit']}"
                assert factor["value"] == pytest.approx(u["value"], rel=1e-12)


def test_cli_explain_prints_the_worked_example_term_by_term():
    result = CliRunner().invoke(app, ["explain", "builtin:worked-2-2-2", "--input", "0.05,0.1",
                                      "--target", "0.01,0.99", "--loss", "sse", "--lr", "0.5",
                                      "--digits", "7"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "∂E/∂h1 = δ_ŷ1·w8 + δ_ŷ2·w11" in out
    assert "= (0.05539942) + (-0.01904912) = 0.03635031" in out
    assert "0.2983711" in out and "0.3589165" in out and "0.1497807" in out
    # the file's record gives sse and lr 0.5, so the flags may be left out
    plain = CliRunner().invoke(app, ["explain", "builtin:worked-2-2-2", "--input", "0.05,0.1",
                                     "--target", "0.01,0.99", "--digits", "7"])
    assert plain.stdout == out


# --- the script order: the output weights move before the hidden deltas are computed ----------

def test_explain_in_the_script_order_is_one_step_of_the_trainer_in_that_order():
    from xornet.train.trainer import NetworkLearner

    X, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0], [1.0]])
    net = presets.get("classic-linear-out").with_(seed=2).build(2, 1)
    step = explain_step(net, X, y, loss="sse", lr=0.1, update_order="script")
    textbook = explain_step(net, X, y, loss="sse", lr=0.1)
    # the oracle: one update of the trainer, in the script order, on a copy
    copy = xornet.Network.from_weights(net.weights, None, net.activations)
    learner = NetworkLearner(copy, X, y, presets.get("classic-linear-out"))
    learner.evaluate(X, y)
    learner.learn()
    for k in range(2):
        np.testing.assert_allclose(step["new_weights"][k], copy.weights[k], rtol=0, atol=1e-15)
    # the output layer moves as in the textbook; the hidden one does not
    assert step["new_weights"][1] == textbook["new_weights"][1]
    assert not np.allclose(step["new_weights"][0], textbook["new_weights"][0], atol=1e-6)
    hidden, out = step["script"]
    W2_new = np.array(out["new_W"])
    delta2 = np.array(out["delta"])
    net.forward(X)  # the hidden activations, cached in the layer
    fprime = net.layers[0].a * (1 - net.layers[0].a)
    np.testing.assert_allclose(hidden["delta"], (delta2 @ W2_new.T) * fprime, atol=1e-15)
    np.testing.assert_allclose(np.array(hidden["delta"]) - textbook["matrix"][0]["delta"],
                               hidden["delta_change"], atol=1e-15)
    assert [p["script_new"] for p in step["parameters"]] == pytest.approx(
        np.concatenate([np.ravel(w, order="F") for w in step["new_weights"]]).tolist())
    assert "classic bug of teaching code" in step["script_note"]
    assert textbook["script"] is None and textbook["script_note"] is None


def test_cli_explain_update_order_script_shows_what_the_order_changes():
    args = ["explain", "--preset", "classic-linear-out", "--input", "1,0", "--target", "1"]
    result = CliRunner().invoke(app, args)  # the preset's own order is the script's
    assert result.exit_code == 0, result.output
    assert "6. The script order" in result.stdout
    assert "δ1 − the textbook δ1" in result.stdout and "classic bug" in result.stdout
    textbook = CliRunner().invoke(app, [*args, "--update-order", "textbook"])
    assert "script order" not in textbook.stdout
    wrong = CliRunner().invoke(app, [*args, "--update-order", "sideways"])
    assert wrong.exit_code == 2 and "choose one of textbook, script" in wrong.stderr
