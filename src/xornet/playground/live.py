"""The live WebSocket: one Session and at most one training loop per connection.

The page sends small JSON messages (``{"type": "play"}``, ``{"type": "set_weight", ...}``);
the server answers with ``config``, ``data``, ``frame``, ``insights``, ``explain``, ``model``,
``state`` and ``error`` messages. While playing, a loop trains ``speed`` epochs, sends one
frame, and sleeps to the next frame time (30 per second at most). The loop ends when the page
pauses, the run is solved (if asked), diverges, or the page goes away.

Work on the session runs in a worker thread, one piece at a time (``lock``), so a large
network never stalls the server, and a message can never see a half-made update.

The success-rate panel (``success.py``) trains 1,000 seeds of the configuration on screen in
another worker thread, at most one job per page: a job starts after half a second without a
new configuration; a new configuration cancels a job that has not started and replaces the
one that runs (its result is dropped, never shown), and a job for a configuration already
measured is not run again (a new seed below 1,000 only moves the marker). The page gets
``success`` messages: ``running``, ``done`` or ``refused``.
"""

import asyncio
import contextlib
import json
import time

from starlette import websockets
from starlette.websockets import WebSocketDisconnect

from xornet.errors import XornetError
from xornet.playground import spec, success
from xornet.playground.session import Session

FRAME_INTERVAL = 1 / 30  # seconds between view updates while playing
INSIGHTS_EVERY = 15  # frames between logic-lens updates while playing (two per second)
DEFAULT_SPEED = 1  # epochs per view update: the page's default run solves XOR in 48
# The messages after which the panel's configuration may have changed.
CHANGES_SETUP = ("config", "load_model", "load_builtin", "csv", "set_weight")
# What sending to a page that has gone raises (older Starlette: a plain RuntimeError).
GONE = (WebSocketDisconnect, getattr(websockets, "WebSocketDisconnected", RuntimeError), OSError)


class Connection:
    """One page's socket."""

    def __init__(self, websocket, loops, options):
        self.ws, self.loops, self.options = websocket, loops, options
        self.session = Session()
        self.lock = asyncio.Lock()  # one piece of work on the session at a time
        self.send_lock = asyncio.Lock()
        self.speed = DEFAULT_SPEED
        self.playing = False
        self.loop_task = None
        self.wanted = None  # the success panel's job for the configuration on screen
        self.measured = None  # the last finished success.Outcome
        self.job_task = None  # the task waiting for the running job, one at most
        self.handlers = {
            "config": lambda m: self.session.configure(_field(m, "config", dict)),
            "reset": lambda m: [self._reset()],
            "step": lambda m: [self.session.step(), self.session.insights()],
            "epoch": lambda m: [self.session.epoch(), self.session.insights()],
            "set_weight": lambda m: [self.session.set_weight(
                m.get("layer"), m.get("row"), m.get("col"), m.get("value")),
                self.session.insights()],
            "explain": lambda m: [self.session.explain(m.get("index"))],
            "insights": lambda m: [self.session.insights()],
            "save": lambda m: [self.session.model_document()],
            "load_model": lambda m: self.session.load_model(
                m.get("name"), _field(m, "text", str)),
            "load_builtin": lambda m: self.session.load_builtin(_field(m, "name", str)),
            "csv": lambda m: self.session.upload_csv(m.get("name"), _field(m, "text", str)),
        }

    async def serve(self):
        await self.ws.accept()
        await self.send({"type": "hello", "options": self.options, "speed": self.speed})
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    text = (message.get("bytes") or b"").decode("utf-8", "replace")
                await self.handle(text)
        except GONE:
            pass
        finally:
            await self.stop_loop()  # the page went away: its training stops with it
            self.cancel_job()
            if self.job_task is not None:  # a running job ends on its own; its result is dropped
                self.job_task.cancel()

    async def handle(self, text):
        try:
            size = len(text.encode("utf-8"))
            if size > spec.MAX_BODY:
                raise XornetError(f"body: the message is {size:,} bytes, more than the "
                                  f"{spec.MAX_BODY:,}-byte (64 KiB) limit; send a smaller file.")
            message = _parse(text)
            kind = message["type"]
            if kind == "play":
                return await self.start_loop()
            if kind == "pause":
                await self.stop_loop()
                return await self.send_state()
            if kind == "speed":
                self.speed = _speed(message.get("value"))
                return await self.send_state()
            if kind not in self.handlers:
                raise XornetError(f"type: unknown message type {kind!r}; use one of play, pause, "
                                  f"speed, {', '.join(self.handlers)}.")
            if kind in ("config", "reset", "load_model", "load_builtin", "csv"):
                await self.stop_loop()  # a new set-up starts paused
            async with self.lock:
                replies = await asyncio.to_thread(self.handlers[kind], message)
            for reply in replies:
                await self.send(reply)
            await self.send_state()
            if kind in CHANGES_SETUP:
                await self.refresh_success()
        except XornetError as e:
            await self.send({"type": "error", "status": 400, "message": str(e)})
        except GONE:
            raise
        except Exception as e:  # a bug of ours: say so in one sentence and keep the page open
            await self.send({"type": "error", "status": 500, "message": internal_error(e)})

    def _reset(self):
        self.session.reset()
        return self.session.frame()

    # --- the success-rate panel -----------------------------------------------------
    async def refresh_success(self):
        """Show the panel for the configuration now on screen, training it if need be."""
        async with self.lock:
            try:
                job = success.job_for(self.session)
            except XornetError as e:
                job, refusal = None, str(e)
        if job is None:
            self.cancel_job()
            return await self.send(success.refused(refusal))
        known = (self.measured if self.measured is not None and self.measured.key == job.key
                 else success.cached(job.key))
        if known is not None:
            self.cancel_job()  # the numbers are known: only the seed's marker may move
            self.measured = known
            return await self.send(success.panel(known, job))
        if self.wanted is not None and self.wanted.key == job.key:
            self.wanted = job  # already training these numbers: the marker follows the page
            return None
        self.cancel_job()
        self.wanted = job
        await self.send(success.running(job))
        if self.job_task is None:
            self.job_task = asyncio.create_task(self._train_jobs())

    def cancel_job(self):
        if self.wanted is not None:
            self.wanted.cancelled.set()
        self.wanted = None

    async def _train_jobs(self):
        """Train the wanted job until the finished one is still the one wanted."""
        try:
            while self.wanted is not None:
                job = self.wanted
                await asyncio.sleep(success.QUIET)  # a burst of edits trains once, at its end
                if self.wanted is not job:
                    continue
                try:
                    outcome = await asyncio.get_running_loop().run_in_executor(
                        success.WORKER, success.train, job)
                except Exception as e:  # the trainer refuses this set-up (or a bug of ours)
                    if self.wanted is not None and self.wanted.key == job.key:
                        self.wanted = None
                        await self._send_quietly(success.refused(
                            f"success rate: the population trainer cannot train this set-up: "
                            f"{str(e)[0].lower()}{str(e)[1:]}" if isinstance(e, XornetError)
                            else internal_error(e)))
                    continue
                current = self.wanted
                if outcome is not None and current is not None and current.key == outcome.key:
                    self.measured, self.wanted = outcome, None
                    await self._send_quietly(success.panel(outcome, current))
        finally:
            self.job_task = None

    # --- the training loop ------------------------------------------------------------
    async def start_loop(self):
        if self.loop_task is None:  # one loop per connection: a second play changes nothing
            self.playing = True
            self.loop_task = asyncio.create_task(self._loop())
            self.loops.add(self.loop_task)
        await self.send_state()

    async def stop_loop(self):
        self.playing = False
        task = self.loop_task
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)

    async def _loop(self):
        stepper = self.session.stepper
        finished_before = stepper.finished()  # play on a finished run trains on
        frames = 0
        try:
            while self.playing and self.session.stepper is stepper:
                started = time.perf_counter()
                async with self.lock:
                    frame = await asyncio.to_thread(self.session.run_epochs, self.speed)
                await self.send(frame)
                frames += 1
                if stepper.diverged or (stepper.finished() and not finished_before):
                    break
                if frames % INSIGHTS_EVERY == 0:
                    async with self.lock:
                        panel = await asyncio.to_thread(self.session.insights, False)
                    await self.send(panel)
                await asyncio.sleep(max(0.0, FRAME_INTERVAL - (time.perf_counter() - started)))
        except XornetError as e:
            await self._send_quietly({"type": "error", "status": 400, "message": str(e)})
        except GONE:
            return  # the page is gone; nothing to tell it
        finally:
            self.playing = False
            self.loops.discard(self.loop_task)
            self.loop_task = None
        async with self.lock:
            panel = await asyncio.to_thread(self.session.insights)
        await self._send_quietly(panel)
        await self._send_quietly(self._state())

    # --- sending ----------------------------------------------------------------------
    def _state(self):
        return {"type": "state", "playing": self.playing, "speed": self.speed}

    async def send_state(self):
        await self.send(self._state())

    async def send(self, obj):
        text = json.dumps(obj, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        async with self.send_lock:
            await self.ws.send_text(text)

    async def _send_quietly(self, obj):
        with contextlib.suppress(*GONE):
            await self.send(obj)


def internal_error(error):
    """The sentence for a failure that is xornet's own fault, not the request's."""
    return (f"server: this request failed inside xornet ({type(error).__name__}); the page "
            "stays usable — please report it with the steps that led here.")


def _parse(text):
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):
        raise XornetError("message: not valid JSON; send one JSON object with a type.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise XornetError('type: every message is a JSON object with a "type", such as '
                          '{"type": "play"}.')
    return spec.check_text(message, "message")


def _field(message, name, kind):
    value = message.get(name)
    if not isinstance(value, kind):
        what = {dict: "a JSON object", str: "text"}[kind]
        raise XornetError(f"{name}: expected {what}; received {type(value).__name__}.")
    return value


def _speed(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= spec.MAX_SPEED:
        raise XornetError(f"speed: received {value!r}; give a whole number of epochs per view "
                          f"update from 1 to {spec.MAX_SPEED}.")
    return value
