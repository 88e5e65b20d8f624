"""What ``xornet sweep`` says about its backend on a fresh install (numba's cache empty):
small work trains on NumPy with no compile and no "compiling" notice, and one line says
which backend ran and why; ``--backend numba`` announces the compile it will do.
Oracle: the cache folder itself (still empty after the NumPy run) and the JSON's cells."""

import json
import os
import subprocess
import sys

SMALL = ["sweep", "--hidden", "2,3", "--lr", "1", "--seeds", "40", "--epochs", "60"]


def _xornet(args, cache):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "xornet", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def test_a_fresh_install_trains_small_work_on_numpy_and_says_why(tmp_path):
    cache = tmp_path / "numba-cache"
    cache.mkdir()
    done = _xornet(SMALL, cache)
    assert done.returncode == 0, done.stderr
    assert "compiling" not in done.stderr
    assert "backend: numpy, as the NumPy path (estimated" in done.stdout
    assert "quicker than compiling the kernel" in " ".join(done.stdout.split())
    assert list(cache.iterdir()) == []  # nothing was compiled
    doc = json.loads(_xornet([*SMALL, "--json"], cache).stdout)
    assert doc["backend_choice"] == "numpy"
    assert [c["backend"] for c in doc["cells"]] == ["numpy", "numpy"]
    assert all(c["backend_note"] == doc["backend_note"] != "" for c in doc["cells"])
