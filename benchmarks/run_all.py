"""Run every benchmark one after another and print one markdown summary for the README.

``make bench`` runs this file. Each benchmark also runs on its own (see benchmarks/README.md).
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling bench_* modules

import bench_classic
import bench_default
import bench_startup


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


def summary(m, classic, default, startup):
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


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--classic-repeats", type=int, default=5)
    p.add_argument("--classic-epochs", type=int, default=20000)
    p.add_argument("--default-seeds", type=int, default=1000)
    p.add_argument("--startup-repeats", type=int, default=10)
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
    section("Summary")
    summary(m, classic, default, startup)
    print(f"\n(all benchmarks took {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
