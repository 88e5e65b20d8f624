"""The compiled kernel never fails a run: when numba does not load, or cannot keep its cache,
``backend="auto"`` trains on the NumPy path (same numbers) and says why, and the kernel
module is left consistent (plain Python functions, never half-compiled).

Each case runs in a fresh process, because a kernel loaded (or refused) stays so for the
life of a process. Oracles: the NumPy path's own numbers for the same seeds, and the
module's plain functions compared by identity before and after.
"""

import json
import os
import subprocess
import sys
import textwrap

RUN = textwrap.dedent("""
    import inspect, json, sys
    import numpy as np
    from xornet.population import costs, kernel
    from xornet.population.trainer import train_population
    # starting the kernel made free, so auto always wants it: these cases see what happens
    # when it cannot have it (a cold cache would otherwise send a run this small to NumPy)
    costs.COMPILE_S = costs.LOAD_S = 0.0
    from xornet.train.config import RunConfig
    X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); y = np.array([[0.], [1.], [1.], [0.]])
    cfg = RunConfig(hidden=(2,), activation="sigmoid", init="uniform", loss="sse", lr=1.0,
                    momentum=0.0, epochs=200, stop_when_solved=False)
    plain = kernel._forward
    auto = train_population(cfg, X, y, 5, backend="auto")
    ref = train_population(cfg, X, y, 5, backend="numpy")
    try:
        train_population(cfg, X, y, 5, backend="numba")
        forced = "ran"
    except Exception as e:
        forced = f"{type(e).__name__}: {e}"
    print(json.dumps({
        "backend": auto.backend, "note": auto.backend_note, "forced": forced,
        "same": bool(np.array_equal(auto.params, ref.params)),
        "diff": float(np.max(np.abs(auto.params - ref.params))),
        "plain": kernel._forward is plain and inspect.isfunction(kernel._forward),
    }))
""")


def _run(tmp_path, env=None, prelude=""):
    script = tmp_path / "run.py"
    script.write_text(prelude + RUN)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_numba_that_does_not_import_falls_back_to_numpy(tmp_path):
    fake = tmp_path / "fake" / "numba"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('numba needs an older NumPy')\n")
    doc = _run(tmp_path, {"PYTHONPATH": f"{fake.parent}{os.pathsep}"
                          f"{os.environ.get('PYTHONPATH', '')}"})
    assert doc["backend"] == "numpy" and doc["same"] and doc["plain"]
    assert "numba does not load" in doc["note"] and "older NumPy" in doc["note"]
    assert doc["forced"].startswith("XornetError: backend: the numba kernel is not available")


def test_a_cache_that_cannot_be_written_anywhere_falls_back_and_restores_the_module(tmp_path):
    # numba's own message when no cache locator works (a read-only install, no home folder)
    prelude = textwrap.dedent("""
        import numba
        real = numba.njit
        def njit(*a, **kw):
            if kw.get("cache"):
                raise RuntimeError("cannot cache function '_forward': no locator available")
            return real(*a, **kw)
        numba.njit = njit
    """)
    doc = _run(tmp_path, prelude=prelude)
    assert doc["backend"] == "numpy" and doc["same"] and doc["plain"]
    assert "no locator available" in doc["note"]
    assert "not available" in doc["forced"]


def test_a_failure_half_way_through_compiling_leaves_no_compiled_helper(tmp_path):
    # the third helper fails: the two decorated before it must be put back as well
    prelude = textwrap.dedent("""
        import numba
        real, calls = numba.njit, []
        def njit(*a, **kw):
            def decorate(f):
                calls.append(f.__name__)
                if len(calls) == 3:
                    raise TypeError("numba cannot type this")
                return real(*a, **kw)(f)
            return decorate
        numba.njit = njit
    """)
    doc = _run(tmp_path, prelude=prelude)
    assert doc["backend"] == "numpy" and doc["same"] and doc["plain"]
    assert "compiling it failed (TypeError: numba cannot type this)" in doc["note"]


def test_a_read_only_installation_compiles_into_a_temporary_cache(tmp_path):
    # A real read-only case: a copy of the package whose folders cannot be written, and a
    # home folder that cannot be written either, so numba finds no cache locator; the kernel
    # must still compile (into a temporary folder) and give the NumPy path's numbers. Folder
    # permissions do not stop root, so as root the folders are made immutable (chattr +i).
    import shutil

    import xornet

    site, home = tmp_path / "site", tmp_path / "home"
    shutil.copytree(os.path.dirname(xornet.__file__), site / "xornet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    home.mkdir()
    script = tmp_path / "run.py"
    script.write_text(RUN)
    folders = [f for f, _, _ in os.walk(site)] + [str(home)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(site), HOME=str(home), XDG_CACHE_HOME=str(home / "cache"))
    _read_only(folders, True)
    try:
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                             env=env, timeout=600)
    finally:
        _read_only(folders, False)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["backend"] == "numba" and "compiled kernel" in doc["note"]
    assert doc["diff"] < 1e-10  # the kernel agrees with the NumPy path to ~1e-13
    assert not any(name.endswith((".nbi", ".nbc")) for _, _, files in os.walk(site)
                   for name in files)  # nothing was written into the read-only package


def _read_only(folders, on):
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", *folders], check=True)
    else:
        for folder in folders:
            os.chmod(folder, 0o555 if on else 0o755)


def test_the_cache_looks_warm_only_with_a_fresh_index(tmp_path, monkeypatch):
    import hashlib
    from importlib import metadata

    from xornet.population import kernel

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    monkeypatch.setattr(kernel, "__file__", str(tmp_path / "kernel.py"))
    (tmp_path / "kernel.py").write_text("# the source")
    assert not kernel.cache_is_warm()  # no index anywhere
    version = metadata.version("numba").encode()  # numba writes its version into the index
    index = cache / "x" / "kernel._train_block-148.py311.nbi"
    index.parent.mkdir()
    index.write_bytes(version)
    os.utime(index, (1, 1))  # older than the source, no digest of it: numba would recompile
    assert not kernel.cache_is_warm()
    os.utime(index, None)  # newer than the source: an older numba's stamp
    assert kernel.cache_is_warm()
    assert kernel.cache_state() in ("warm", "loaded")
    index.write_bytes(b"0.0.1")  # written by another numba version: not loaded by this one
    assert not kernel.cache_is_warm()
    # the stamp of numba today: the SHA-256 of the source's bytes, whatever the file's time
    digest = hashlib.sha256(b"# the source").digest()
    index.write_bytes(version + b"..." + digest + b"...")
    os.utime(index, (1, 1))  # e.g. a checkout that rewrote the same source later
    assert kernel.cache_is_warm()
    (tmp_path / "kernel.py").write_text("# an edited source")
    assert not kernel.cache_is_warm()


def test_an_empty_numba_cache_dir_is_cold_whatever_lies_beside_the_source(tmp_path,
                                                                          monkeypatch):
    # numba uses NUMBA_CACHE_DIR alone when it is set: an index in __pycache__ is not read
    from importlib import metadata

    from xornet.population import kernel

    (tmp_path / "kernel.py").write_text("# the source")
    (tmp_path / "__pycache__").mkdir()
    beside = tmp_path / "__pycache__" / "kernel._train_block-148.py311.nbi"
    beside.write_bytes(metadata.version("numba").encode())
    monkeypatch.setattr(kernel, "__file__", str(tmp_path / "kernel.py"))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert kernel.cache_is_warm()
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "empty"))
    assert not kernel.cache_is_warm()
