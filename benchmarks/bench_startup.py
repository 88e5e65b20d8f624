"""Start-up cost: ``xornet --help`` and ``python -c "import xornet"`` from fresh processes.

Also lists the packages outside the standard library that ``import xornet`` pulls in (only
numpy is expected: the core must not import matplotlib, scipy, typer, rich or a web
framework) and the slowest top-level imports according to ``python -X importtime``.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Packages that must stay out of ``import xornet``: plotting, CLI and web frameworks.
HEAVY = ("matplotlib", "scipy", "typer", "click", "rich", "pandas", "sklearn", "torch",
         "jax", "PIL", "IPython", "fastapi", "starlette", "uvicorn", "flask", "aiohttp")

LIST_MODULES = (
    "import sys, xornet; print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
)


def xornet_command():
    """The ``xornet`` console script of this interpreter's environment, or None."""
    beside = Path(sys.executable).with_name("xornet")
    if beside.exists():
        return str(beside)
    return shutil.which("xornet")


def time_command(cmd, repeats):
    """Wall seconds of ``cmd`` per run; (times, None) or (None, why it failed)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
        times.append(time.perf_counter() - t)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
            return None, f"exit code {proc.returncode}: {tail}"
    return times, None


def imported_packages():
    proc = subprocess.run([sys.executable, "-c", LIST_MODULES], capture_output=True, text=True,
                          check=True)
    names = set(proc.stdout.split())
    third_party = sorted(n for n in names
                         if n not in sys.stdlib_module_names and not n.startswith("_"))
    return third_party, sorted(n for n in HEAVY if n in names), len(names)


def slowest_imports(count=8):
    """The top-level imports of ``import xornet`` with the largest cumulative time (ms)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import xornet"],
                          capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if cumulative.isdigit() and "." not in name:
            rows.append((int(cumulative) / 1000, name))
    return sorted(rows, reverse=True)[:count]


def measure(repeats=10):
    result = {"repeats": repeats}
    imp, why = time_command([sys.executable, "-c", "import xornet"], repeats)
    bare, _ = time_command([sys.executable, "-c", "pass"], repeats)
    result["import"] = imp
    result["import_error"] = why
    result["python"] = bare
    exe = xornet_command()
    if exe is None:
        result["help"], result["help_error"] = None, "the xornet command is not installed"
    else:
        result["help"], result["help_error"] = time_command([exe, "--help"], repeats)
    if imp is not None:
        result["third_party"], result["heavy"], result["n_modules"] = imported_packages()
        result["slowest"] = slowest_imports()
    return result


def _ms(times):
    return f"{min(times) * 1e3:.0f} | {statistics.median(times) * 1e3:.0f}"


def report(r):
    print(f"fresh processes, {r['repeats']} runs each\n")
    print("| command | best ms | median ms |")
    print("|---|---|---|")
    print(f"| `python -c pass` (interpreter alone) | {_ms(r['python'])} |")
    for key, label in (("import", "`python -c \"import xornet\"`"), ("help", "`xornet --help`")):
        if r[key] is None:
            print(f"| {label} | unavailable: {r[key + '_error']} | |")
        else:
            print(f"| {label} | {_ms(r[key])} |")
    if r["import"] is None:
        return
    print(f"\n`import xornet` loads {r['n_modules']} top-level modules; outside the standard "
          f"library: {', '.join(r['third_party']) or 'none'}")
    heavy = ", ".join(r["heavy"])
    print(f"heavy modules imported: {heavy or 'none'}" + (" ← should not be" if heavy else ""))
    print("\nslowest top-level imports (cumulative ms): "
          + ", ".join(f"{name} {ms:.1f}" for ms, name in r["slowest"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=10, help="fresh processes per command")
    args = p.parse_args()
    report(measure(args.repeats))


if __name__ == "__main__":
    main()
