"""Run every benchmark one after another and print one markdown summary for the README.

``make bench`` runs this file. Each benchmark also runs on its own (see benchmarks/README.md).
The comparisons with the peers (JAX, PyTorch, scikit-learn: the ``bench`` extra) run when
those are installed, and are skipped with a note otherwise.
"""

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling bench_* modules

import bench_classic
import bench_default
import bench_fractal
import bench_peers_digits
import bench_peers_population
import bench_peers_single
import bench_startup

PEERS = {"population": ("jax", "torch"), "fractal": ("jax",), "single": ("sklearn", "torch"),
         "digits": ("sklearn", "torch")}


def missing(names):
    return [n for n in names if importlib.util.find_spec(n) is None]


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine():
    return {
        "cpu": cpu_model(), "cores": os.cpu_count(), "os": platform.platform(terse=True),
        "python": platform.python_version(), "numpy": np.__version__,
    }


def section(title):
    print(f"\n## {title}\n", flush=True)


def summary(m, classic, default, startup, peers):
    print("| benchmark | result |")
    print("|---|---|")
    print(f"| machine | {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
          f"NumPy {m['numpy']} |")
    print(f"| classic 2-3-1, {classic['epochs']} epochs: xornet `fit` | "
          f"{classic['xornet_best']:.1f} µs/epoch best, {classic['xornet_median']:.1f} median |")
    print(f"| classic 2-3-1: plain NumPy script | {classic['plain_best']:.1f} µs/epoch best, "
          f"{classic['plain_median']:.1f} median |")
    print(f"| classic 2-3-1: xornet / plain | {classic['ratio_best']:.2f}× best, "
          f"{classic['ratio_median']:.2f}× median |")
    print(f"| default preset, seeds 0..{default['seeds'] - 1} | solved "
          f"{default['solved']}/{default['seeds']}; fit {default['median_ms']:.2f} ms median, "
          f"{default['p95_ms']:.2f} ms p95, {default['max_ms']:.2f} ms max; "
          f"≤ {default['max_epochs']} epochs |")
    for key, label in (("python", "`python -c pass`"), ("import", "`import xornet`"),
                       ("help", "`xornet --help`")):
        times = startup[key]
        value = (f"{min(times) * 1e3:.0f} ms best, {np.median(times) * 1e3:.0f} ms median"
                 if times else f"unavailable ({startup.get(key + '_error')})")
        print(f"| start-up: {label} | {value} |")
    if startup["import"] is not None:
        print(f"| heavy modules in `import xornet` | {', '.join(startup['heavy']) or 'none'} |")
    for line in peer_lines(peers):
        print(line)


def peer_lines(peers):
    """Summary rows for the peer comparisons that ran."""
    if "population" in peers:
        rows = peers["population"]
        by = {(r["kind"], r["n"]): r for r in rows}
        for n in sorted({r["n"] for r in rows}):
            x, j, t = by.get(("xornet", n)), by.get(("jax", n)), by.get(("torch", n))
            if not (x and j and t):
                continue
            rate = {k: n * r["epochs"] / r["wall"] / 1e6 for k, r in
                    (("x", x), ("j", j), ("t", t))}
            yield (f"| population N = {n:,}, {x['epochs']} epochs, end to end (fresh process) | "
                   f"xornet {rate['x']:.3g} M net-epochs/s, JAX {rate['j']:.3g}, PyTorch "
                   f"{rate['t']:.3g}: xornet = {rate['x'] / rate['j']:.2f}× JAX |")
    if "fractal" in peers:
        r = peers["fractal"]
        yield (f"| trainability map {r['size']}², {r['steps']} steps (`xornet fractal`) | "
               f"xornet {r['xornet_train']:.2f} s training (+ {r['xornet_load']:.2f} s kernel "
               f"load), JAX {r['jax_second']:.2f} s (+ compile: {r['jax_first']:.2f} s first "
               f"call): xornet = {r['jax_second'] / r['xornet_train']:.2f}× JAX |")
    if "single" in peers:
        rows, seeds = peers["single"]["rows"], peers["single"]["seeds"]
        for name in ("xornet", "sk-lbfgs", "torch", "plain"):
            r = rows[name]
            yield (f"| one XOR net, until solved: {bench_peers_single.METHODS[name][0]} | "
                   f"solved {r['solved']}/{seeds}; {r['median_ms']:.2f} ms median, "
                   f"{r['p95_ms']:.2f} ms p95 |")
        e = peers["single_epoch"]["best"]
        yield (f"| textbook epoch: plain NumPy / xornet `fit` / PyTorch | {e['plain']:.1f} / "
               f"{e['xornet']:.1f} / {e['torch']:.1f} µs |")
    if "digits" in peers:
        b = peers["digits"]["best"]
        yield (f"| digits 64-128-10, mini-batch 32: xornet (float64) / PyTorch float64 / "
               f"float32 | {b['xornet']:.4f} / {b['torch64']:.4f} / {b['torch32']:.4f} s per "
               "epoch |")


def run_peers(args, m):
    """The three comparisons with the peers; each is skipped if a peer is not installed."""
    peers = {}
    absent = missing(PEERS["population"])
    section("Peers: population throughput (xornet, JAX, PyTorch, NumPy loop)")
    if absent:
        print(f"skipped: {', '.join(absent)} not installed (pip install -e '.[bench]')")
    else:
        sizes, epochs, repeats, loop = (1000, 10000, 100000), 2000, args.peer_repeats, 300
        if args.quick:
            sizes, epochs, repeats, loop = (1000, 10000), 200, 1, 20
        peers["population"] = bench_peers_population.measure(sizes, epochs, repeats, loop)
        bench_peers_population.report(peers["population"], m)
    absent = missing(PEERS["fractal"])
    section("Peers: the trainability map (xornet, JAX)")
    if absent:
        print(f"skipped: {', '.join(absent)} not installed (pip install -e '.[bench]')")
    else:
        size = 128 if args.quick else 512
        peers["fractal"] = bench_fractal.measure(size, 500)
        bench_fractal.report(peers["fractal"])
    absent = missing(PEERS["single"])
    section("Peers: one network, time to solve XOR")
    if absent:
        print(f"skipped: {', '.join(absent)} not installed (pip install -e '.[bench]')")
    else:
        seeds, repeats, epochs = (5, 1, 500) if args.quick else (100, args.peer_repeats, 5000)
        peers["single"] = bench_peers_single.measure(seeds, repeats)
        peers["single_epoch"] = bench_peers_single.measure_epoch(epochs, max(repeats, 3))
        bench_peers_single.report(peers["single"], peers["single_epoch"], m)
    absent = missing(PEERS["digits"])
    section("Peers: digits, mini-batch 32 (xornet, PyTorch)")
    if absent:
        print(f"skipped: {', '.join(absent)} not installed (pip install -e '.[bench]')")
    else:
        epochs, repeats = (2, 1) if args.quick else (10, max(args.peer_repeats, 5))
        peers["digits"] = bench_peers_digits.measure(epochs, repeats)
        bench_peers_digits.report(peers["digits"], m)
    return peers


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--classic-repeats", type=int, default=5)
    p.add_argument("--classic-epochs", type=int, default=20000)
    p.add_argument("--default-seeds", type=int, default=1000)
    p.add_argument("--startup-repeats", type=int, default=10)
    p.add_argument("--peer-repeats", type=int, default=3,
                   help="fresh processes / sweeps per peer comparison (best kept)")
    p.add_argument("--no-peers", action="store_true",
                   help="skip the comparisons with JAX, PyTorch and scikit-learn")
    p.add_argument("--quick", action="store_true", help="few repeats: a smoke test")
    args = p.parse_args()
    if args.quick:
        args.classic_repeats, args.classic_epochs = 2, 2000
        args.default_seeds, args.startup_repeats = 50, 2

    t0 = time.perf_counter()
    m = machine()
    section("Classic workload: xornet vs a plain NumPy script")
    classic = bench_classic.measure(args.classic_repeats, args.classic_epochs)
    bench_classic.report(classic)
    section("Default preset: time to solve XOR")
    default = bench_default.measure(args.default_seeds)
    bench_default.report(default)
    section("Start-up")
    startup = bench_startup.measure(args.startup_repeats)
    bench_startup.report(startup)
    peers = {} if args.no_peers else run_peers(args, m)
    section("Summary")
    summary(m, classic, default, startup, peers)
    print(f"\n(all benchmarks took {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
