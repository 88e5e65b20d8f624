"""The classic XOR workload, timed through ``Network.fit`` and through a plain NumPy script.

Workload: 2-3-1 network, sigmoid hidden and output units, no bias, weights uniform in [0, 1),
½·SSE loss, learning rate 1, full batch, 20000 epochs — the textbook tutorial. Both sides
start from the same weights (drawn by ``Network(seed=...)``), compute the loss every epoch
and must end with the same outputs (checked to 1e-9), so they do the same work.

Runs alternate (xornet, plain, xornet, plain, ...) so a busy machine slows both alike.
"""

import argparse
import statistics
import time

import numpy as np

import xornet

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])
SIZES = [2, 3, 1]
LR = 1.0


def plain_numpy(W1, W2, X, y, epochs, lr):
    """The tutorial's loop, written out by hand. Returns (outputs, per-epoch losses)."""
    W1, W2 = W1.copy(), W2.copy()
    losses = []
    for _ in range(epochs):
        hidden = 1.0 / (1.0 + np.exp(-(X @ W1)))  # (4, 3)
        out = 1.0 / (1.0 + np.exp(-(hidden @ W2)))  # (4, 1)
        error = out - y
        losses.append(0.5 * float(np.sum(error * error)))
        delta_out = error * out * (1.0 - out)  # (4, 1)
        delta_hidden = (delta_out @ W2.T) * hidden * (1.0 - hidden)  # (4, 3)
        W2 -= lr * (hidden.T @ delta_out)  # both deltas are computed before any update
        W1 -= lr * (X.T @ delta_hidden)
    hidden = 1.0 / (1.0 + np.exp(-(X @ W1)))
    out = 1.0 / (1.0 + np.exp(-(hidden @ W2)))
    return out, losses


def classic_network(seed):
    return xornet.Network(SIZES, activation="sigmoid", output_activation="sigmoid",
                          bias=False, init="uniform01", seed=seed)


def time_xornet(seed, epochs):
    net = classic_network(seed)
    t = time.perf_counter()
    net.fit(X, Y, epochs=epochs, lr=LR, loss="sse", batch_size=None, optimizer="sgd")
    elapsed = time.perf_counter() - t
    return elapsed, net.predict(X)


def time_plain(W1, W2, epochs):
    t = time.perf_counter()
    out, _ = plain_numpy(W1, W2, X, Y, epochs, LR)
    return time.perf_counter() - t, out


def measure(repeats=5, epochs=20000, seed=0):
    """Alternate both loops ``repeats`` times; return a dict of µs per epoch."""
    start = classic_network(seed)
    W1, W2 = (w.copy() for w in start.weights)
    xs, ps = [], []
    for _ in range(repeats):
        tx, out_x = time_xornet(seed, epochs)
        tp, out_p = time_plain(W1, W2, epochs)
        diff = float(np.max(np.abs(out_x - out_p)))
        assert diff < 1e-9, f"xornet and plain outputs differ by {diff:g}: not the same work"
        xs.append(tx / epochs * 1e6)
        ps.append(tp / epochs * 1e6)
    return {
        "epochs": epochs, "repeats": repeats, "seed": seed,
        "xornet_best": min(xs), "xornet_median": statistics.median(xs),
        "plain_best": min(ps), "plain_median": statistics.median(ps),
        "ratio_best": min(xs) / min(ps),
        "ratio_median": statistics.median(xs) / statistics.median(ps),
        "max_output_diff": diff, "outputs": out_x.ravel().tolist(),
    }


def report(r):
    print(f"classic 2-3-1 sigmoid, no bias, ½SSE, lr 1, {r['epochs']} epochs, "
          f"seed {r['seed']}, {r['repeats']} alternating repeats")
    print(f"final outputs {np.round(r['outputs'], 4).tolist()}; "
          f"xornet vs plain differ by at most {r['max_output_diff']:.1e}\n")
    print("| loop | best µs/epoch | median µs/epoch |")
    print("|---|---|---|")
    print(f"| xornet `Network.fit` | {r['xornet_best']:.1f} | {r['xornet_median']:.1f} |")
    print(f"| plain NumPy script | {r['plain_best']:.1f} | {r['plain_median']:.1f} |")
    print(f"| ratio xornet / plain | {r['ratio_best']:.2f} | {r['ratio_median']:.2f} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=5, help="runs of each loop (alternating)")
    p.add_argument("--epochs", type=int, default=20000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    report(measure(args.repeats, args.epochs, args.seed))


if __name__ == "__main__":
    main()
