"""Time to solve XOR with the default preset, over many seeds.

Each seed builds the default network and trains it until every output is within the
tolerance of its target (``xornet.train.config.run``). Reported: how many seeds solved, the
training-loop time (``History.wall_time``) at the median, 95th percentile and worst seed,
the whole-run time (build + train), and the epochs needed.
"""

import argparse
import time

import numpy as np

from xornet.train.config import run
from xornet.train.presets import PRESETS

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def measure(seeds=1000, first_seed=0, preset="default"):
    cfg = PRESETS[preset]
    loop, whole, epochs, solved = [], [], [], 0
    for s in range(first_seed, first_seed + seeds):
        t = time.perf_counter()
        _, hist = run(cfg.with_(seed=s), X, Y)
        whole.append(time.perf_counter() - t)
        loop.append(hist.wall_time)
        epochs.append(hist.epochs)
        solved += hist.solved
    loop, whole, epochs = np.array(loop) * 1e3, np.array(whole) * 1e3, np.array(epochs)
    return {
        "preset": preset, "config": repr(cfg), "seeds": seeds, "first_seed": first_seed,
        "solved": int(solved),
        "median_ms": float(np.median(loop)), "p95_ms": float(np.percentile(loop, 95)),
        "max_ms": float(loop.max()),
        "median_run_ms": float(np.median(whole)), "p95_run_ms": float(np.percentile(whole, 95)),
        "median_epochs": float(np.median(epochs)), "p95_epochs": float(np.percentile(epochs, 95)),
        "max_epochs": int(epochs.max()),
        "us_per_epoch": float(loop.sum() / max(epochs.sum(), 1) * 1e3),
    }


def report(r):
    last = r["first_seed"] + r["seeds"] - 1
    print(f"preset {r['preset']!r}: {r['config']}")
    print(f"seeds {r['first_seed']}..{last}: solved {r['solved']}/{r['seeds']}\n")
    print("| measure | median | p95 | max |")
    print("|---|---|---|---|")
    print(f"| fit time (ms) | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | {r['max_ms']:.2f} |")
    print(f"| build + fit (ms) | {r['median_run_ms']:.2f} | {r['p95_run_ms']:.2f} | |")
    print(f"| epochs | {r['median_epochs']:.0f} | {r['p95_epochs']:.0f} | {r['max_epochs']} |")
    print(f"\n{r['us_per_epoch']:.1f} µs per epoch on average")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=1000, help="how many seeds")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--preset", default="default")
    args = p.parse_args()
    report(measure(args.seeds, args.first_seed, args.preset))


if __name__ == "__main__":
    main()
