"""`--lr 0.5,2`, `--l2`, `--l1`, `--lr-schedule` and what the command line reports with them:
growing step schedules refused, a cosine model's horizon in `xornet explain`, the numbers
after early stopping, penalties beside test losses, the --test-split messages, `-q` with a
test set, explain's digits.

Oracles: the library run of the RunConfig the flags describe (its own numbers are checked
against a plain-NumPy trainer in tests/train/test_regularise.py), the penalty of the printed
weights computed here, the saved model file read back and its losses recomputed (bce
written here) on the rows split again by the library, the cosine factor written out here,
the JSON's own curves; every mistake one error line and exit code 2.
"""

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
from xornet.cli import app, plot
from xornet.io import datasets
from xornet.train.config import RunConfig, run
from xornet.train.history import History

runner = CliRunner()

X, Y = datasets.load("xor")
FLAGS = ["--lr", "0.5,4", "--l2", "0.001", "--l1", "0.0002", "--lr-schedule", "step:40:0.5",
         "--epochs", "300"]

MOONS = ["--dataset", "moons", "--noise", "0.2", "--hidden", "8", "--activation", "tanh",
         "--no-early-stop", "--lr", "0.5", "--test-split", "0.3"]


def _ok(*args, env=None):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _user_error(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and result.stdout == ""
    return lines[0]


def test_train_flags_make_the_run_the_library_makes(tmp_path):
    path = tmp_path / "m.json"
    doc = json.loads(_ok("train", *FLAGS, "--json", "--save", path).stdout)
    cfg = doc["config"]
    assert (cfg["lr"], cfg["l2"], cfg["l1"], cfg["lr_schedule"]) == \
        ([0.5, 4.0], 0.001, 0.0002, "step:40:0.5")
    net, history = run(RunConfig(lr=(0.5, 4.0), l2=0.001, l1=0.0002,
                                 lr_schedule="step:40:0.5", epochs=300), X, Y)
    assert doc["final_loss"] == history.final_loss
    np.testing.assert_array_equal(np.array(doc["weights"][1]), net.weights[1])
    saved = xornet.load(path)
    assert saved.training["lr"] == [0.5, 4.0]
    assert (saved.training["l2"], saved.training["l1"], saved.training["lr_schedule"]) == \
        (0.001, 0.0002, "step:40:0.5")
    # the final loss includes the penalty of the final weights
    w = np.concatenate([W.ravel() for W in saved.weights])
    penalty = 0.0005 * w @ w + 0.0002 * np.abs(w).sum()
    assert doc["final_loss"] == pytest.approx(saved.loss(X, Y, "bce") + penalty, rel=1e-12)


def test_train_says_which_schedule_and_penalty_it_used():
    out = _ok("train", *FLAGS).stdout
    assert "lr=0.5,4" in out
    assert "lr schedule step:40:0.5; penalty l2=0.001 l1=0.0002 on the weights (in the loss)" \
        in out
    plain = _ok("train").stdout
    assert "penalty" not in plain and "schedule" not in plain


def test_explain_of_a_saved_model_uses_its_rates_and_penalty(tmp_path):
    path = tmp_path / "m.json"
    _ok("train", *FLAGS, "--quiet", "--save", path)
    step = json.loads(_ok("explain", path, "--input", "1,1", "--target", "0",
                          "--json").stdout)
    assert step["layer_lrs"] == [0.5, 4.0] and (step["l2"], step["l1"]) == (0.001, 0.0002)
    net = xornet.load(path)
    w = np.concatenate([W.ravel() for W in net.weights])
    assert step["loss"]["penalty"] == pytest.approx(0.0005 * w @ w + 0.0002 * np.abs(w).sum(),
                                                    rel=1e-12)
    text = _ok("explain", path, "--input", "1,1", "--target", "0").stdout
    assert "α1 = 0.5, α2 = 4" in text
    assert "∂E_total/∂w2 = ∂E/∂w2 + λ2·w + λ1·sign(w)" in text
    assert "E_total = E + penalty" in text
    # a flag wins over the file
    again = json.loads(_ok("explain", path, "--input", "1,1", "--target", "0", "--lr", "2",
                           "--l2", "0", "--json").stdout)
    assert again["layer_lrs"] == [2.0, 2.0] and again["l2"] == 0.0 and again["l1"] == 0.0002


def test_explain_states_the_scheduled_lr():
    step = json.loads(_ok("explain", "--lr", "2", "--lr-schedule", "exp:0.5", "--at-epoch",
                          "3", "--json").stdout)
    assert step["lr_factor"] == 0.125 and step["layer_lrs"] == [0.25, 0.25]
    text = _ok("explain", "--lr", "2", "--lr-schedule", "exp:0.5", "--at-epoch", "3").stdout
    assert "the lr schedule exp:0.5 at epoch 3: lr × 0.125" in text  # one lr, not per layer
    assert "each layer" not in text
    assert "with α = 0.25" in text
    text = _ok("explain", "--lr", "2,4", "--lr-schedule", "exp:0.5", "--at-epoch", "3").stdout
    assert "the lr schedule exp:0.5 at epoch 3: each layer's lr × 0.125" in text
    assert "α1 = 0.25, α2 = 0.5" in text


@pytest.mark.parametrize("args, fragment", [
    (["train", "--lr", "0.5,2,3"], "--lr: 3 learning rates given for a network of 2 weight"),
    (["train", "--lr", "0.5,"], "--lr: '' is not a learning rate"),
    (["train", "--lr", "0,2"], "--lr: '0' is not a learning rate"),
    (["train", "--l2", "-1"], "--l2: expected a finite number ≥ 0"),
    (["train", "--l1", "nan"], "--l1: expected a finite number ≥ 0"),
    (["train", "--lr-schedule", "weekly"], "--lr-schedule: 'weekly' is not a schedule"),
    (["train", "--lr-schedule", "exp:2"], "--lr-schedule: in 'exp:2' G = '2' must be"),
    (["train", "--optimizer", "perceptron", "--l2", "0.1"], "--l2: the perceptron rule"),
    (["explain", "--lr", "1,2,3"], "--lr: 3 learning rates"),
    (["explain", "--at-epoch", "-1"], "--at-epoch"),
    (["doctor", "--seeds", "3", "--lr-schedule", "nope"], "--lr-schedule: 'nope'"),
])
def test_bad_values_are_one_line(args, fragment):
    assert fragment in _user_error(*args)


def test_help_says_what_the_comma_list_means():
    out = " ".join(_ok("train", "--help").stdout.replace("│", " ").split())  # unwrap the box
    assert "gives each weight layer its own" in out
    for flag in ("--l2", "--l1", "--lr-schedule"):
        assert flag in out


def test_the_doctor_advises_a_tenth_of_each_layers_rate():
    doc = json.loads(_ok("doctor", "--lr", "500,800", "--momentum", "0.99", "--loss", "mse",
                         "--output-activation", "linear", "--json").stdout)
    diverged = next(d for d in doc["diagnoses"] if d["code"] == "diverged")
    assert diverged["changes"] == [{"lr": [50.0, 80.0]}]
    assert "--lr 50,80, a tenth of 500,800" in diverged["suggestion"]


def _bce(p, y):
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))


# --- 1. a growing step schedule: one line, not an OverflowError ---------------------------

@pytest.mark.parametrize("args", [
    ["explain", "--lr-schedule", "step:10:2", "--at-epoch", "20000"],
    ["train", "--lr", "1e-300", "--lr-schedule", "step:1:1e308", "--epochs", "5",
     "--no-early-stop"],
])
def test_a_growing_step_schedule_is_one_line(args):
    line = _user_error(*args)
    assert "--lr-schedule" in line and "≤ 1" in line


def test_a_model_file_with_a_growing_step_is_one_line_naming_the_file(tmp_path):
    path = tmp_path / "m.json"
    _ok("train", "--lr-schedule", "step:10:0.5", "--save", path, "-q")
    doc = json.loads(path.read_text())
    doc["training"]["lr_schedule"] = "step:10:2"  # edited by hand
    path.write_text(json.dumps(doc))
    line = _user_error("explain", path, "--at-epoch", "20000")
    assert str(path) in line and "lr_schedule" in line


# --- 2. a cosine model: explain spreads it over the recorded horizon ----------------------

@pytest.fixture(scope="module")
def cosine_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("cos") / "cos.json"
    _ok("train", "--lr", "2", "--lr-schedule", "cosine", "--epochs", "300", "--save", path,
        "-q")
    return path


def _factor(path, *args):
    step = json.loads(_ok("explain", path, "--json", *args).stdout)
    return step["lr_factor"], step["layer_lrs"]


def test_explain_uses_the_cosine_horizon_the_model_was_trained_for(cosine_model):
    record = xornet.load(cosine_model).training
    assert record["epochs"] < 150 and record["schedule_epochs"] == 300
    factor, lrs = _factor(cosine_model, "--at-epoch", "150")
    assert factor == pytest.approx(0.5 * (1 + math.cos(math.pi * 150 / 300)))  # 0.5, not ~1
    assert lrs == pytest.approx([2 * factor] * 2)
    for beyond in (300, 450, 600):  # at 600 an unclamped cosine would be back at 1
        assert _factor(cosine_model, "--at-epoch", beyond)[0] == pytest.approx(0.0, abs=1e-15)
    # --epochs still wins over the record
    assert _factor(cosine_model, "--at-epoch", "150", "--epochs", "600")[0] == \
        pytest.approx(0.5 * (1 + math.cos(math.pi * 150 / 600)))


def test_an_older_cosine_file_falls_back_to_the_epochs_it_ran(cosine_model, tmp_path):
    doc = json.loads(cosine_model.read_text())
    del doc["training"]["schedule_epochs"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    ran = doc["training"]["epochs"]
    factor, _ = _factor(old, "--at-epoch", ran // 2)
    assert factor == pytest.approx(0.5 * (1 + math.cos(math.pi * (ran // 2) / ran)))


def test_explains_help_says_the_weights_are_the_current_ones():
    text = " ".join(_ok("explain", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "weights as they are now" in text


# --- 3. after early stopping: the restored model's numbers --------------------------------

@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    path = tmp_path_factory.mktemp("es") / "es.json"
    doc = json.loads(_ok("train", *MOONS, "--epochs", "3000", "--patience", "100", "--save",
                         path, "--json").stdout)
    assert doc["restored"]
    return doc, xornet.load(path)


def test_the_json_final_loss_is_the_restored_models(stopped):
    doc, net = stopped
    X, y = datasets.load("moons", noise=0.2, seed=0)
    X_train, y_train, X_test, y_test = datasets.train_test_split(X, y, 0.3, seed=0)
    restored = _bce(net.predict(X_train), y_train)
    assert doc["final_loss"] == pytest.approx(restored, rel=1e-9)
    assert net.training["final_loss"] == pytest.approx(restored, rel=1e-9)
    curve = dict(map(tuple, doc["loss_curve"]))
    assert doc["final_loss"] == curve[doc["best_epoch"]]
    # the last epoch's, labelled as such, differ
    assert doc["last_epoch_loss"] == doc["loss_curve"][-1][1] != doc["final_loss"]
    assert doc["last_epoch_test_loss"] == doc["test_loss_curve"][-1][1]
    assert dict(map(tuple, doc["test_loss_curve"]))[doc["best_epoch"]] == pytest.approx(
        _bce(net.predict(X_test), y_test), rel=1e-9)


def _restored_history():
    return History(loss=[0.7, 0.3, 0.1405, 0.12, 0.0953], test_loss=[0.7, 0.4, 0.1983, 0.21,
                   0.2419], epochs=4, best_epoch=2, restored=True, solved=False)


def test_animates_report_gives_the_restored_loss_and_labels_the_last(capsys):
    recording = SimpleNamespace(history=_restored_history(), epochs=[0, 1, 2, 3, 4])
    plot._report_animation("run.gif", recording, 5, 1.0, json_out=False)
    out = capsys.readouterr().out
    assert "epoch 2 restored, loss 0.1405, test loss 0.1983" in out
    assert "last epoch 4: loss 0.0953, test loss 0.2419" in out
    assert "final loss 0.0953" not in out
    plot._report_animation("run.gif", recording, 5, 1.0, json_out=True)
    doc = json.loads(capsys.readouterr().out)
    assert (doc["final_loss"], doc["final_test_loss"]) == (0.1405, 0.1983)
    assert (doc["last_epoch_loss"], doc["last_epoch_test_loss"]) == (0.0953, 0.2419)


def test_the_loss_figures_title_gives_the_restored_loss():
    from xornet import viz

    fig = viz.plot_loss(_restored_history(), dpi=50)
    title = fig.axes[0].get_title()
    assert "epoch 2 restored: loss 0.141, test 0.198" in title and "0.0953" not in title


# --- 4. a penalty: the test loss and the training loss on one footing ---------------------

def test_with_a_penalty_the_split_lines_give_both_losses_plus_it():
    args = [*MOONS, "--epochs", "300", "--patience", "50", "--l2", "0.01"]
    doc = json.loads(_ok("train", *args, "--json").stdout)
    penalty = doc["train"]["penalty"]
    assert penalty > 0.01 and doc["test"]["penalty"] == penalty
    best = doc["best_epoch"]
    # the curves (and the summary) add the penalty to both the training and the test loss
    assert dict(map(tuple, doc["loss_curve"]))[best] == pytest.approx(
        doc["train"]["loss"] + penalty, rel=1e-9)
    assert dict(map(tuple, doc["test_loss_curve"]))[best] == pytest.approx(
        doc["test"]["loss"] + penalty, rel=1e-9)
    text = _ok("train", *args, env={"COLUMNS": "80"}).stdout
    from xornet.cli import render

    line = (f"+ penalty {render.num(penalty)}, as the curves and summary: train "
            f"{render.num(doc['train']['loss'] + penalty)}, test "
            f"{render.num(doc['test']['loss'] + penalty)}")
    assert line in text.splitlines()


# --- 5. --test-split messages, -q ---------------------------------------------------------

def test_the_perceptron_with_a_test_split_names_the_flag():
    line = _user_error("train", "--dataset", "xor-cloud", "--test-split", "0.3", "--optimizer",
                       "perceptron", "--hidden", "none", "--activation", "step")
    assert line.startswith("xornet: error: --test-split: the perceptron rule")
    assert "test_data" not in line


def test_bce_on_regression_csv_with_a_split_checks_the_whole_data(tmp_path):
    path = tmp_path / "reg.csv"
    rows = [f"{i},{i % 3},{2 + i % 6}" for i in range(1, 21)]  # targets 2 … 7
    path.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    whole = _user_error("train", "--csv", path)
    split = _user_error("train", "--csv", path, "--test-split", "0.5")
    assert split == whole and "from 2 to 7" in split and "test_data" not in split


def test_quiet_with_a_test_split_keeps_one_test_line():
    doc = json.loads(_ok("train", *MOONS, "--epochs", "200", "--json").stdout)
    lines = _ok("train", *MOONS, "--epochs", "200", "-q").stdout.strip().splitlines()
    from xornet.cli import render

    test = doc["test"]
    assert len(lines) == 2
    assert lines[1] == (f"test {test['rows']} rows: loss {render.num(test['loss'])}, "
                        f"accuracy {test['accuracy']:.1%}")


def test_a_single_test_row_has_no_stray_space():
    text = _ok("train", "--dataset", "xor-cloud", "--samples", "4", "--test-split", "0.25",
               "--hidden", "2").stdout
    assert any(line.startswith("test  1 row, loss ") for line in text.splitlines())
    assert "row ," not in text


# --- 6. explain's digits ------------------------------------------------------------------

def test_explain_prints_alpha_with_the_digits_asked_and_no_negative_zero():
    text = _ok("explain", "--lr", "0.123456789", "--digits", "4").stdout
    assert "with α = 0.1235" in text and "0.123457" not in text
    tokens = text.replace("(", " ").replace(")", " ").replace(",", " ").split()
    assert "-0" not in tokens
    per_layer = _ok("explain", "--lr", "0.123456789,2", "--digits", "3").stdout
    assert "α1 = 0.123, α2 = 2" in per_layer


@pytest.mark.parametrize("command", ["train", "animate"])
def test_both_training_commands_say_test_split_not_test_data(command, tmp_path):
    out = ["--out", tmp_path / "a.gif"] if command == "animate" else []
    line = _user_error(command, "--dataset", "xor-cloud", "--test-split", "0.3", "--optimizer",
                       "perceptron", "--hidden", "none", "--activation", "step", *out)
    assert "--test-split: the perceptron rule" in line
    path = tmp_path / "reg.csv"
    path.write_text("a,y\n" + "\n".join(f"{i},{2 + i % 6}" for i in range(12)) + "\n")
    line = _user_error(command, "--csv", path, "--test-split", "0.5", *out)
    assert "from 2 to 7" in line and "test_data" not in line
    assert not (tmp_path / "a.gif").exists()
