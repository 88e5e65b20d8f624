"""Hostile values sent to the playground: each gets a 400 (or an error message on the
socket) naming the field — never a 500 with a server traceback, never a dropped socket — and
the page stays usable afterwards. A hypothesis fuzzer over messages checks that nothing but
the project's own sentences come back.

Everything runs in-process (starlette's TestClient); no address outside this process is
contacted. Oracles: the field names in the request, and a plain "ping" answered after each
bad message (the socket is still open and the session still works)."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from xornet.playground import server
from xornet.playground.server import create_app

HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
WS = f"ws://{HOST}:{PORT}/ws"
ORIGIN = {"origin": BASE}
HUGE = 10**400  # a valid JSON number that fits no float


@pytest.fixture
def client():
    with TestClient(create_app(HOST, PORT), base_url=BASE) as c:
        yield c


def _messages_until(ws, kinds):
    while True:
        message = json.loads(ws.receive_text())
        if message["type"] in kinds:
            return message


def _still_alive(ws):
    """The session answers a plain request after the bad one."""
    ws.send_text(json.dumps({"type": "speed", "value": 2}))
    return _messages_until(ws, ("state", "error"))["type"] == "state"


def _send_raw(ws, text):
    ws.send_text(text)
    return _messages_until(ws, ("error", "frame", "state"))


@pytest.mark.parametrize("field", ["lr", "noise", "momentum", "tolerance"])
def test_a_400_digit_number_in_a_config_field_is_a_400_naming_it(client, field):
    body = json.dumps({"config": {field: HUGE}, "epochs": 1})  # Python writes the int in full
    r = client.post("/api/train", content=body, headers={**ORIGIN, "content-type":
                                                         "application/json"})
    assert r.status_code == 400 and r.json()["error"].startswith(f"{field}:")
    assert len(r.json()["error"]) < 300  # the number is shortened, not echoed in full
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        reply = _send_raw(ws, json.dumps({"type": "config", "config": {field: HUGE}}))
        assert reply["type"] == "error" and reply["message"].startswith(f"{field}:")
        assert _still_alive(ws)


def test_a_400_digit_weight_is_an_error_naming_the_value(client):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        reply = _send_raw(ws, json.dumps({"type": "set_weight", "layer": 1, "row": 0, "col": 0,
                                          "value": HUGE}))
        assert reply["type"] == "error" and reply["message"].startswith("value:")
        assert _still_alive(ws)


@pytest.mark.parametrize("name", ["bad\u0000name.csv", "bad\ud800.csv", "tab\tname.csv"])
def test_a_csv_name_with_nul_surrogate_or_control_character_is_refused(client, name):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        ws.send_text(json.dumps({"type": "csv", "name": name, "text": "a,b,y\n0,1,1\n1,1,0\n"}))
        reply = _messages_until(ws, ("error", "frame"))
        assert reply["type"] == "error"
        assert reply["message"].startswith(("name:", "message:"))
        assert _still_alive(ws)


@pytest.mark.parametrize("kind, field", [("csv", "text"), ("load_model", "name")])
def test_lone_surrogates_in_text_are_refused(client, kind, field):
    message = {"type": kind, "name": "x.csv", "text": "a,b,y\n0,1,1\n"}
    message[field] = message[field] + "\ud800"
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        reply = _send_raw(ws, json.dumps(message))  # json escapes it as \ud800
        assert reply["type"] == "error" and "lone surrogate" in reply["message"]
        assert _still_alive(ws)


def test_a_message_over_256_kib_gets_a_sentence_not_a_closed_socket(client):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        text = json.dumps({"type": "csv", "name": "big.csv", "text": "x" * 300_000})
        reply = _send_raw(ws, text)
        assert reply["type"] == "error" and reply["message"].startswith("body:")
        assert "300,0" in reply["message"]  # it says how large the message was
        assert _still_alive(ws)


@pytest.mark.parametrize("host", ["8.8.8.8", "10.0.0.5", "192.168.1.2", "evil.example"])
def test_a_host_that_is_not_this_server_gets_403_even_as_an_ip(client, host):
    assert client.get("/", headers={"host": f"{host}:{PORT}"}).status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "[::1]"])
def test_loopback_names_of_the_served_port_are_answered(client, host):
    assert client.get("/", headers={"host": f"{host}:{PORT}"}).status_code == 200


def test_two_host_headers_get_403(client):
    r = client.get("/", headers=[("host", f"{HOST}:{PORT}"), ("host", f"evil.example:{PORT}")])
    assert r.status_code == 403 and "two Host headers" in r.json()["error"]


def test_a_wildcard_bind_answers_the_machines_ip_addresses():
    with TestClient(create_app("0.0.0.0", PORT), base_url=BASE) as c:
        assert c.get("/", headers={"host": f"192.168.1.2:{PORT}"}).status_code == 200
        assert c.get("/", headers={"host": f"evil.example:{PORT}"}).status_code == 403


def test_pages_beyond_the_cap_are_told_so_and_closed(client, monkeypatch):
    monkeypatch.setattr(server, "MAX_SOCKETS", 2)
    with client.websocket_connect(WS, headers=ORIGIN) as a, \
            client.websocket_connect(WS, headers=ORIGIN) as b:
        _messages_until(a, ("hello",))
        _messages_until(b, ("hello",))
        with client.websocket_connect(WS, headers=ORIGIN) as c:
            refused = json.loads(c.receive_text())
            assert refused["type"] == "error" and refused["status"] == 503
            assert "2 playground pages are open already" in refused["message"]
            with pytest.raises(WebSocketDisconnect) as closed:
                c.receive_text()
            assert closed.value.code == 1013
        assert _still_alive(a)
    with client.websocket_connect(WS, headers=ORIGIN) as d:  # the count went down again
        assert json.loads(d.receive_text())["type"] == "hello"


# --- the fuzzer --------------------------------------------------------------------------
KEYS = ["type", "config", "name", "text", "layer", "row", "col", "value", "index", "lr",
        "hidden", "seed", "dataset", "activations", "samples", "noise"]
TYPES = ["config", "set_weight", "csv", "load_model", "load_builtin", "explain", "speed",
         "reset", "play", "pause", "nonsense"]
leaf = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**500, max_value=10**500),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                 st.sampled_from(TYPES))
values = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12)
messages = st.fixed_dictionaries({"type": st.sampled_from(TYPES)},
                                 optional={k: values for k in KEYS if k != "type"})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(message=messages)
def test_fuzzed_messages_get_only_the_projects_sentences(client, message):
    with client.websocket_connect(WS, headers=ORIGIN) as ws:
        _messages_until(ws, ("hello",))
        ws.send_text(json.dumps(message))
        if message["type"] == "play":
            ws.send_text(json.dumps({"type": "pause"}))
        reply = _messages_until(ws, ("error", "state"))
        if reply["type"] == "error":
            assert reply["status"] == 400, reply  # 500 would be a bug of ours
            assert re.match(r"^[a-z_0-9 ]+: ", reply["message"]), reply  # "field: sentence"
        assert _still_alive(ws)
