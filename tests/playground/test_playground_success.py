"""The success-rate panel and Reset, through the playground's WebSocket and its Session.

Oracles: the panel's shares and histogram against ``train_population`` run here on the same
configuration (NumPy path) and counted with plain NumPy; the page's seed against the
playground's own ``Stepper`` trained to its stop rule; Reset against the first run, bit for
bit, and a new seed's weights against ``Network(seed=...)``.

Most tests shrink the panel (200 seeds, 2,000 epochs) to keep the suite quick; one runs it
at its real size on the default XOR set-up.
"""

import json
import threading
from dataclasses import replace

import numpy as np
import pytest
from starlette.testclient import TestClient

from xornet.core.network import Network
from xornet.errors import XornetError
from xornet.playground import spec, success
from xornet.playground.server import create_app
from xornet.playground.session import Session
from xornet.population.trainer import train_population

HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
WS = f"ws://{HOST}:{PORT}/ws"


@pytest.fixture
def small(monkeypatch):
    """A smaller panel, and an empty cache of outcomes (each test trains its own)."""
    monkeypatch.setattr(success, "SEEDS", 200)
    monkeypatch.setattr(success, "EPOCHS", 2000)
    monkeypatch.setattr(success, "QUIET", 0.05)
    monkeypatch.setattr(success, "_cache", success.OrderedDict())


@pytest.fixture
def ws():
    with TestClient(create_app(HOST, PORT), base_url=BASE) as client, \
            client.websocket_connect(WS, headers={"origin": BASE}) as socket:
        assert json.loads(socket.receive_text())["type"] == "hello"
        yield socket


def send_config(ws, **config):
    ws.send_text(json.dumps({"type": "config", "config": config}))


def next_panel(ws, states=("done", "refused")):
    """The next success message in one of ``states`` (errors fail the test)."""
    while True:
        message = json.loads(ws.receive_text())
        assert message["type"] != "error", message["message"]
        if message["type"] == "success" and message["state"] in states:
            return message


def oracle(raw, n_seeds, epochs):
    """train_population on the page's configuration ``raw``, seeds 0..n_seeds-1."""
    s = spec.parse(raw)
    X, y, _ = spec.load_data(s.data)
    return train_population(replace(s.run, epochs=epochs), X, y, n_seeds, backend="numpy")


def stepper_run(raw, seed, epochs):
    """The page's own run of ``seed``: the session's stepper until its stop rule (or
    ``epochs``); returns its history."""
    session = Session()
    session.configure({**raw, "seed": seed})
    session.train_for(epochs, seconds=600)
    return session.stepper.history


def test_the_panel_equals_the_population_trainer_and_the_seed_its_own_run(small, ws):
    raw = {"lr": 2.0}
    send_config(ws, **raw)
    panel = next_panel(ws)
    truth = oracle(raw, 200, 2000)
    assert panel["state"] == "done" and panel["seeds"] == 200 and panel["epochs"] == 2000
    assert panel["success_rate"] == truth.success_rate
    assert panel["solved"] == truth.solved.sum()
    assert panel["stalled"] == (~truth.solved & ~truth.diverged).sum()
    # the histogram: every solved seed in exactly one bar, each bar counted again here
    epochs = truth.epochs_to_solve
    edges, counts = panel["edges"], panel["counts"]
    assert sum(counts) == truth.solved.sum()
    for i, count in enumerate(counts):
        last = i == len(counts) - 1
        inside = (epochs >= edges[i]) & ((epochs <= edges[i + 1]) if last else
                                         (epochs < edges[i + 1]))
        assert count == inside.sum()
    assert panel["median"] == float(np.median(epochs))
    # seed 0 as the page plays it: its epochs to solve, and the share of seeds it beats
    seed = panel["seed"]
    history = stepper_run(raw, 0, 2000)
    assert seed["solved"] and seed["solved_epoch"] == history.solved_epoch
    slower = ~truth.solved | (truth.solved_epoch > history.solved_epoch)
    assert seed["faster_than"] == slower.mean()
    assert seed["sentence"] == (f"seed 0 solves in {history.solved_epoch} epochs: faster than "
                                f"{100 * slower.mean():.0f} % of seeds")
    assert panel["headline"].startswith(f"{100 * truth.success_rate:.0f} % of 200 seeds")


def test_a_stalling_seed_says_so_and_a_new_seed_only_moves_the_marker(small, ws):
    raw = {"lr": 2.0}
    truth = oracle(raw, 200, 2000)
    stalled = np.flatnonzero(~truth.solved & ~truth.diverged)
    assert stalled.size, "lr 2 on XOR stalls for some seeds"
    k = int(stalled[0])
    send_config(ws, **raw)
    next_panel(ws)
    send_config(ws, seed=k)  # same population: answered at once, without training again
    panel = next_panel(ws, states=("running", "done", "refused"))
    assert panel["state"] == "done"
    assert not stepper_run(raw, k, 2000).solved  # the page's own run of seed k stalls too
    share = (~truth.solved & ~truth.diverged).mean()
    assert panel["seed"]["sentence"] == (f"seed {k} stalls (not solved in 2,000 epochs); "
                                         f"{100 * share:.0f} % of seeds do")
    assert panel["success_rate"] == truth.success_rate


def test_a_seed_beyond_the_population_is_trained_beside_it(small, ws):
    raw, seed = {"lr": 2.0}, 4321
    send_config(ws, **raw, seed=seed)
    panel = next_panel(ws)
    truth = oracle(raw, 200, 2000)
    assert panel["success_rate"] == truth.success_rate  # seed 4321 is not counted
    history = stepper_run(raw, seed, 2000)
    assert panel["seed"]["seed"] == seed
    assert panel["seed"]["solved"] == history.solved
    if history.solved:
        assert panel["seed"]["solved_epoch"] == history.solved_epoch


def test_a_new_configuration_replaces_the_running_job(small, ws, monkeypatch):
    """The first job is held until the second configuration has arrived: only the second is
    shown, and it matches the population trainer."""
    release, started, trained = threading.Event(), threading.Event(), []
    real = success.train_population

    def held(config, *args, **kwargs):
        trained.append(config.lr)
        if len(trained) == 1:
            started.set()
            release.wait(30)
        return real(config, *args, **kwargs)

    monkeypatch.setattr(success, "train_population", held)
    send_config(ws, lr=2.0)
    assert next_panel(ws, states=("running",))["state"] == "running"
    assert started.wait(30)
    send_config(ws, lr=1.0)
    assert next_panel(ws, states=("running",))["state"] == "running"
    release.set()
    panel = next_panel(ws)
    assert trained == [2.0, 1.0]  # the first trained to its end; its panel was dropped
    assert panel["success_rate"] == oracle({"lr": 1.0}, 200, 2000).success_rate


def test_a_cancelled_job_that_has_not_started_never_trains(small):
    session = Session()
    job = success.job_for(session)
    job.cancelled.set()
    assert success.train(job) is None
    assert success.cached(job.key) is None


def test_what_the_panel_cannot_train_it_says_in_one_sentence(small, ws):
    ws.send_text(json.dumps({"type": "load_builtin", "name": "builtin:xor-step"}))
    message = next_panel(ws)
    assert message["state"] == "refused"
    assert message["message"].startswith("success rate: layer 1 uses the step activation")
    send_config(ws, dataset="moons", samples=4000, hidden=[8])
    message = next_panel(ws)
    assert message["state"] == "refused"
    n_params = 2 * 8 + 8 + 8 + 1
    assert success.work(4000, n_params, 200, 2000) > success.MAX_WORK
    rows = int(success.MAX_WORK // (200 * 2000 * n_params))
    assert message["message"] == (
        f"success rate: 200 seeds × 2,000 epochs × 4,000 rows × {n_params} parameters is "
        f"{200 * 2000 * 4000 * n_params:.1e}, more than the 1e+10 the panel trains in the "
        f"background; use at most {rows:,} points with this network, or fewer hidden units.")


def test_loaded_weights_have_no_place_among_the_seeds(small, ws, tmp_path):
    Network([2, 2, 1], seed=5).save(tmp_path / "mine.json")
    ws.send_text(json.dumps({"type": "load_model", "name": "mine.json",
                             "text": (tmp_path / "mine.json").read_text()}))
    panel = next_panel(ws)
    assert panel["state"] == "done"  # the seeds of the loaded network's architecture
    assert panel["seed"]["origin"] and "mine.json" in panel["seed"]["sentence"]


def test_the_real_panel_on_the_default_run(ws):
    """1,000 seeds, 5,000 epochs, the page's default XOR run."""
    send_config(ws)
    panel = next_panel(ws)
    truth = oracle({}, 1000, 5000)
    assert panel["seeds"] == 1000 and panel["epochs"] == 5000
    assert panel["success_rate"] == truth.success_rate
    assert panel["seed"]["solved_epoch"] == stepper_run({}, 0, 5000).solved_epoch


# --- Reset keeps the starting weights ------------------------------------------------------
def run_epochs(session, n):
    losses = []
    for _ in range(n):
        session.stepper.epoch()
        losses.append(session.stepper.loss)
    return losses, session.net.params.copy()


def test_reset_twice_gives_the_same_weights_and_the_same_trajectory():
    session = Session()
    session.configure({"seed": 3, "batch_size": 1, "shuffle": True})  # shuffles: seeded too
    start = session.net.params.copy()
    first = run_epochs(session, 40)
    assert not np.array_equal(first[1], start)
    for _ in range(2):
        session.reset()
        assert np.array_equal(session.net.params, start)
        again = run_epochs(session, 40)
        assert again[0] == first[0] and np.array_equal(again[1], first[1])
    # a new learning rate keeps the starting weights; a new seed draws the seed's own
    session.configure({"lr": 1.0})
    assert np.array_equal(session.net.params, start)
    session.configure({"seed": 4})
    drawn = Network([2, 2, 1], init="xavier", seed=4).params
    assert np.array_equal(session.net.params, drawn) and not np.array_equal(drawn, start)
    session.configure({"seed": 3})
    assert np.array_equal(session.net.params, start)


def test_reset_through_the_socket_replays_the_run(small, ws):
    def frame_after(message):
        ws.send_text(json.dumps(message))
        while True:
            m = json.loads(ws.receive_text())
            assert m["type"] != "error", m["message"]
            if m["type"] == "frame":
                return m

    frame_after({"type": "config", "config": {"seed": 11}})
    frames = []
    for _ in range(2):
        start = frame_after({"type": "reset"})
        ends = [frame_after({"type": "epoch"}) for _ in range(25)]
        frames.append((start["weights"], start["biases"], [f["loss"] for f in ends],
                       ends[-1]["weights"]))
    assert frames[0] == frames[1]
    assert frames[0][0] != frames[0][3]  # the run moved the weights


@pytest.mark.parametrize("error, sentence", [
    (XornetError("optimizer: the population trainer trains by backpropagation; choose sgd."),
     "success rate: the population trainer cannot train this set-up: optimizer: the "
     "population trainer trains by backpropagation; choose sgd."),
    (RuntimeError("a bug"), "server: this request failed inside xornet (RuntimeError)"),
])
def test_a_refusal_of_the_population_trainer_is_one_sentence(small, ws, monkeypatch, error,
                                                              sentence):
    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(success, "train_population", refuse)
    send_config(ws, lr=2.5)
    message = next_panel(ws)
    assert message["state"] == "refused" and message["message"].startswith(sentence)
    ws.send_text(json.dumps({"type": "step"}))  # the page goes on working
    assert json.loads(ws.receive_text())["type"] == "frame"


def test_jobs_waiting_for_the_worker_never_stall_the_pages(small, monkeypatch):
    """Ten pages' jobs queue behind one that is held; every page still steps (the session
    work runs in asyncio's threads, which no waiting job holds)."""
    release, started = threading.Event(), threading.Event()
    real = success.train_population

    def held(config, *args, **kwargs):
        if config.lr == 2.0:
            started.set()
            release.wait()
        return real(config, *args, **kwargs)

    monkeypatch.setattr(success, "train_population", held)
    safety = threading.Timer(60, release.set)  # a deadlock fails the test instead of hanging
    safety.start()
    try:
        with TestClient(create_app(HOST, PORT), base_url=BASE) as client:
            sockets = [client.websocket_connect(WS, headers={"origin": BASE}) for _ in range(11)]
            pages = [s.__enter__() for s in sockets]
            for k, page in enumerate(pages):
                assert json.loads(page.receive_text())["type"] == "hello"
                send_config(page, lr=2.0 + 0.1 * k)
                next_panel(page, states=("running",))
            assert started.wait(60)
            for page in pages:
                page.send_text(json.dumps({"type": "step"}))
                while (message := json.loads(page.receive_text()))["type"] != "frame":
                    assert message["type"] != "error"
            stalled = not safety.is_alive()
            release.set()
            for s in sockets:
                s.__exit__(None, None, None)
    finally:
        safety.cancel()
        release.set()
    assert not stalled


def test_weights_edited_before_training_leave_the_seeds(small, ws):
    send_config(ws, lr=2.0)
    before = next_panel(ws)
    assert before["seed"]["origin"] is None
    ws.send_text(json.dumps({"type": "set_weight", "layer": 1, "row": 0, "col": 0,
                             "value": 0.5}))
    after = next_panel(ws, states=("running", "done"))  # same population: no new job
    assert after["state"] == "done" and after["success_rate"] == before["success_rate"]
    assert "edited by hand" in after["seed"]["sentence"]
    send_config(ws, seed=1)  # a new seed draws its own weights again
    assert next_panel(ws)["seed"]["origin"] is None
