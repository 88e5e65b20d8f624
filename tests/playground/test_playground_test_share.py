"""The playground's test share: held-out points the page measures and never trains on.

Oracles: the page's test loss and accuracies, each epoch, recomputed here with plain NumPy
from the weights the page sends and the rows ``datasets.train_test_split`` holds out; the
weights against ``Network.fit`` on the training rows alone (so no held-out row was learned
from); the split against the command line's own ``split_data`` and, end to end, the test loss
curve of ``xornet train --test-split S --data-seed D --json``; hostile values against the
field's name and one sentence.
"""

import json

import numpy as np
import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

import xornet
from xornet.cli import app as cli_app
from xornet.cli import options as cli_options
from xornet.core import losses
from xornet.io import datasets
from xornet.playground import spec, success
from xornet.playground.server import create_app
from xornet.playground.session import Session

HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
WS = f"ws://{HOST}:{PORT}/ws"
ORIGIN = {"origin": BASE}
HUGE = 10**400  # a valid JSON number that fits no float
MOONS = {"dataset": "moons", "samples": 60, "data_seed": 4, "test_split": 0.3}


@pytest.fixture
def client():
    with TestClient(create_app(HOST, PORT), base_url=BASE) as c:
        yield c


def _next(ws, kinds):
    while True:
        message = json.loads(ws.receive_text())
        if message["type"] in kinds:
            return message
        assert message["type"] != "error", message["message"]


def _error(ws):
    while True:
        message = json.loads(ws.receive_text())
        if message["type"] == "error":
            return message["message"]


def _split(samples=60, data_seed=4, share=0.3, name="moons"):
    """The rows held out, drawn here from the library's data and split functions."""
    X, y = datasets.load(name, n_samples=samples, seed=data_seed)
    return datasets.train_test_split(X, y, share, data_seed)


def _forward(weights, biases, X, names=("sigmoid", "sigmoid")):  # the default 2-2-1
    """The network's output in plain NumPy: a = f(a·W + b) layer by layer."""
    f = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    a = X
    for W, b, name in zip(weights, biases, names, strict=True):
        a = f[name](a @ np.array(W) + np.array(b))
    return a


def _right(y_hat, y):
    """The share of rows whose output, rounded at 0.5, is the 0/1 target."""
    return float(np.mean((y_hat >= 0.5) == (y == 1)))


def _bce(y_hat, y):
    y_hat = np.clip(y_hat, 1e-12, 1 - 1e-12)
    return float(np.mean(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))


def test_the_test_loss_of_every_epoch_is_the_loss_of_the_held_out_rows(client):
    X_train, y_train, X_test, y_test = _split()
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _next(ws, ("hello",))
        ws.send_text(json.dumps({"type": "config", "config": {**MOONS, "seed": 2}}))
        data = _next(ws, ("data",))
        frame = _next(ws, ("frame",))
        assert (data["n_train"], data["n_test"]) == (42, 18)  # round(0.3 · 60) held out
        # the page lists the training rows first, then the held-out ones
        assert np.array_equal(np.array(data["X"]), np.vstack([X_train, X_test]))
        assert np.array_equal(np.array(data["y"])[:, None], np.vstack([y_train, y_test]))
        for epoch in range(6):
            if epoch:
                ws.send_text(json.dumps({"type": "epoch"}))
                frame = _next(ws, ("frame",))
            assert frame["epoch"] == epoch
            # recomputed from the weights the page shows: the library's loss, and ours
            out_test = _forward(frame["weights"], frame["biases"], X_test)
            out_train = _forward(frame["weights"], frame["biases"], X_train)
            [(at, test_loss)] = frame["test_losses"]
            assert at == epoch
            assert test_loss == pytest.approx(losses.get("bce").value(out_test, y_test), 1e-12)
            assert test_loss == pytest.approx(_bce(out_test, y_test), rel=1e-9)
            assert frame["test_loss"] == pytest.approx(test_loss, rel=1e-12)
            assert frame["losses"][-1][1] == pytest.approx(_bce(out_train, y_train), rel=1e-9)
            assert frame["accuracy"] == pytest.approx(_right(out_train, y_train))
            assert frame["test_accuracy"] == pytest.approx(_right(out_test, y_test))
    # trained on the training rows alone: the same weights as fit() on them, bit for bit
    run = spec.parse({**MOONS, "seed": 2}).run
    net = run.build(2, 1)
    net.fit(X_train, y_train, epochs=5, lr=run.lr, loss=run.loss, optimizer=run.optimizer,
            momentum=run.momentum, seed=run.seed)
    for mine, theirs in zip(frame["weights"], net.weights, strict=True):
        assert np.array_equal(np.array(mine), theirs)


def test_the_split_is_the_command_lines_for_the_same_share_and_data_seed():
    session = Session()
    session.configure(MOONS)
    X, y = datasets.load("moons", n_samples=60, seed=4)
    X_train, y_train, (X_test, y_test) = cli_options.split_data(X, y, 0.3, 4, "moons")
    assert np.array_equal(session.X, X_train) and np.array_equal(session.y, y_train)
    assert np.array_equal(session.test[0], X_test) and np.array_equal(session.test[1], y_test)
    # a new share re-splits with the same data seed; the same share again, the same rows
    session.configure({"test_split": 0.5})
    assert len(session.test[0]) == 30
    session.configure({"test_split": 0.3})
    assert np.array_equal(session.test[0], X_test)
    session.configure({"data_seed": 5})  # another seed: other points, other rows held out
    assert not np.array_equal(session.test[0], X_test)
    session.configure({"test_split": 0})
    assert session.test is None and len(session.X) == 60


def test_the_test_loss_curve_is_xornet_trains_for_the_same_run(client):
    r = client.post("/api/train", content=json.dumps({"config": MOONS, "epochs": 30}),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    page = r.json()
    result = CliRunner().invoke(cli_app, ["train", "--dataset", "moons", "--samples", "60",
                                          "--test-split", "0.3", "--data-seed", "4",
                                          "--epochs", "30", "--json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    assert page["epochs"] == cli["epochs"] == 30
    # the answer's curves continue the page's first frame (epoch 0), as its loss_curve does
    mine, theirs = np.array(page["test_loss_curve"]), np.array(cli["test_loss_curve"])[1:]
    assert np.array_equal(mine[:, 0], theirs[:, 0])
    np.testing.assert_allclose(mine[:, 1], theirs[:, 1], rtol=1e-12)
    assert page["test_loss"] == pytest.approx(cli["test"]["loss"], rel=1e-12)
    assert page["test_accuracy"] == pytest.approx(cli["test"]["accuracy"])


@pytest.mark.parametrize("value", [-0.1, 0.51, 1, "0.3", True, None, [0.3], HUGE])
def test_hostile_test_shares_are_refused_naming_the_field(client, value):
    body = json.dumps({"config": {**MOONS, "test_split": value}, "epochs": 1})
    r = client.post("/api/train", content=body, headers={**ORIGIN,
                                                         "content-type": "application/json"})
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert message.startswith("test_split:") and "finite number from 0 to 0.5" in message
    assert message.count(". ") == 0 and message.endswith(".") and len(message) < 300
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _next(ws, ("hello",))
        ws.send_text(json.dumps({"type": "config", "config": {"test_split": value}}))
        assert _error(ws) == message  # the socket says what the POST said
        ws.send_text(json.dumps({"type": "config", "config": MOONS}))  # still works
        assert _next(ws, ("data",))["n_test"] == 18


def test_nan_is_refused_too(client):
    r = client.post("/api/train", content='{"config": {"dataset": "moons", "test_split": NaN}}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"].startswith("test_split:")


@pytest.mark.parametrize("dataset", ["xor", "and", "parity", "0110"])
def test_a_truth_table_has_no_test_share_and_says_why(dataset):
    with pytest.raises(xornet.XornetError) as refused:
        spec.parse({"dataset": dataset, "test_split": 0.25})
    message = str(refused.value)
    assert message.startswith(f"test_split: {dataset} is a truth table with each input once")
    assert message.count(". ") == 0 and message.endswith(".")
    session = Session()
    data = session.configure({"dataset": dataset, "test_split": 0})[1]
    assert data["split"]["allowed"] is False and data["n_test"] == 0
    assert data["split"]["text"].startswith(f"No test share for {dataset}: a truth table")
    assert "\n" not in data["split"]["text"]


def test_a_share_that_leaves_no_training_row_is_refused_naming_the_field():
    with pytest.raises(xornet.XornetError, match=r"^test_split: holding out 0.5 of 1 rows"):
        Session().configure({"dataset": "moons", "samples": 1, "test_split": 0.5})


def test_a_csv_upload_is_split_with_the_data_seed_as_the_command_line_splits_it(tmp_path):
    rows = "".join(f"{i / 10},{(i * 7 % 10) / 10},{i % 2}\n" for i in range(20))
    text = "x1,x2,y\n" + rows
    session = Session()
    session.configure({"dataset": "moons", "data_seed": 9, "test_split": 0.25})
    session.upload_csv("d.csv", text)
    path = tmp_path / "d.csv"
    path.write_text(text)
    X, y, _ = cli_options.load_data(None, str(path), None, 3, 200, None, 9)
    _, _, (X_test, _) = cli_options.split_data(X, y, 0.25, 9, None)
    assert np.array_equal(session.test[0], X_test) and len(session.X) == 15


def test_the_success_panel_trains_the_training_rows_only_and_says_so():
    session = Session()
    session.configure(MOONS)
    job = success.job_for(session)
    X_train, y_train, _, _ = _split()
    assert np.array_equal(job.X, X_train) and np.array_equal(job.y, y_train)
    assert job.held_out == 18
    sentence = success.rows_sentence(len(job.X), job.held_out)
    assert sentence.startswith("Each seed trains on the 42 training rows only; the 18 held-out")
    session.configure({"test_split": 0})
    plain = success.job_for(session)
    assert len(plain.X) == 60 and success.rows_sentence(len(plain.X), plain.held_out) == ""


def test_the_saved_model_records_the_share_and_the_data_seed():
    session = Session()
    session.configure(MOONS)
    session.epoch()
    doc = session.model_document()["document"]
    page = doc["training"]["playground"]
    assert (page["test_split"], page["data_seed"]) == (0.3, 4)
