"""The playground's web server: the page, a small JSON API and the live WebSocket.

Routes
------
``GET /``                the page (plain HTML, CSS and JS from ``static/``; no CDN)
``GET /api/options``     names, limits, the default configuration and the palette
``POST /api/train``      build, train up to ``epochs`` epochs, answer with the result
``WS /ws``               one live session per connection (see ``live.py``)

Every refusal is one sentence naming the field and the fix: 400 for a bad request or a
limit, 403 for a foreign Host or Origin (``guard.py``).
"""

import asyncio
import json
import socket
import webbrowser
from pathlib import Path

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from xornet import palette
from xornet.core import activations, initializers, losses
from xornet.errors import XornetError
from xornet.explain import boolfn
from xornet.io import builtin, datasets
from xornet.playground import live, spec
from xornet.playground.guard import Guard, GuardMiddleware, is_local
from xornet.playground.session import Session

STATIC = Path(__file__).parent / "static"
TRAIN_SECONDS = 10.0  # one POST /api/train stops after this long and says so
MAX_FRAME = 16 * 2**20  # a bigger WebSocket message is closed by the protocol (code 1009)
MAX_SOCKETS = 32  # open pages at once: 200 playing sockets made the page itself slow to load
PAGE_HEADERS = {
    # The page loads only its own files and talks only to its own server.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def options():
    return {
        "datasets": [{"name": n, "description": d, "kind": k}
                     for n, d, k in datasets.describe()],
        "activations": list(activations.NAMES), "inits": list(initializers.NAMES),
        "losses": list(losses.NAMES), "optimizers": list(spec.OPTIMIZERS),
        "gates16": [{"column": c, "name": name} for c, (name, _) in boolfn.GATES.items()],
        "builtins": [{"name": n, "description": d} for n, d in builtin.describe()],
        "limits": spec.LIMITS, "defaults": spec.DEFAULT.as_dict(),
        "palette": palette.COLOURS,  # the figures' colours, so the page draws with the same
    }


def create_app(host="127.0.0.1", port=8765):
    """The ASGI app for a server listening on ``host``:``port`` (used by the Host check)."""
    app = FastAPI(title="xornet playground", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.loops = set()  # running play loops, one at most per connection

    @app.exception_handler(XornetError)
    async def refused(request, exc):
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(Exception)
    async def failed(request, exc):  # a bug of ours: one sentence, never a traceback page
        return JSONResponse({"error": live.internal_error(exc)}, status_code=500)

    @app.get("/")
    async def page():
        return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)

    @app.get("/api/options")
    async def get_options():
        return options()

    @app.post("/api/train")
    async def train(request: Request):
        body = await read_json(request)
        return await asyncio.to_thread(train_request, body)

    app.state.sockets = 0

    @app.websocket("/ws")
    async def socket_endpoint(websocket: WebSocket):
        if app.state.sockets >= MAX_SOCKETS:
            await websocket.accept()
            await websocket.send_json({"type": "error", "status": 503, "message": (
                f"server: {MAX_SOCKETS} playground pages are open already, the most one server "
                "serves; close one and reload this page.")})
            return await websocket.close(code=1013)  # 1013: try again later
        app.state.sockets += 1
        try:
            await live.Connection(websocket, app.state.loops, options()).serve()
        finally:
            app.state.sockets -= 1

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(GuardMiddleware, guard=Guard(host, port))
    return app


async def read_json(request):
    """The request's JSON object, refusing bodies over the limit before reading them whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > spec.MAX_BODY:
        too_big(int(declared))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > spec.MAX_BODY:
            too_big(size)
        chunks.append(chunk)
    return parse_json(b"".join(chunks))


def too_big(size):
    raise XornetError(f"body: the request is {size:,} bytes, more than the {spec.MAX_BODY:,}-"
                      "byte (64 KiB) limit; send less data.")


def parse_json(raw):
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise XornetError("body: the request is not valid JSON; send one JSON object.") from None
    if not isinstance(doc, dict):
        raise XornetError("body: expected one JSON object such as "
                          '{"config": {"dataset": "xor"}, "epochs": 100}.')
    return spec.check_text(doc)


def train_request(body):
    """POST /api/train: {"config": {...}, "epochs": n, "csv": {"name", "text"}} → result."""
    unknown = [k for k in body if k not in ("config", "epochs", "csv")]
    if unknown:
        raise XornetError(f"body: unknown field {unknown[0]!r}; send config, epochs and "
                          "optionally csv.")
    epochs = body.get("epochs", 0)
    cap = spec.MAX_EPOCHS_PER_REQUEST
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 0 <= epochs <= cap:
        raise XornetError(f"epochs: received {epochs!r}; give a whole number from 0 to {cap:,}"
                          " (the cap of one request).")
    session = Session()
    csv = body.get("csv")
    if csv is not None:
        if not isinstance(csv, dict) or not isinstance(csv.get("text"), str):
            raise XornetError('csv: expected {"name": "data.csv", "text": "x1,x2,y\\n..."}.')
        session.upload_csv(csv.get("name"), csv["text"])
    session.configure(body.get("config", {}))
    frame, reason = session.train_for(epochs, TRAIN_SECONDS)
    return {
        "config": session.spec.as_dict(), "data": session.data_name, "epochs": frame["epoch"],
        "stop_reason": reason,
        "loss": frame["loss"], "solved": frame["solved"],
        "solved_epoch": frame["solved_epoch"], "max_error": frame["max_error"],
        "diverged": frame["diverged"], "weights": frame["weights"], "biases": frame["biases"],
        "loss_curve": frame["losses"],
        "test_loss": frame["test_loss"], "test_loss_curve": frame["test_losses"],
        "accuracy": frame["accuracy"], "test_accuracy": frame["test_accuracy"],
    }


# --- running it ------------------------------------------------------------------------------
def bind(host, port):
    """A listening socket on host:port (port 0: any free port), or one clear sentence."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except socket.gaierror:
        raise XornetError(f"--host: {host!r} is not a name or address of this machine; use "
                          "127.0.0.1.") from None
    except OSError as e:
        raise XornetError(f"--port: cannot listen on {host}:{port} ({e.strerror}); choose "
                          "another port with --port.") from None
    sock.setblocking(False)
    return sock


def url_for(host, port):
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def make_server(sock, host):
    """A uvicorn server for the app on ``sock`` (not yet running)."""
    import uvicorn

    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(host, port), log_level="warning", lifespan="off",
                            ws_max_size=MAX_FRAME)  # below it, too large gets our sentence
    return uvicorn.Server(config)


def serve(host, port, open_browser=True, echo=print, warn=print):
    """Run the playground until interrupted; prints the URL (and a warning off localhost)."""
    if not is_local(host):
        warn(f"warning: --host {host} makes the playground reachable from other machines; "
             "anyone who can reach it can use it. Use 127.0.0.1 unless you mean this.")
    sock = bind(host, port)
    url = url_for(host, sock.getsockname()[1])
    server = make_server(sock, host)
    echo(f"xornet playground: {url}  (Ctrl+C to stop)")
    if open_browser:
        webbrowser.open(url)
    run(server, sock)


def run(server, sock):
    server.run(sockets=[sock])
