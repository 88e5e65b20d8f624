"""Larger data against PyTorch: scikit-learn's digits, a 64-128-10 network, mini-batches of 32.

Data: ``sklearn.datasets.load_digits`` — 1797 images of 8 × 8 pixels, scaled from 0..16 to
[0, 1]; targets one-hot over the 10 digits. Network: 64-128-10, ReLU hidden units, sigmoid
outputs (xornet has no softmax), bias, binary cross-entropy averaged over every output of
the batch, plain gradient descent with lr 1, mini-batches of 32 in a new random order every
epoch (57 updates per epoch).

- xornet: ``Network.fit(X, Y, batch_size=32, shuffle=True, loss="bce", ...)``, He init,
  float64 (xornet always trains in float64). Besides the updates, ``fit`` computes the loss
  on the whole training set once per epoch for its history.
- PyTorch: ``nn.Sequential(Linear, ReLU, Linear)`` with its default init,
  ``BCEWithLogitsLoss`` (the same loss, sigmoid folded in), ``torch.optim.SGD(lr=1)``; each
  epoch draws ``torch.randperm`` and slices the tensors, and sums the batch losses with
  ``.item()``. In float64 and in float32; plus float32 fed by the usual
  ``DataLoader(TensorDataset, batch_size=32, shuffle=True)``.

Each run trains a fresh network for ``--epochs`` epochs and reports seconds per epoch; runs
alternate between the methods and the best of ``--repeats`` is kept. The training-set
accuracy at the end shows every method learned the same task.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import xornet

BATCH = 32
LR = 1.0
HIDDEN = 128


def digits():
    """X (1797, 64) in [0, 1], one-hot Y (1797, 10), float64, and the labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.data / 16.0, np.eye(10)[d.target], d.target


def train_xornet(X, Y, labels, epochs, seed):
    net = xornet.Network([X.shape[1], HIDDEN, Y.shape[1]], activation="relu",
                         output_activation="sigmoid", bias=True, init="he", seed=seed)
    t = time.perf_counter()
    net.fit(X, Y, epochs=epochs, lr=LR, loss="bce", batch_size=BATCH, shuffle=True, seed=seed)
    elapsed = time.perf_counter() - t
    accuracy = float(np.mean(net.predict(X).argmax(axis=1) == labels))
    return elapsed / epochs, accuracy


def train_torch(X, Y, labels, epochs, seed, dtype="float64", loader=False):
    import torch
    from torch import nn

    dt = getattr(torch, dtype)
    torch.manual_seed(seed)
    Xt, Yt = torch.tensor(X, dtype=dt), torch.tensor(Y, dtype=dt)
    net = nn.Sequential(nn.Linear(X.shape[1], HIDDEN), nn.ReLU(),
                        nn.Linear(HIDDEN, Y.shape[1])).to(dt)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = nn.BCEWithLogitsLoss()
    if loader:
        from torch.utils.data import DataLoader, TensorDataset

        batches = DataLoader(TensorDataset(Xt, Yt), batch_size=BATCH, shuffle=True)
    t = time.perf_counter()
    for _ in range(epochs):
        if not loader:
            order = torch.randperm(len(Xt))
            batches = ((Xt[rows], Yt[rows]) for rows in order.split(BATCH))
        total = 0.0
        for xb, yb in batches:
            loss = loss_fn(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
    elapsed = time.perf_counter() - t
    with torch.no_grad():
        accuracy = float((net(Xt).argmax(dim=1).numpy() == labels).mean())
    return elapsed / epochs, accuracy


METHODS = {  # name → (label, train function)
    "xornet": ("xornet `Network.fit`, float64", train_xornet),
    "torch64": ("PyTorch, float64", lambda *a: train_torch(*a, dtype="float64")),
    "torch32": ("PyTorch, float32", lambda *a: train_torch(*a, dtype="float32")),
    "torch32-loader": ("PyTorch, float32, `DataLoader`",
                       lambda *a: train_torch(*a, dtype="float32", loader=True)),
}


def measure(epochs=10, repeats=3, seed=0):
    X, Y, labels = digits()
    for _, fn in METHODS.values():
        fn(X, Y, labels, 2, seed)  # warm-up, untimed: first-use costs are paid here
    per_epoch = {name: [] for name in METHODS}
    accuracy = {}
    for _ in range(repeats):
        for name, (_, fn) in METHODS.items():
            s, accuracy[name] = fn(X, Y, labels, epochs, seed)
            per_epoch[name].append(s)
    return {"epochs": epochs, "repeats": repeats, "shape": X.shape, "accuracy": accuracy,
            "best": {k: min(v) for k, v in per_epoch.items()},
            "median": {k: float(np.median(v)) for k, v in per_epoch.items()}}


def threads():
    """What runs the matrix products: NumPy's BLAS and its threads, PyTorch's threads."""
    import torch
    from threadpoolctl import threadpool_info

    blas = [f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info()
            if p.get("user_api") == "blas" and "numpy" in p.get("filepath", "")]
    return (f"NumPy BLAS: {', '.join(blas) or 'unknown'}; torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads")


def report(r, m=None):
    if m is None:
        from run_all import machine

        m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
          f"NumPy {m['numpy']}; {threads()}\n")
    n, d = r["shape"]
    print(f"digits {n} × {d}, 64-{HIDDEN}-10 ReLU/sigmoid, bce, SGD lr {LR:g}, mini-batch "
          f"{BATCH} shuffled; {r['epochs']} epochs per run, best of {r['repeats']} "
          "alternating runs\n")
    print("| implementation | best s/epoch | median s/epoch | × xornet (best) | "
          "training accuracy |")
    print("|---|---|---|---|---|")
    for name, (label, _) in METHODS.items():
        print(f"| {label} | {r['best'][name]:.4f} | {r['median'][name]:.4f} | "
              f"{r['best'][name] / r['best']['xornet']:.2f} | {r['accuracy'][name]:.1%} |")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10, help="epochs per run")
    p.add_argument("--repeats", type=int, default=5, help="runs per method (best kept)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="one short run each: a smoke run")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.repeats = 2, 1
    r = measure(args.epochs, args.repeats, args.seed)
    report(r)
    return r


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # run_all's machine()
    main()
