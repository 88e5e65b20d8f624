"""Population throughput: N networks trained at once by ``xornet.population.trainer``.

Workload (issue 5): XOR, 2-3-1, sigmoid hidden and output units, bias, weights uniform in
[-1, 1), ½·SSE, learning rate 1, full batch, no early stop, 2000 epochs, seeds 0..N-1.

Every measurement runs in a fresh process, so start-up counts: the interpreter, the imports,
loading the compiled kernel from numba's on-disk cache, drawing N initial networks, training
and the final evaluation. Reported per run: the process's wall time and network-epochs per
second over it (end to end), the training alone (network-epochs/s), the setup (checks and
initial draws), the kernel load, and the peak resident memory of the process with its
resident memory just before training (the difference is what the population costs).
The kernel's compile time is measured once from an empty cache (a temporary
``NUMBA_CACHE_DIR``). Then it checks the results: the numba and NumPy paths against each
other for every network at N = 10³, and the first seeds against ``xornet.train.config.run``.

For reference, one network at a time: ``xornet.train.config.run`` in a loop over a few seeds.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()

WORKLOAD = dict(hidden=(3,), activation="sigmoid", output_activation="sigmoid", bias=True,
                init="uniform", loss="sse", optimizer="sgd", momentum=0.0, lr=1.0,
                batch_size=None, stop_when_solved=False)


def _rss_mb(field):
    """VmRSS (now) or VmHWM (peak) of this process in MB, from /proc (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def worker(kind, n, epochs, threads, save):
    """One measurement in this (fresh) process; prints one JSON line."""
    import numpy as np

    import xornet
    from xornet.population.trainer import train_population
    from xornet.train.config import RunConfig, run

    X, y = xornet.datasets.load("xor")
    cfg = RunConfig(**WORKLOAD, epochs=epochs)
    out = {"kind": kind, "n": n, "epochs": epochs}
    if kind == "loop":  # one network at a time, the plain path
        t = time.perf_counter()
        for seed in range(n):
            run(cfg.with_(seed=seed), X, y)
        out["train"] = time.perf_counter() - t
    else:
        if kind == "numba":
            from xornet.population import kernel

            out["compile"] = kernel.load()  # import numba, then compile or load the cache
        out["rss_before"] = _rss_mb("VmRSS")
        r = train_population(cfg, X, y, n, backend=kind, threads=threads)
        out.update(setup=r.setup_time, train=r.train_time, solved=r.success_rate,
                   diverged=int(r.diverged.sum()))
        if save:
            np.save(save, r.params)
    out["in_process"] = time.perf_counter() - START
    out["rss_peak"] = _rss_mb("VmHWM")
    print(json.dumps(out))


def spawn(kind, n, epochs, threads=None, save=None, env=None):
    cmd = [sys.executable, __file__, "--worker", kind, "--n", str(n), "--epochs", str(epochs)]
    if threads:
        cmd += ["--threads", str(threads)]
    if save:
        cmd += ["--save", save]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{kind} N={n} failed:\n{done.stderr}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def best_of(repeats, *args, **kw):
    runs = [spawn(*args, **kw) for _ in range(repeats)]
    return min(runs, key=lambda r: r["wall"])


def check(epochs, tmp, n=1000, n_alone=20):
    """Max relative difference per network: numba vs numpy (N = n), and numba vs
    ``config.run`` for the first n_alone seeds."""
    import numpy as np

    import xornet
    from xornet.train.config import RunConfig, run

    a, b = (str(Path(tmp) / f"{k}.npy") for k in ("numba", "numpy"))
    spawn("numba", n, epochs, save=a)
    spawn("numpy", n, epochs, save=b)
    a, b = np.load(a), np.load(b)
    rel = float(np.max(np.abs(a - b).max(axis=1) / np.abs(b).max(axis=1)))
    X, y = xornet.datasets.load("xor")
    cfg = RunConfig(**WORKLOAD, epochs=epochs)
    alone = max(
        float(np.max(np.abs(run(cfg.with_(seed=k), X, y)[0].params - a[k])) / np.abs(a[k]).max())
        for k in range(n_alone))
    return {"n": n, "numba_vs_numpy": rel, "n_alone": n_alone, "numba_vs_alone": alone}


def fmt_row(name, r):
    work = r["n"] * r["epochs"]
    compile_ = f"{r['compile']:.2f}" if "compile" in r else "–"
    setup = f"{r['setup']:.2f}" if "setup" in r else "–"
    rss = (f"{r['rss_peak']:.0f} ({r['rss_peak'] - r['rss_before']:+.0f})"
           if "rss_before" in r else f"{r['rss_peak']:.0f}")
    end_to_end = f"{work / r['wall'] / 1e6:.1f}" if name != "`config.run` loop" else "–"
    return (f"| {name} | {r['n']:,} | {r['epochs']} | {r['wall']:.2f} | {end_to_end} | "
            f"{work / r['train'] / 1e6:.2f} | {setup} | {compile_} | {rss} |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="population sizes N")
    p.add_argument("--epochs", type=int, default=2000)
    p.add_argument("--numpy-max", type=int, default=10000, help="largest N for the NumPy path")
    p.add_argument("--loop-seeds", type=int, default=10, help="seeds for the one-at-a-time loop")
    p.add_argument("--repeats", type=int, default=3, help="fresh processes per size (best kept)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--quick", action="store_true", help="small sizes and epochs: a smoke run")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    p.add_argument("--save", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.n, args.epochs, args.threads, args.save)
    if args.quick:
        args.sizes, args.epochs, args.repeats, args.loop_seeds = "1000,10000", 200, 1, 3
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        cold = spawn("numba", 8, 2, env={"NUMBA_CACHE_DIR": str(Path(tmp) / "cache")})
        spawn("numba", 8, 2)  # fill the usual cache if it is stale
        rows = [("numba", best_of(args.repeats, "numba", n, args.epochs, args.threads))
                for n in sizes]
        rows += [("NumPy (population on the last axis)",
                  best_of(args.repeats, "numpy", n, args.epochs)) for n in sizes
                 if n <= args.numpy_max]
        rows.append(("`config.run` loop", spawn("loop", args.loop_seeds, args.epochs)))
        checked = check(args.epochs, tmp, n=min(1000, min(sizes)))

    print(f"2-3-1 sigmoid/sigmoid, bias, uniform [-1, 1), sse, lr 1, full batch, "
          f"{args.epochs} epochs; best of {args.repeats} fresh processes per row\n")
    print("| path | N | epochs | process wall s | M net-epochs/s end to end | "
          "M net-epochs/s training | setup s | kernel load s | peak RSS MB (training) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(fmt_row(name, r))
    print(f"\nkernel compile from an empty cache: {cold['compile']:.1f} s (first use only; "
          "later processes load the cached machine code)")
    print(f"numba vs NumPy, every network of N = {checked['n']:,}: max relative difference "
          f"{checked['numba_vs_numpy']:.1e}; numba vs `config.run`, seeds "
          f"0..{checked['n_alone'] - 1}: {checked['numba_vs_alone']:.1e}")
    return rows


if __name__ == "__main__":
    main()
