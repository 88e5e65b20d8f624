"""The command line ends at once after loading numba (``xornet.cli._end_now``), skipping
Python's slow shutdown: what it printed must all arrive and its exit code must be the one a
normal exit gives. Oracle: the same command run through ``app()`` with the normal shutdown.
"""

import json
import subprocess
import sys

QUICK = "import sys; sys.argv[0] = 'xornet'; import numba; from xornet.cli import main; main()"
NORMAL = "import sys; sys.argv[0] = 'xornet'; import numba; from xornet.cli import app; app()"
SWEEP = ["sweep", "--dataset", "xor", "--hidden", "2,3", "--seeds", "300", "--epochs", "50",
         "--no-early-stop", "--backend", "numba", "--json"]


def _run(code, args):
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=600)


def test_all_the_output_arrives_and_the_exit_code_is_kept():
    quick, normal = _run(QUICK, SWEEP), _run(NORMAL, SWEEP)
    assert quick.returncode == normal.returncode == 0, quick.stderr
    a, b = json.loads(quick.stdout), json.loads(normal.stdout)  # whole documents, both
    assert [c["params_sha256"] for c in a["cells"]] == [c["params_sha256"] for c in b["cells"]]
    assert len(quick.stdout) > 1000


def test_an_error_keeps_its_exit_code_and_its_one_line():
    bad = ["sweep", "--seeds", "0"]
    quick, normal = _run(QUICK, bad), _run(NORMAL, bad)
    assert quick.returncode == normal.returncode == 2
    assert quick.stderr == normal.stderr and quick.stderr.count("\n") == 1
