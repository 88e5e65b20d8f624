"""Time to train XOR with the default preset, over many seeds, and what the runs did.

Each seed builds the default network and trains it as ``xornet train`` does
(``xornet.train.config.run``): until solved with every hidden unit crisp, restarting a
stalled attempt from a derived seed. Reported: how many seeds end solved, crisp and read by
the logic lens as XOR; the fit time (``History.wall_time``, every attempt included) at the
median, 95th percentile and worst seed, the whole-run time (build + train); the epochs of the
attempt that finished and of all attempts together; and how many seeds needed 0, 1, 2, ...
restarts. ``--preset wide`` measures the old default (2-16-1, no restarts).
"""

import argparse
import collections
import time

import numpy as np

from xornet.explain.logic import lens
from xornet.train.config import run
from xornet.train.presets import PRESETS

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def reads_xor(net, history):
    """Solved, every hidden unit crisp, and the lens composing XOR (and agreeing)."""
    reading = lens(net, X)
    hidden = [u for layer in reading.layers[:-1] for u in layer]
    return (history.solved and all(u.crisp for u in hidden) and reading.agrees
            and reading.outputs[0].composed_function == "XOR")


def measure(seeds=1000, first_seed=0, preset="default"):
    cfg = PRESETS[preset]
    loop, whole, epochs, total, restarts, lesson, solved = [], [], [], [], [], 0, 0
    for s in range(first_seed, first_seed + seeds):
        t = time.perf_counter()
        net, hist = run(cfg.with_(seed=s, momentum=cfg.momentum), X, Y)
        whole.append(time.perf_counter() - t)
        loop.append(hist.wall_time)
        epochs.append(hist.epochs)
        total.append(sum(a.epochs for a in hist.attempts))
        restarts.append(len(hist.attempts) - 1)
        solved += hist.solved
        lesson += reads_xor(net, hist)
    loop, whole = np.array(loop) * 1e3, np.array(whole) * 1e3
    epochs, total = np.array(epochs), np.array(total)
    return {
        "preset": preset, "config": repr(cfg), "seeds": seeds, "first_seed": first_seed,
        "solved": int(solved), "reads_xor": int(lesson),
        "median_ms": float(np.median(loop)), "p95_ms": float(np.percentile(loop, 95)),
        "max_ms": float(loop.max()),
        "median_run_ms": float(np.median(whole)), "p95_run_ms": float(np.percentile(whole, 95)),
        "epochs": _spread(epochs), "all_epochs": _spread(total),
        "median_epochs": float(np.median(total)), "max_epochs": int(total.max()),
        "restarts": dict(sorted(collections.Counter(restarts).items())),
        "us_per_epoch": float(loop.sum() / max(total.sum(), 1) * 1e3),
    }


def _spread(values):
    return {"min": int(values.min()), "median": float(np.median(values)),
            "p90": float(np.percentile(values, 90)), "max": int(values.max())}


def report(r):
    last = r["first_seed"] + r["seeds"] - 1
    print(f"preset {r['preset']!r}: {r['config']}")
    print(f"seeds {r['first_seed']}..{last}: solved {r['solved']}/{r['seeds']}, solved with "
          f"every hidden unit crisp and the lens reading XOR {r['reads_xor']}/{r['seeds']}\n")
    print("| measure | min | median | p90 / p95 | max |")
    print("|---|---|---|---|---|")
    print(f"| fit time (ms) | | {r['median_ms']:.2f} | {r['p95_ms']:.2f} (p95) | "
          f"{r['max_ms']:.2f} |")
    print(f"| build + fit (ms) | | {r['median_run_ms']:.2f} | {r['p95_run_ms']:.2f} (p95) | |")
    for name, key in (("epochs, last attempt", "epochs"), ("epochs, all attempts", "all_epochs")):
        e = r[key]
        print(f"| {name} | {e['min']} | {e['median']:.0f} | {e['p90']:.0f} (p90) | {e['max']} |")
    print("\nrestarts: " + ", ".join(f"{k}: {v} seeds" for k, v in r["restarts"].items()))
    print(f"{r['us_per_epoch']:.1f} µs per epoch on average")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=1000, help="how many seeds")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--preset", default="default")
    args = p.parse_args()
    report(measure(args.seeds, args.first_seed, args.preset))


if __name__ == "__main__":
    main()
