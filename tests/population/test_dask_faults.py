"""Faults of a sweep's cluster and of the person at the keyboard, each ending in one sentence
within a bounded time (never a traceback, never a hang):

- an address that answers, but not as a Dask scheduler (a web server);
- the cluster's last worker gone mid-sweep, and the scheduler gone mid-sweep;
- Ctrl+C during a local sweep and during a Dask sweep (which also cancels the cluster's tasks).

Clusters are ``LocalCluster``s on this machine; the "web server" is a socket on 127.0.0.1.
Bounds are generous time-outs on waiting (a hang fails the test), never timing assertions.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import distributed
import numpy as np
import pytest

from xornet.errors import XornetError
from xornet.population import sweep
from xornet.train.config import RunConfig

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])
XORNET = [sys.executable, "-m", "xornet"]


def _slow_grid(cells):
    # NumPy cells of a few seconds each, so a fault can strike while they run
    base = RunConfig(hidden=(8,), epochs=4000, stop_when_solved=False)
    return sweep.make_grid(base, lr=[0.1 * (k + 1) for k in range(cells)])


@pytest.fixture
def web_server():
    """A TCP server on 127.0.0.1 that answers anything with an HTTP reply."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" * 40)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    server.close()


def test_a_web_server_given_as_the_scheduler_is_one_sentence(web_server):
    out = subprocess.run([*XORNET, "sweep", "--seeds", "2", "--epochs", "2", "--dask", web_server],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "did not answer as a Dask scheduler" in out.stderr and web_server in out.stderr


def test_the_last_worker_leaving_mid_sweep_ends_the_sweep_with_one_sentence():
    with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        done = []

        def leave(result):  # after the first cell, the only worker goes away
            done.append(result.index)
            if len(done) == 1:
                cluster.scale(0)

        with pytest.raises(XornetError) as e:
            sweep.run_dask(_slow_grid(4), X, Y, 50, cluster.scheduler_address,
                           backend="numpy", on_cell=leave, lost_timeout=3)
    assert "has had no worker for 3 s" in str(e.value) and "of 4 cells done" in str(e.value)


def test_the_scheduler_going_away_mid_sweep_ends_the_sweep_with_one_sentence():
    cluster = distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                       dashboard_address=None)
    try:
        def close(result):
            if result is not None:
                cluster.close()

        with pytest.raises(XornetError) as e:
            sweep.run_dask(_slow_grid(4), X, Y, 50, cluster.scheduler_address,
                           backend="numpy", on_cell=close, lost_timeout=3)
        message = str(e.value)
        assert "scheduler" in message and ("lost" in message or "no worker" in message)
        assert "install" not in message  # it is not the workers' xornet that is missing
    finally:
        cluster.close()


def _interrupt(cmd, after=6.0, env=None):
    """Start ``cmd`` in its own process group, let it run ``after`` seconds (start-up,
    set-up, into the training), then send Ctrl+C to the group as a terminal does; return
    (exit code, output)."""
    # A shell runs background jobs with Ctrl+C ignored, and children inherit that: give the
    # command the default handling a terminal's foreground command has.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, **(env or {})},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(after)
    assert proc.poll() is None, proc.communicate()[0]  # still training: the case is real
    os.killpg(proc.pid, signal.SIGINT)
    try:
        output, _ = proc.communicate(timeout=60)  # a sweep that ignores Ctrl+C fails here
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the sweep did not stop within 60 s of Ctrl+C")
    return proc.returncode, output


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_ctrl_c_stops_a_local_sweep_promptly(backend):
    # a sweep of several minutes: 4 cells × 20000 networks × 20000 epochs
    cmd = [*XORNET, "sweep", "--lr", "0.1,0.2,0.3,0.4", "--seeds", "20000", "--epochs", "20000",
           "--no-early-stop", "--backend", backend]
    code, output = _interrupt(cmd, env={"COLUMNS": "100"})
    assert code == 130, output  # 128 + SIGINT, as a shell reports an interrupted command
    assert "interrupted (Ctrl+C)" in output and "Traceback" not in output


def test_ctrl_c_stops_a_dask_sweep_and_cancels_its_tasks():
    with distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        cmd = [*XORNET, "sweep", "--lr", "0.1,0.2,0.3,0.4", "--seeds", "20000", "--epochs",
               "20000", "--no-early-stop", "--backend", "numpy", "--dask",
               cluster.scheduler_address]
        code, output = _interrupt(cmd)
        assert code == 130, output
        assert "interrupted (Ctrl+C)" in output and "Traceback" not in output
        # the sweep's cells no longer run or wait on the cluster
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            left = [k for k in client.run_on_scheduler(
                lambda dask_scheduler: list(dask_scheduler.tasks)) if "xornet-sweep" in str(k)]
            if not left:
                break
            time.sleep(0.5)
        assert not left, left
