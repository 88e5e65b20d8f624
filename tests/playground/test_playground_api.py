"""The playground's HTTP API and WebSocket, in-process through Starlette's test client.

Oracles: training through the socket is compared bit for bit with ``Network.fit`` (the
library's own loop); the explain panel's chain-rule products with central finite
differences of the loss; a saved model with ``xornet.load``; refused uploads with the
sentence the command line prints for the same file; every limit with the numbers in the
issue (64 KiB, 6 layers, 64 units, 10,000 points).
"""

import dataclasses
import json
import time

import numpy as np
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from typer.testing import CliRunner

import xornet
import xornet.cli.playground  # registers `xornet playground`
import xornet.train.config
from xornet.cli import app as cli_app
from xornet.explain import logic
from xornet.playground import server, spec
from xornet.playground.server import create_app
from xornet.train.config import RunConfig

HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
WS = f"ws://{HOST}:{PORT}/ws"
ORIGIN = {"origin": BASE}
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.fixture
def client():
    with TestClient(create_app(HOST, PORT), base_url=BASE) as c:
        yield c


def strict_json(text):
    """json.loads that refuses NaN and Infinity, which JSON does not have."""
    def refuse(name):
        raise AssertionError(f"{name} in JSON")
    return json.loads(text, parse_constant=refuse)


class Page:
    """A WebSocket session as the page drives it."""

    def __init__(self, ws):
        self.ws = ws
        hello = self.next("hello")
        self.options = hello["options"]

    def send(self, **message):
        self.ws.send_text(json.dumps(message))

    def next(self, kind):
        """Messages until one of ``kind`` (an error fails the test unless asked for)."""
        while True:
            message = strict_json(self.ws.receive_text())
            if message["type"] == kind:
                return message
            assert message["type"] != "error", message["message"]

    def error(self, **message):
        self.send(**message)
        return self.next("error")["message"]

    def configure(self, **config):
        self.send(type="config", config=config)
        return self.next("frame")


@pytest.fixture
def page(client):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        yield Page(ws)


# --- the page and the safety checks ------------------------------------------------------
def test_page_and_static_files_are_served_with_a_strict_policy(client):
    r = client.get("/")
    assert r.status_code == 200 and "<canvas id=\"boundary\"" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for path in ("/static/js/app.js", "/static/style.css", "/static/js/views.js"):
        assert client.get(path).status_code == 200
    assert "http" not in client.get("/static/js/app.js").text.replace("https:", "")  # no CDN


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost",
                                  "127.0.0.1.evil.example:8765"])
def test_a_foreign_host_gets_403(client, host):
    r = client.get("/", headers={"host": host})
    assert r.status_code == 403 and "host:" in r.json()["error"]
    assert client.get("/api/options", headers={"host": host}).status_code == 403


@pytest.mark.parametrize("host", ["localhost:8765", "127.0.0.1:8765", "[::1]:8765"])
def test_local_names_of_the_served_port_are_allowed(client, host):
    assert client.get("/api/options", headers={"host": host}).status_code == 200


def test_no_cors_headers_even_when_another_site_asks(client):
    r = client.get("/api/options", headers={"origin": "http://evil.example"})
    assert r.status_code == 200
    assert not any(k.lower().startswith("access-control") for k in r.headers)
    r = client.options("/api/train", headers={"origin": "http://evil.example",
                                              "access-control-request-method": "POST"})
    assert not any(k.lower().startswith("access-control") for k in r.headers)


def test_a_post_from_another_origin_gets_403(client):
    r = client.post("/api/train", json={"epochs": 1}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403 and "origin:" in r.json()["error"]
    assert client.post("/api/train", json={"epochs": 1}, headers=ORIGIN).status_code == 200


@pytest.mark.parametrize(("headers", "field"), [
    ({}, "origin:"), ({"origin": "http://evil.example"}, "origin:"),
    ({"origin": "http://localhost:8765"}, "origin:"),
    ({"origin": "null"}, "origin:"),
    ({"origin": BASE, "host": "evil.example:8765"}, "host:"),
])
def test_the_socket_handshake_checks_host_and_origin(client, headers, field):
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect(WS, headers=headers) as ws:
        ws.receive_text()
    assert refused.value.code == 1008 and refused.value.reason.startswith(field)


def test_the_socket_accepts_its_own_page(client):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        assert strict_json(ws.receive_text())["type"] == "hello"


# --- limits: a clear 400 naming the field, never silent clamping --------------------------
def post(client, body):
    return client.post("/api/train", content=json.dumps(body),
                       headers={"content-type": "application/json"})


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"config": {"hidden": [2] * 7, "activations": ["tanh"] * 7}}, "hidden:",
     "7 hidden layers is more than the 6"),
    ({"config": {"hidden": [65], "activations": ["tanh"]}}, "hidden:", "65 units"),
    ({"config": {"hidden": [0], "activations": ["tanh"]}}, "hidden:", "0 units"),
    ({"config": {"dataset": "sine", "samples": 10_001}}, "samples:", "10000"),
    ({"epochs": 10_001}, "epochs:", "10,000"),
    ({"epochs": -1}, "epochs:", "from 0"),
    ({"epochs": 1.5}, "epochs:", "whole number"),
    ({"config": {"lr": float("nan")}}, "lr:", "finite number"),
    ({"config": {"lr": 0}}, "lr:", "finite number"),
    ({"config": {"lr": 1e9}}, "lr:", "finite number"),
    ({"config": {"activation": "tanh"}}, "config:", "unknown field 'activation'"),
    ({"config": {"init": "random"}}, "init:", "choose one of"),
    ({"config": {"optimizer": "perceptron"}}, "optimizer:", "sgd, adam"),
    ({"config": {"optimizer": "adam", "momentum": 0.9}}, "momentum:", "Adam"),
    ({"config": {"dataset": "nope"}}, "dataset:", "unknown name"),
    ({"config": {"dataset": "csv"}}, "dataset:", "no CSV file"),
    ({"config": {"bias": "yes"}}, "bias:", "true or false"),
    ({"config": {"seed": -1}}, "seed:", "whole number"),
    ({"config": {"dataset": "parity", "n_bits": 13}}, "n_bits:", "from 1 to 12"),
    ({"config": [1, 2]}, "config:", "JSON object"),
    ({"steps": 5}, "body:", "unknown field 'steps'"),
])
def test_limits_and_bad_values_get_400_naming_the_field(client, body, field, words):
    text = json.dumps(body) if "nan" not in repr(body) else '{"config": {"lr": NaN}}'
    r = client.post("/api/train", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert message.startswith(field) and words in message, message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


# --- the configuration is RunConfig's ------------------------------------------------------
def test_the_page_sets_every_run_field_but_the_servers_two(client):
    # the page's fields, written out: the data, then RunConfig's fields in its order, with one
    # activation name per hidden layer, and without epochs and target_loss (the server's)
    expected = ["dataset", "n_bits", "samples", "noise", "data_seed", "test_split", "hidden",
                "activations", "output_activation", "bias", "init", "loss", "optimizer",
                "momentum", "lr", "batch_size", "shuffle", "seed", "tolerance",
                "stop_when_solved", "until_crisp", "crisp_epochs", "restarts"]
    run_fields = [f.name for f in dataclasses.fields(RunConfig)]
    assert [n for n in run_fields if n not in spec.NOT_ON_PAGE] == [
        "activation" if n == "activations" else n for n in expected[6:]]
    assert list(spec.FIELDS) == expected
    assert list(client.get("/api/options").json()["defaults"]) == expected
    message = post(client, {"config": {"epochs": 3}}).json()["error"]
    assert message == ("config: unknown field 'epochs'; the known fields are "
                       + ", ".join(expected) + ".")


def test_the_start_is_the_default_run(client):
    default, start = RunConfig(), spec.DEFAULT.run
    assert start.hidden == (2,)  # the lesson's 2-2-1
    for f in dataclasses.fields(RunConfig):
        assert getattr(start, f.name) == getattr(default, f.name), f.name
    page = client.get("/api/options").json()["defaults"]
    assert page["activations"] == [default.activation] and page["loss"] == default.loss
    assert page["momentum"] == default.momentum and page["init"] == default.init
    # a request is that run (with one activation name per layer), trained for at most one
    # request's epochs
    run = spec.parse({}).run
    assert run == dataclasses.replace(start, activation=(default.activation,),
                                      epochs=spec.MAX_EPOCHS_PER_REQUEST)
    assert spec.parse(page) == spec.parse({})  # the page's form reads back as the start


def test_a_body_over_64_kib_is_refused_before_it_is_read(client):
    body = json.dumps({"config": {}, "epochs": 1, "pad": "x" * spec.MAX_BODY})
    r = client.post("/api/train", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"].startswith("body:") and "65,536-byte (64 KiB) limit" in r.json()[
        "error"]


def test_a_body_just_under_the_limit_is_read(client):
    filler = {"name": "d.csv", "text": "x1,x2,y\n" + "0,1,1\n" * 100}
    body = json.dumps({"csv": filler, "epochs": 1})
    assert len(body) < spec.MAX_BODY
    assert post(client, {"csv": filler, "epochs": 1}).status_code == 200


def test_an_upload_over_10000_points_is_refused(client):
    rows = "x,y\n" + "0,0\n" * 10_001  # 50 KB as JSON: under the byte limit, over the points
    r = post(client, {"csv": {"name": "big.csv", "text": rows}, "epochs": 1})
    assert r.status_code == 400
    assert r.json()["error"] == ("big.csv: 10,001 data points is more than the playground's "
                                 "10,000; use fewer rows.")


def test_a_post_train_runs_the_library_and_stops_when_solved_and_crisp(client):
    r = post(client, {"config": {"dataset": "xor"}, "epochs": 5000})
    doc = strict_json(r.text)
    assert r.status_code == 200 and doc["solved"] and doc["stop_reason"] == "solved and crisp"
    net = xornet.Network.from_weights(doc["weights"], doc["biases"], ["sigmoid", "sigmoid"])
    assert np.all(np.abs(net.predict(XOR_X) - XOR_Y) <= 0.1)  # solved, by our own forward pass
    reading = logic.lens(net)
    assert all(u.crisp for u in reading.layers[0])  # crisp, by the lens
    # the page stops where the library's run of the same start stops (one attempt)
    history = _run_of_the_start()
    assert doc["epochs"] == history.epochs == history.crisp_epoch == 39
    assert doc["solved_epoch"] == history.solved_epoch == 37


def _run_of_the_start():
    once = dataclasses.replace(spec.DEFAULT.run, restarts=0)
    return xornet.train.config.run(once, XOR_X, XOR_Y)[1]


# --- the live session ---------------------------------------------------------------------
def test_every_socket_limit_is_a_400_message(page):
    assert page.error(type="speed", value=1001).startswith("speed:")
    assert page.error(type="speed", value=0).startswith("speed:")
    big = json.dumps({"type": "csv", "name": "a.csv", "text": "x" * spec.MAX_BODY})
    page.ws.send_text(big)
    assert page.next("error")["message"].startswith("body: the message is")
    assert page.error(type="config", config={"hidden": [64] * 7}).startswith("hidden:")
    assert page.error(type="config", config={"hidden": [65]}).startswith("hidden:")
    assert page.error(type="config", config={"dataset": "moons", "samples": 20_000}).startswith(
        "samples:")
    assert page.error(type="teleport").startswith("type: unknown message type")
    page.ws.send_text("{not json")
    assert page.next("error")["message"].startswith("message: not valid JSON")
    assert page.error(type="set_weight", layer=1, row=0, col=0, value="abc").startswith("value:")
    assert page.error(type="set_weight", layer=1, row=0, col=0, value=1e7).startswith("value:")
    assert page.error(type="set_weight", layer=3, row=0, col=0, value=1).startswith("layer:")
    assert page.error(type="set_weight", layer=1, row=2, col=0, value=1).startswith("row:")
    assert page.error(type="explain", index=4).startswith("index:")
    # after every refusal the session still works
    assert page.configure(dataset="and")["epoch"] == 0


@pytest.mark.parametrize("config", [
    {"hidden": [3], "activations": ["sigmoid"], "loss": "mse", "lr": 2.0, "momentum": 0.0,
     "init": "uniform01"},
    {"hidden": [4, 3], "activations": ["tanh", "relu"], "optimizer": "adam", "momentum": 0.0,
     "lr": 0.05, "batch_size": 3, "shuffle": True, "dataset": "moons", "samples": 40},
    {"hidden": [5], "activations": ["leaky_relu"], "batch_size": 1, "lr": 0.02, "loss": "sse",
     "output_activation": "linear", "dataset": "sine", "samples": 20, "momentum": 0.5},
])
def test_socket_training_matches_network_fit_bit_for_bit(page, config):
    config = {**config, "stop_when_solved": False, "seed": 3}
    checked = spec.parse(config)
    X, y, _ = spec.load_data(checked.data)
    run = checked.run
    page.configure(**config)
    for _ in range(7):
        page.send(type="epoch")
        frame = page.next("frame")
    per_epoch = -(-len(X) // (run.batch_size or len(X)))  # updates in one epoch
    for _ in range(2 * per_epoch):  # single updates add up to two more epochs
        page.send(type="step")
        frame = page.next("frame")
    epochs = 9
    assert frame["epoch"] == epochs and frame["updates"] == 9 * per_epoch
    net = run.build(X.shape[1], 1)
    net.fit(X, y, epochs=epochs, lr=run.lr, loss=run.loss, batch_size=run.batch_size,
            optimizer=run.optimizer, momentum=run.momentum, shuffle=run.shuffle, seed=run.seed)
    for mine, theirs in zip(frame["weights"], net.weights, strict=True):
        assert np.array_equal(np.array(mine), theirs)


def test_explain_numbers_match_finite_differences(page):
    page.configure(dataset="xor", hidden=[2], activations=["sigmoid"], loss="mse", lr=0.5,
                   momentum=0.0)
    page.send(type="epoch")
    frame = page.next("frame")
    page.send(type="explain", index=1)
    step = page.next("explain")
    net = xornet.Network.from_weights(frame["weights"], frame["biases"], ["sigmoid", "sigmoid"])
    x, t = XOR_X[1:2], XOR_Y[1:2]
    # forward pass by hand: h = σ(x·W1 + b1), ŷ = σ(h·W2 + b2)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = sig(x @ net.weights[0] + net.biases[0])
    assert step["forward"][0][0]["units"][1]["out"] == pytest.approx(h[0, 1], abs=1e-12)
    assert step["outputs"][0][0] == pytest.approx(sig(h @ net.weights[1] + net.biases[1])[0, 0])
    eps = 1e-6
    assert len(step["parameters"]) == 2 * 2 + 2 + 2 * 1 + 1  # every weight and bias of 2-2-1
    for p in step["parameters"]:
        k, where = int(p["matrix"][1]) - 1, p["matrix"][3:-1]
        array = net.weights[k] if p["matrix"][0] == "W" else net.biases[k]
        index = tuple(int(v) for v in where.split(","))
        array[index] += eps
        up = net.loss(x, t, "mse")
        array[index] -= 2 * eps
        down = net.loss(x, t, "mse")
        array[index] += eps
        numeric = (up - down) / (2 * eps)
        product = np.prod([f["value"] for f in p["samples"][0]["factors"]])
        assert product == pytest.approx(numeric, abs=1e-8)
        assert p["new"] == pytest.approx(p["old"] - 0.5 * numeric, abs=1e-8)


def test_a_diverging_run_is_shown_as_diverged_never_nan(page):
    page.configure(hidden=[8], activations=["relu"], output_activation="linear", loss="sse",
                   lr=1000.0, momentum=0.0, stop_when_solved=False)
    page.send(type="speed", value=50)
    page.send(type="play")
    while True:
        frame = page.next("frame")  # strict_json: no NaN anywhere
        if frame["diverged"]:
            break
    assert frame["diverged"].startswith("training diverged:") and "smaller learning rate" in \
        frame["diverged"]
    assert all(np.isfinite(np.array(w)).all() for w in frame["weights"])
    doctor = page.next("insights")["doctor"]
    assert [d["code"] for d in doctor["diagnoses"]] == ["diverged"]
    assert page.next("state")["playing"] is False
    assert page.error(type="epoch").startswith("Training diverged")


def test_play_runs_one_loop_per_connection_and_stops_when_the_page_goes(client):
    loops = client.app.state.loops
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        page = Page(ws)
        page.configure(stop_when_solved=False)
        page.send(type="play")
        page.send(type="play")
        start, frames = time.perf_counter(), []
        while time.perf_counter() - start < 1.0:
            frames.append(page.next("frame"))
        assert len(loops) == 1
        rate = len(frames) / (time.perf_counter() - start)
        view_ms = np.median([f["view_ms"] for f in frames])
        print(f"\nsocket: {rate:.1f} frames/s on XOR, boundary grid {view_ms:.3f} ms/frame")
    deadline = time.perf_counter() + 5
    while loops and time.perf_counter() < deadline:
        time.sleep(0.02)
    assert not loops


def test_play_pauses_when_solved_and_crisp_and_the_panels_read_xor(page):
    page.send(type="play")
    while not (frame := page.next("frame"))["solved"]:
        pass
    insights = page.next("insights")
    assert insights["lens"]["sentences"][-1] == ("The reading agrees: thresholded, ŷ is XOR on "
                                                 "every input row.")
    assert insights["doctor"]["healthy"] and page.next("state")["playing"] is False
    assert frame["solved_epoch"] == _run_of_the_start().solved_epoch
    assert frame["predictions"][1] > 0.9


def test_the_doctor_names_symmetric_units_from_zero_init(page):
    page.configure(init="zeros", hidden=[3], stop_when_solved=False)
    for _ in range(20):
        page.send(type="epoch")
    codes = []
    for _ in range(20):
        codes = [d["code"] for d in page.next("insights")["doctor"]["diagnoses"]]
    assert "symmetric-units" in codes


def test_the_doctors_fix_is_in_the_pages_words_and_applies(page):
    page.configure(init="zeros", hidden=[3], stop_when_solved=False)
    for _ in range(20):
        page.send(type="epoch")
    for _ in range(20):
        found = {d["code"]: d for d in page.next("insights")["doctor"]["diagnoses"]}
    d = found["symmetric-units"]
    assert "(init xavier)" in d["suggestion"] and "--" not in d["suggestion"]
    assert d["changes"] == [{"init": "xavier"}]
    fix = d["apply"][0]["config"]  # the "apply" button sends the page's config with this
    page.send(type="config", config={"init": "zeros", "hidden": [3],
                                      "stop_when_solved": False, **fix})
    config = page.next("config")["config"]
    assert config["init"] == "xavier" and config["hidden"] == [3]


def test_a_weight_edited_by_hand_is_used_and_saved_and_loads_back(page, tmp_path):
    page.send(type="set_weight", layer=1, row=0, col=1, value=2.5)
    frame = page.next("frame")
    assert frame["weights"][0][0][1] == 2.5
    page.send(type="set_weight", layer=2, row=None, col=0, value=-0.75)
    assert page.next("frame")["biases"][1][0] == -0.75
    page.send(type="save")
    doc = page.next("model")["document"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    net = xornet.load(path)  # the library's strict loader is the oracle
    assert net.weights[0][0, 1] == 2.5 and net.biases[1][0] == -0.75
    page.send(type="reset")
    assert page.next("frame")["weights"][0][0][1] == 2.5  # edited before training: the start
    assert page.configure(seed=9)["weights"][0][0][1] != 2.5  # a new seed: new weights
    page.send(type="load_model", name="m.json", text=path.read_text())
    loaded = page.next("frame")
    assert loaded["weights"] == [w.tolist() for w in net.weights]


def cli_error(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, args)
    assert result.exit_code == 2
    return result.stderr.strip().removeprefix("xornet: error: ")


@pytest.mark.parametrize("text", [
    "x1,x2,y\n0,1,1\n1,abc,0\n", "x1,x2,y\n0,1\n", "", "1,2,3\n4,5,6\n", "a,a,y\n1,2,3\n",
    "x1,x2,y\n0,nan,1\n", "x1,x2,y\n",
])
def test_a_bad_csv_upload_gets_the_same_sentence_as_the_cli(page, tmp_path, monkeypatch, text):
    (tmp_path / "bad.csv").write_text(text)
    expected = cli_error(["train", "--csv", "bad.csv"], tmp_path, monkeypatch)
    assert page.error(type="csv", name="bad.csv", text=text) == expected


@pytest.mark.parametrize("text", ['{"format": "xornet-model", "version": 2}', "[1, 2]",
                                  "not json", '{"format": "other"}'])
def test_a_bad_model_upload_gets_the_same_sentence_as_the_cli(page, tmp_path, monkeypatch,
                                                              text):
    (tmp_path / "bad.json").write_text(text)
    expected = cli_error(["show", "bad.json"], tmp_path, monkeypatch)
    assert page.error(type="load_model", name="bad.json", text=text) == expected


def test_a_csv_upload_trains_and_a_model_of_the_wrong_width_is_refused(page, tmp_path):
    page.send(type="csv", name="and3.csv", text="a,b,c,y\n0,0,0,0\n0,1,1,0\n1,1,1,1\n")
    data = page.next("data")
    assert data["name"] == "and3.csv (a, b, c → y)" and data["n_in"] == 3
    assert page.next("frame")["view"]["kind"] == "none"
    doc = json.dumps({"format": "xornet-model", "version": 1, "sizes": [2, 1],
                      "activations": ["sigmoid"], "weights": [[[1.0], [1.0]]], "biases": [[0.0]]})
    message = page.error(type="load_model", name="two.json", text=doc)
    assert message == ("the data (and3.csv (a, b, c → y)) has 3 feature columns but the model "
                       "expects 2 inputs; give data with 2 feature columns.")


def test_sine_is_a_curve_and_a_hand_built_step_network_is_read_but_not_trained(page):
    assert page.configure(dataset="sine", samples=30)["view"]["kind"] == "curve"
    page.configure(dataset="xor")
    page.send(type="load_builtin", name="builtin:xor-step")
    frame = page.next("frame")
    assert frame["solved"] and frame["predictions"] == [0.0, 1.0, 1.0, 0.0]
    assert page.next("insights")["lens"]["sentences"][-1].endswith("ŷ is XOR on every input row.")
    assert page.error(type="epoch").startswith("layer 1: the step activation")
    assert page.error(type="explain", index=0).startswith("explain: layer 1 uses the step")


# --- the command --------------------------------------------------------------------------
def test_the_command_prints_the_url_and_warns_off_localhost(monkeypatch):
    started = []
    monkeypatch.setattr(server, "run", lambda srv, sock: (started.append(sock), sock.close()))
    result = CliRunner().invoke(cli_app, ["playground", "--port", "0", "--no-browser"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("xornet playground: http://127.0.0.1:") and not result.stderr
    result = CliRunner().invoke(cli_app, ["playground", "--host", "0.0.0.0", "--port", "0",
                                          "--no-browser"])
    assert result.exit_code == 0 and "warning: --host 0.0.0.0" in result.stderr
    assert len(started) == 2


def test_a_port_in_use_is_one_sentence(monkeypatch):
    sock = server.bind(HOST, 0)
    try:
        port = sock.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["playground", "--port", str(port), "--no-browser"])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"xornet: error: --port: cannot listen on {HOST}:{port}")
    finally:
        sock.close()
