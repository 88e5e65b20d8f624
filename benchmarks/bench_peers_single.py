"""One network against the peers: time to solve XOR and how often it is solved, per seed.

Every method trains one network on the four XOR rows, once per seed (default seeds 0..99),
and the time of the whole fit is taken (building the model, training, the final check):

- xornet: ``xornet.train.config.run(presets.get("wide").with_(seed=s), X, y)`` — 2-16-1, tanh
  hidden, sigmoid output, bias, He init, binary cross-entropy, gradient descent with
  momentum 0.9, lr 1, full batch, until solved (every output within 0.1; at most 5000 epochs);
- scikit-learn ``MLPClassifier`` with each solver: lbfgs, adam and sgd, all with 16 tanh
  hidden units (the width and activation of xornet's wide preset; sklearn's own Glorot init,
  log-loss, L2 alpha 1e-4 and stopping rule), plus lbfgs with every setting left at
  sklearn's defaults (100 ReLU units). Solved = ``predict`` gets all four rows right;
- PyTorch: ``nn.Sequential`` 2-16-1 (tanh hidden), ``BCEWithLogitsLoss``,
  ``torch.optim.SGD(lr=1, momentum=0.9)``, float32, full batch, until every sigmoid output
  is within 0.1 (at most 5000 epochs);
- the plain NumPy textbook script of ``bench_classic.py`` (2-3-1 sigmoid, no bias, weights
  uniform in [0, 1), ½·SSE, lr 1), until every output is within 0.1 (at most 60000 epochs).

Seeds are interleaved (seed 0 through every method, then seed 1, ...) so a busy machine
slows every method alike; the whole sweep runs ``--repeats`` times and each fit keeps its
best time. One untimed warm-up fit per method comes first.

Then the cost of one epoch on the same job: the textbook workload (2-3-1 sigmoid, no bias,
½·SSE, lr 1, full batch, float64, the loss read every epoch) for a fixed number of epochs
from the same initial weights, through the plain NumPy script, ``xornet.Network.fit`` and
PyTorch (``nn.Linear`` layers + ``torch.optim.SGD``); their outputs must agree to 1e-9.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling bench_* modules

import bench_classic
from xornet.train import config, presets

X, Y = bench_classic.X, bench_classic.Y
LABELS = Y.ravel().astype(int)
TOL = 0.1
MAX_EPOCHS_TORCH = 5000
MAX_EPOCHS_PLAIN = 60000


# --- the methods: each fit(seed) returns (solved, epochs or iterations) ------------------

def fit_xornet(seed):
    _, hist = config.run(presets.get("wide").with_(seed=seed), X, Y)
    return hist.solved, hist.epochs


SKLEARN = {
    "lbfgs": dict(solver="lbfgs", hidden_layer_sizes=(16,), activation="tanh"),
    "adam": dict(solver="adam", hidden_layer_sizes=(16,), activation="tanh",
                 learning_rate_init=0.1, max_iter=2000),
    "sgd": dict(solver="sgd", hidden_layer_sizes=(16,), activation="tanh",
                learning_rate_init=1.0, momentum=0.9, max_iter=2000),
    "lbfgs-defaults": dict(solver="lbfgs"),
}


def sklearn_fitter(settings):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def fit(seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MLPClassifier(random_state=seed, **settings).fit(X, LABELS)
        return bool(np.all(model.predict(X) == LABELS)), model.n_iter_

    return fit


def torch_fitter():
    import torch
    from torch import nn

    Xt, Yt = torch.tensor(X, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32)

    def fit(seed):
        torch.manual_seed(seed)
        net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
        opt = torch.optim.SGD(net.parameters(), lr=1.0, momentum=0.9)
        loss_fn = nn.BCEWithLogitsLoss()
        for epoch in range(MAX_EPOCHS_TORCH + 1):
            logits = net(Xt)
            if (torch.sigmoid(logits) - Yt).abs().max().item() <= TOL:
                return True, epoch
            if epoch == MAX_EPOCHS_TORCH:
                return False, epoch
            loss = loss_fn(logits, Yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
        raise AssertionError("unreachable")

    return fit


def fit_plain(seed):
    """The textbook script, stopping at the first epoch where every output is within 0.1."""
    rng = np.random.default_rng(seed)
    W1, W2 = rng.random((2, 3)), rng.random((3, 1))
    for epoch in range(MAX_EPOCHS_PLAIN + 1):
        hidden = 1.0 / (1.0 + np.exp(-(X @ W1)))
        out = 1.0 / (1.0 + np.exp(-(hidden @ W2)))
        error = out - Y
        if np.max(np.abs(error)) <= TOL:
            return True, epoch
        if epoch == MAX_EPOCHS_PLAIN:
            return False, epoch
        delta_out = error * out * (1.0 - out)
        delta_hidden = (delta_out @ W2.T) * hidden * (1.0 - hidden)
        W2 -= hidden.T @ delta_out
        W1 -= X.T @ delta_hidden
    raise AssertionError("unreachable")


METHODS = {  # name → (description, factory of fit)
    "xornet": ("xornet `config.run`, wide preset (2-16-1 tanh, bce, momentum 0.9)",
               lambda: fit_xornet),
    "sk-lbfgs": ("scikit-learn lbfgs, 16 tanh", lambda: sklearn_fitter(SKLEARN["lbfgs"])),
    "sk-adam": ("scikit-learn adam, 16 tanh, lr 0.1", lambda: sklearn_fitter(SKLEARN["adam"])),
    "sk-sgd": ("scikit-learn sgd, 16 tanh, lr 1, momentum 0.9 (Nesterov)",
               lambda: sklearn_fitter(SKLEARN["sgd"])),
    "sk-default": ("scikit-learn lbfgs, all defaults (100 ReLU)",
                   lambda: sklearn_fitter(SKLEARN["lbfgs-defaults"])),
    "torch": ("PyTorch 2-16-1 tanh, BCEWithLogits, SGD lr 1 momentum 0.9, float32",
              torch_fitter),
    "plain": ("plain NumPy textbook script (2-3-1 sigmoid, no bias, ½SSE, lr 1)",
              lambda: fit_plain),
}


def measure(seeds=100, repeats=3):
    fits = {name: make() for name, (_, make) in METHODS.items()}
    for fit in fits.values():
        fit(10_000)  # warm-up, untimed: first-call costs (imports, allocators) paid here
    best = {name: np.full(seeds, np.inf) for name in fits}
    outcome = {name: [None] * seeds for name in fits}
    for _ in range(repeats):
        for s in range(seeds):
            for name, fit in fits.items():
                t = time.perf_counter()
                result = fit(s)
                best[name][s] = min(best[name][s], time.perf_counter() - t)
                outcome[name][s] = result  # the same on every repeat (seeded)
    rows = {}
    for name in fits:
        solved = np.array([o[0] for o in outcome[name]])
        epochs = np.array([o[1] for o in outcome[name]])
        ms = best[name] * 1e3
        rows[name] = {
            "solved": int(solved.sum()), "median_ms": float(np.median(ms)),
            "p95_ms": float(np.percentile(ms, 95)), "median_epochs": float(np.median(epochs)),
            "max_epochs": int(epochs.max()),
            "us_per_epoch": float(ms.sum() * 1e3 / max(epochs.sum(), 1)),
        }
    return {"seeds": seeds, "repeats": repeats, "rows": rows}


# --- the same epoch, three ways ------------------------------------------------------------

def torch_textbook(W1, W2, epochs):
    """The textbook workload in PyTorch: nn.Linear without bias, torch.optim.SGD, float64."""
    import torch
    from torch import nn

    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    net = nn.Sequential(nn.Linear(2, 3, bias=False), nn.Sigmoid(),
                        nn.Linear(3, 1, bias=False), nn.Sigmoid()).double()
    with torch.no_grad():  # nn.Linear stores W transposed: (out, in)
        net[0].weight.copy_(torch.from_numpy(W1.T))
        net[2].weight.copy_(torch.from_numpy(W2.T))
    opt = torch.optim.SGD(net.parameters(), lr=bench_classic.LR)
    losses = []
    t = time.perf_counter()
    for _ in range(epochs):
        loss = 0.5 * ((net(Xt) - Yt) ** 2).sum()
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    elapsed = time.perf_counter() - t
    with torch.no_grad():
        return elapsed, net(Xt).numpy()


def measure_epoch(epochs=5000, repeats=5, seed=0):
    """µs per epoch of the textbook workload: plain NumPy, xornet ``fit``, PyTorch."""
    start = bench_classic.classic_network(seed)
    W1, W2 = (w.copy() for w in start.weights)
    torch_textbook(W1, W2, 10)  # warm-up
    times = {"plain": [], "xornet": [], "torch": []}
    for _ in range(repeats):
        tp, out_p = bench_classic.time_plain(W1, W2, epochs)
        tx, out_x = bench_classic.time_xornet(seed, epochs)
        tt, out_t = torch_textbook(W1, W2, epochs)
        diff = float(max(np.max(np.abs(out_x - out_p)), np.max(np.abs(out_t - out_p))))
        assert diff < 1e-9, f"outputs differ by {diff:g}: not the same work"
        for name, t in (("plain", tp), ("xornet", tx), ("torch", tt)):
            times[name].append(t / epochs * 1e6)
    return {"epochs": epochs, "repeats": repeats, "max_diff": diff,
            "best": {k: min(v) for k, v in times.items()},
            "median": {k: float(np.median(v)) for k, v in times.items()}}


def report(r, e, m=None):
    if m is None:
        from run_all import machine

        m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
          f"NumPy {m['numpy']}; {versions()}\n")
    print(f"XOR, seeds 0..{r['seeds'] - 1}, best time of {r['repeats']} interleaved sweeps per "
          "fit (build + train + check)\n")
    print("| method | solved | median ms per fit | p95 ms | median epochs (iterations) | "
          "max | µs per epoch |")
    print("|---|---|---|---|---|---|---|")
    for name, row in r["rows"].items():
        print(f"| {METHODS[name][0]} | {row['solved']}/{r['seeds']} | {row['median_ms']:.2f} | "
              f"{row['p95_ms']:.2f} | {row['median_epochs']:.0f} | {row['max_epochs']} | "
              f"{row['us_per_epoch']:.0f} |")
    print("\nscikit-learn counts iterations (`n_iter_`); an lbfgs iteration may evaluate the "
          "loss and gradient more than once. µs per epoch = all the fit time over all epochs, "
          "so it includes building the model.\n")
    print(f"The same epoch three ways: the textbook workload (2-3-1 sigmoid, no bias, ½SSE, lr 1, "
          f"float64, loss read every epoch), {e['epochs']} epochs from the same weights, best "
          f"of {e['repeats']}; outputs agree to {e['max_diff']:.0e}\n")
    print("| loop | best µs/epoch | median µs/epoch | × plain NumPy (best) |")
    print("|---|---|---|---|")
    for name, label in (("plain", "plain NumPy script"), ("xornet", "xornet `Network.fit`"),
                        ("torch", "PyTorch `nn.Linear` + `optim.SGD`")):
        print(f"| {label} | {e['best'][name]:.1f} | {e['median'][name]:.1f} | "
              f"{e['best'][name] / e['best']['plain']:.2f} |")


def versions():
    import sklearn
    import torch

    return f"scikit-learn {sklearn.__version__}, torch {torch.__version__}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=100, help="seeds 0..N-1, one fit each")
    p.add_argument("--repeats", type=int, default=3, help="sweeps over the seeds (best kept)")
    p.add_argument("--epochs", type=int, default=5000, help="epochs of the per-epoch timing")
    p.add_argument("--quick", action="store_true", help="few seeds and epochs: a smoke run")
    args = p.parse_args(argv)
    if args.quick:
        args.seeds, args.repeats, args.epochs = 5, 1, 500
    r = measure(args.seeds, args.repeats)
    e = measure_epoch(args.epochs, max(args.repeats, 3))
    report(r, e)
    return r, e


if __name__ == "__main__":
    main()
