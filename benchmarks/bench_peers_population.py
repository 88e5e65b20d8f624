"""Population throughput against the peers: xornet vs JAX vs PyTorch vs a NumPy loop.

The job (issue 5): N independent networks learn XOR — 2-3-1, sigmoid hidden and output
units, bias, weights uniform in [-1, 1), ½·SSE, learning rate 1, full batch, no early stop,
2000 epochs — all in float64. Each framework does it the way its users would:

- xornet: ``train_population(config, X, y, N, backend="numba")``, the compiled kernel;
- JAX: the update of ONE network written with ``jax.grad``, run over the epochs by
  ``lax.fori_loop``, over the population by ``jax.vmap``, compiled once by ``jax.jit``
  (``jax_enable_x64``);
- PyTorch: the population as a batch of matrices, forward and backward written with
  ``torch.baddbmm`` / ``torch.bmm`` under ``no_grad`` (two threads); a second row lets
  autograd compute the gradients instead;
- NumPy loop: one ``xornet.Network.fit`` per seed, the plain reference path. It costs the
  same per network whatever N is, so it runs ``--loop-seeds`` seeds and the larger N are
  extrapolated from that rate (marked in the table).

Every measurement runs in a fresh process, so the interpreter's start-up, the imports, the
JAX compilation and the loading of xornet's cached kernel all count in the end-to-end wall
time; they are also reported on their own. The initial weights differ between frameworks
(each draws its own from the same distribution); the share of networks solved at the end
(every output within 0.1) shows they ran the same job.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

START = time.perf_counter()

EPOCHS = 2000
LR = 1.0
TOL = 0.1
SIZES = (2, 3, 1)


def xor_data():
    import numpy as np

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y


def initial_weights(n, seed=0):
    """W1 (n, 2, 3), b1 (n, 3), W2 (n, 3, 1), b2 (n, 1), uniform in [-1, 1), float64."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, (n, *shape))
            for shape in ((2, 3), (3,), (3, 1), (1,))]


# --- one worker per framework; each returns a dict of seconds and the share solved ---------

def run_xornet(n, epochs):
    import xornet
    from xornet.population import kernel
    from xornet.population.trainer import train_population
    from xornet.train.config import RunConfig

    imported = time.perf_counter() - START
    X, y = xornet.datasets.load("xor")
    cfg = RunConfig(hidden=(3,), activation="sigmoid", output_activation="sigmoid", bias=True,
                    init="uniform", loss="sse", optimizer="sgd", momentum=0.0, lr=LR,
                    epochs=epochs, batch_size=None, stop_when_solved=False)
    compile_ = kernel.load()  # imports numba and loads the kernel from its disk cache
    r = train_population(cfg, X, y, n, backend="numba")
    return {"import": imported, "setup": r.setup_time, "compile": compile_ + r.compile_time,
            "train": r.train_time, "solved": r.success_rate}


def run_jax(n, epochs):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    imported = time.perf_counter() - START
    t = time.perf_counter()
    X, y = (jnp.asarray(a) for a in xor_data())
    params = tuple(jnp.asarray(a) for a in initial_weights(n))

    def loss(p):
        W1, b1, W2, b2 = p
        h = jax.nn.sigmoid(X @ W1 + b1)
        out = jax.nn.sigmoid(h @ W2 + b2)
        return 0.5 * jnp.sum((out - y) ** 2)

    grad = jax.grad(loss)

    def train_one(p):
        def epoch(_, p):
            return tuple(w - LR * g for w, g in zip(p, grad(p)))

        return lax.fori_loop(0, epochs, epoch, p)

    def worst_error(p):
        W1, b1, W2, b2 = p
        out = jax.nn.sigmoid(jax.nn.sigmoid(X @ W1 + b1) @ W2 + b2)
        return jnp.max(jnp.abs(out - y))

    train = jax.jit(jax.vmap(train_one))
    setup = time.perf_counter() - t
    t = time.perf_counter()
    compiled = train.lower(params).compile()
    compile_ = time.perf_counter() - t
    t = time.perf_counter()
    final = jax.block_until_ready(compiled(params))
    train_time = time.perf_counter() - t
    solved = float(jnp.mean(jax.vmap(worst_error)(final) <= TOL))
    return {"import": imported, "setup": setup, "compile": compile_, "train": train_time,
            "solved": solved}


def run_torch(n, epochs, autograd=False):
    import torch

    torch.set_num_threads(2)
    imported = time.perf_counter() - START
    t = time.perf_counter()
    X, y = (torch.from_numpy(a) for a in xor_data())
    W1, b1, W2, b2 = (torch.from_numpy(a) for a in initial_weights(n))
    b1, b2 = b1[:, None, :], b2[:, None, :]  # (n, 1, units): broadcast over the 4 samples
    Xb = X.expand(n, 4, 2)  # the shared inputs, one (4, 2) view per network
    yb = y.expand(n, 4, 1)
    setup = time.perf_counter() - t

    t = time.perf_counter()
    if autograd:
        params = [p.requires_grad_() for p in (W1, b1, W2, b2)]
        for _ in range(epochs):
            h = torch.sigmoid(torch.baddbmm(params[1], Xb, params[0]))
            out = torch.sigmoid(torch.baddbmm(params[3], h, params[2]))
            loss = 0.5 * ((out - yb) ** 2).sum()  # a sum: each network gets its own gradient
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p.sub_(g, alpha=LR)
        W1, b1, W2, b2 = (p.detach() for p in params)
    else:
        with torch.no_grad():
            for _ in range(epochs):
                h = torch.sigmoid(torch.baddbmm(b1, Xb, W1))  # (n, 4, 3)
                out = torch.sigmoid(torch.baddbmm(b2, h, W2))  # (n, 4, 1)
                d_out = (out - yb) * out * (1.0 - out)  # ∂E/∂z of the output unit
                d_hid = torch.bmm(d_out, W2.transpose(1, 2)) * h * (1.0 - h)
                # every gradient is computed before any weight changes
                gW2 = torch.bmm(h.transpose(1, 2), d_out)
                gW1 = torch.bmm(Xb.transpose(1, 2), d_hid)
                W2.sub_(gW2, alpha=LR)
                b2.sub_(d_out.sum(1, keepdim=True), alpha=LR)
                W1.sub_(gW1, alpha=LR)
                b1.sub_(d_hid.sum(1, keepdim=True), alpha=LR)
    train_time = time.perf_counter() - t
    with torch.no_grad():
        out = torch.sigmoid(torch.baddbmm(b2, torch.sigmoid(torch.baddbmm(b1, Xb, W1)), W2))
        solved = float(((out - yb).abs().amax(dim=(1, 2)) <= TOL).double().mean())
    return {"import": imported, "setup": setup, "compile": 0.0, "train": train_time,
            "solved": solved}


def run_loop(n, epochs):
    import numpy as np

    import xornet

    imported = time.perf_counter() - START
    X, y = xor_data()
    solved, t = 0, time.perf_counter()
    for seed in range(n):
        net = xornet.Network(list(SIZES), activation="sigmoid", output_activation="sigmoid",
                             bias=True, init="uniform", seed=seed)
        net.fit(X, y, epochs=epochs, lr=LR, loss="sse", batch_size=None)
        solved += bool(np.max(np.abs(net.predict(X) - y)) <= TOL)
    return {"import": imported, "setup": 0.0, "compile": 0.0,
            "train": time.perf_counter() - t, "solved": solved / n}


WORKERS = {"xornet": run_xornet, "jax": run_jax, "torch": run_torch,
           "torch-autograd": lambda n, e: run_torch(n, e, autograd=True), "loop": run_loop}
NAMES = {"xornet": "xornet `train_population` (numba)", "jax": "JAX jit + vmap",
         "torch": "PyTorch bmm, hand-written backward", "torch-autograd": "PyTorch bmm, autograd",
         "loop": "NumPy loop: `Network.fit` per seed"}


def spawn(kind, n, epochs):
    """Run one measurement in a fresh Python process; add its wall time as seen from here."""
    cmd = [sys.executable, __file__, "--worker", kind, "--n", str(n), "--epochs", str(epochs)]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
    wall = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{kind} N={n} failed:\n{done.stderr}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out.update(kind=kind, n=n, epochs=epochs, wall=wall)
    return out


def best_of(repeats, kind, n, epochs):
    runs = [spawn(kind, n, epochs) for _ in range(repeats)]
    return min(runs, key=lambda r: r["wall"])


def extrapolate(r, n):
    """The loop's cost at N networks from a run of r["n"]: the training time scales with N,
    everything else is paid once."""
    out = dict(r, n=n, measured_n=r["n"], extrapolated=n != r["n"])
    scale = n / r["n"]
    out["train"] = r["train"] * scale
    out["wall"] = r["wall"] + r["train"] * (scale - 1.0)
    return out


def measure(sizes=(1000, 10000, 100000), epochs=EPOCHS, repeats=3, loop_seeds=300,
            autograd_max=10000, quiet=False):
    """Every framework at every N; returns a list of result dicts (one per row)."""
    rows = []
    spawn("xornet", 8, 2)  # make sure numba's on-disk cache is filled before timing
    for n in sizes:
        for kind in ("xornet", "jax", "torch", "torch-autograd"):
            if kind == "torch-autograd" and n > autograd_max:
                continue
            rows.append(best_of(repeats, kind, n, epochs))
            if not quiet:
                r = rows[-1]
                print(f"  {kind:15s} N={n:<7,} {r['wall']:7.2f} s", file=sys.stderr, flush=True)
    loop = best_of(repeats, "loop", min(loop_seeds, max(sizes)), epochs)
    rows += [extrapolate(loop, n) for n in sizes]
    return rows


def report(rows, m=None):
    if m is None:
        from run_all import machine

        m = machine()
    epochs = rows[0]["epochs"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Python {m['python']}, "
          f"NumPy {m['numpy']}\n")
    print(f"XOR, 2-3-1 sigmoid/sigmoid, bias, uniform [-1, 1), ½·SSE, lr 1, full batch, "
          f"{epochs} epochs, float64, no early stop; fresh process per row (best wall of "
          "the repeats)\n")
    print("| framework | N | wall s (fresh process) | M net-epochs/s end to end | ×JAX | "
          "train s | M net-epochs/s training | ×JAX | import s | setup s | compile s | "
          "solved |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    jax_rows = {r["n"]: r for r in rows if r["kind"] == "jax"}
    order = list(NAMES)
    for r in sorted(rows, key=lambda r: (r["n"], order.index(r["kind"]))):
        work = r["n"] * r["epochs"]
        e2e, fit = work / r["wall"] / 1e6, work / r["train"] / 1e6
        ref = jax_rows.get(r["n"])
        ratio_e2e = f"{e2e / (work / ref['wall'] / 1e6):.3g}" if ref else "–"
        ratio_fit = f"{fit / (work / ref['train'] / 1e6):.3g}" if ref else "–"
        name = NAMES[r["kind"]] + (" *(extrapolated)*" if r.get("extrapolated") else "")
        print(f"| {name} | {r['n']:,} | {r['wall']:.2f} | {e2e:.3g} | {ratio_e2e} | "
              f"{r['train']:.2f} | {fit:.3g} | {ratio_fit} | {r['import']:.2f} | "
              f"{r['setup']:.2f} | {r['compile']:.2f} | {r['solved']:.1%} |")
    loop = next((r for r in rows if r["kind"] == "loop"), None)
    if loop is not None:
        print(f"\nThe NumPy loop really trained {loop['measured_n']:,} seeds "
              f"({loop['train'] / loop['n'] / loop['epochs'] * 1e6:.1f} µs per network-epoch); "
              "the rows marked extrapolated are that rate times N plus its one-off start-up.")
    print("wall = the whole fresh process (interpreter, imports, setup, compile, training, "
          "final check); train = the training call alone; compile = JAX's jit compile, or "
          "for xornet loading the numba kernel from its on-disk cache.")


def versions():
    """The peers' versions, read from their package metadata (without importing them)."""
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("jax", "jaxlib", "torch", "numba"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} missing")
    return ", ".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="population sizes N")
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--repeats", type=int, default=3, help="fresh processes per row (best kept)")
    p.add_argument("--loop-seeds", type=int, default=300,
                   help="seeds the NumPy loop really trains (larger N are extrapolated)")
    p.add_argument("--autograd-max", type=int, default=10000,
                   help="largest N for the PyTorch autograd row")
    p.add_argument("--quick", action="store_true", help="small sizes and epochs: a smoke run")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.n, args.epochs)))
        return None
    if args.quick:
        args.sizes, args.epochs, args.repeats, args.loop_seeds = "1000,10000", 200, 1, 20
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = measure(sizes, args.epochs, args.repeats, args.loop_seeds, args.autograd_max)
    print(f"peers: {versions()}")
    report(rows)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # run_all's machine()
    main()
