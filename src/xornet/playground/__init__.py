"""The playground: a live page on localhost that trains a real xornet network in the browser.

The server (FastAPI on uvicorn) runs the library itself — every number on the page comes
from ``xornet.core.network``, ``xornet.explain.trace``, ``xornet.explain.logic`` and
``xornet.doctor.diagnose`` — and streams views over a WebSocket; the page in ``static/`` is plain
HTML, CSS and JavaScript.

Modules: ``spec`` (the configuration and its limits), ``stepper`` (training one update at a
time), ``frames`` (the numbers behind each view), ``insights`` (logic lens and doctor panels),
``session`` (one page's state), ``success`` (the success-rate panel: 1,000 seeds of the
page's set-up through the population trainer), ``live`` (the WebSocket), ``guard`` (Host and
Origin checks), ``server`` (routes and running). ``xornet playground`` starts it.
"""

# ruff: noqa: E402 (the check below runs before the imports that need the extra)
from xornet.errors import require

require("playground", "playground")  # one sentence naming `pip install 'xornet[playground]'`

from xornet.playground.server import create_app, serve

__all__ = ["create_app", "serve"]
