"""The trainability map against JAX: the same map, in one run, side by side.

The job: ``xornet fractal``'s default map — the default 2-2-1 network (sigmoid, bias,
Xavier init, seed 0) on XOR, bce, plain full-batch gradient descent in float64, one pair of
learning rates per pixel (hidden layer on x, output layer on y, 10^-1.5 .. 10^2.5 and
10^-0.75 .. 10^3.25), 500 steps, and per pixel the sums of Sohl-Dickstein's rule
(Σℓ_t, Σ1/ℓ_t, the mean of the last 20 ℓ_t; ℓ_t = loss / first loss, capped at 10^6).

- xornet: ``xornet.study.fractal.trainability_map`` (the compiled kernel, every core);
- JAX: the step of ONE network written with ``jax.value_and_grad``, the steps by
  ``lax.fori_loop`` carrying the three sums (no (N, steps) array), the grid by ``jax.vmap``,
  compiled by ``jax.jit`` with ``jax_enable_x64``, from xornet's own initial weights.

The CPU-seconds xornet used are printed too: on a machine shared with other work the wall
time is longer than CPU-seconds / cores, which is what the same run takes on idle cores.
Both start from the same weights, so their maps should agree pixel by pixel except where
training is chaotic (last-place differences grow there); the share of equal verdicts is
printed. Times: xornet's kernel load (cold: a first compile; warm: numba's cache) and its
training; JAX's first call (compiling and running) and a second call (running only).

    python benchmarks/bench_fractal.py [--size 512] [--steps 500]
"""

import argparse
import os
import time

import numpy as np

CAP, TAIL = 1e6, 20


def run_xornet(size, steps):
    from xornet.study import fractal

    start, cpu = time.perf_counter(), time.process_time()
    fmap = fractal.trainability_map(size=size, steps=steps)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"map": fmap, "wall": wall, "train": fmap.train_time, "cpu": cpu,
            "load": fmap.compile_time, "backend": fmap.backend}


def jax_map(size, steps):
    """(function lrs (M, 2) -> (loss_sum, inverse_sum, tail_mean), lrs) for the default map."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    from xornet.study import fractal

    prob = fractal.problem("xor", 0)
    center = fractal.DEFAULT_CENTER["xor"]
    span = fractal.DEFAULT_SPAN["xor"]
    _, _, pairs = fractal.lr_pairs(center, span, size)
    p = prob.p0  # W1 (2, 2) at 0, b1 at 4, W2 (2, 1) at 6, b2 at 8: xornet's layout
    theta0 = (jnp.array(p[0:4].reshape(2, 2)), jnp.array(p[4:6]),
              jnp.array(p[6:8].reshape(2, 1)), jnp.array(p[8:9]))
    X, Y = jnp.array(prob.X), jnp.array(prob.y)
    eps = float(np.finfo(np.float64).eps)

    def loss(theta):
        W1, b1, W2, b2 = theta
        h = jax.nn.sigmoid(X @ W1 + b1)
        q = jnp.clip(jax.nn.sigmoid(h @ W2 + b2), eps, 1.0 - eps)
        return -jnp.mean(Y * jnp.log(q) + (1.0 - Y) * jnp.log1p(-q))

    first = loss(theta0)

    def one(lr):
        def body(t, carry):
            theta, sums, inv, tail, alive = carry
            value, grad = jax.value_and_grad(loss)(theta)
            ell = value / first
            alive = alive & jnp.isfinite(ell)
            ell = jnp.where(alive, jnp.minimum(ell, CAP), CAP)
            rates = (lr[0], lr[0], lr[1], lr[1])
            theta = tuple(jnp.where(alive, w - r * g, w)
                          for w, g, r in zip(theta, grad, rates, strict=True))
            tail = tail + jnp.where(t >= steps - TAIL, ell, 0.0)
            return theta, sums + ell, inv + 1.0 / ell, tail, alive

        init = (theta0, 0.0, 0.0, 0.0, jnp.array(True))
        _, sums, inv, tail, _ = jax.lax.fori_loop(0, steps, body, init)
        return sums, inv, tail / TAIL

    return jax.jit(jax.vmap(one)), jnp.array(pairs)


def run_jax(size, steps):
    start = time.perf_counter()
    f, lrs = jax_map(size, steps)
    out = f(lrs)
    out[0].block_until_ready()
    first = time.perf_counter() - start
    start = time.perf_counter()
    out = f(lrs)
    out[0].block_until_ready()
    second = time.perf_counter() - start
    return {"first": first, "second": second,
            "tail_mean": np.asarray(out[2]).reshape(size, size)}


def measure(size=512, steps=500):
    x = run_xornet(size, steps)
    j = run_jax(size, steps)
    agree = float(np.mean(x["map"].converged == (j["tail_mean"] < 1.0)))
    return {"size": size, "steps": steps, "xornet_train": x["train"],
            "xornet_load": x["load"], "xornet_wall": x["wall"], "backend": x["backend"],
            "xornet_cpu": x["cpu"], "load_average": os.getloadavg()[0],
            "jax_first": j["first"], "jax_second": j["second"], "agree": agree,
            "converged": float(x["map"].converged.mean()),
            "dimension": None if x["map"].fit is None else x["map"].fit.dimension,
            "threads": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count()}


def report(r):
    print(f"trainability map {r['size']} × {r['size']}, {r['steps']} steps "
          f"({r['threads']} CPUs):")
    print(f"  xornet ({r['backend']}): {r['xornet_train']:.2f} s training, "
          f"{r['xornet_load']:.2f} s loading the kernel, {r['xornet_wall']:.2f} s in all; "
          f"{r['xornet_cpu']:.2f} CPU-seconds (load average {r['load_average']:.1f} after)")
    print(f"  JAX (vmap, jit, x64):  {r['jax_second']:.2f} s running, {r['jax_first']:.2f} s "
          "for the first call (compiling + running)")
    print(f"  xornet / JAX, running: {r['jax_second'] / r['xornet_train']:.2f}× faster; "
          f"first calls: {r['jax_first'] / r['xornet_wall']:.2f}×")
    print(f"  verdicts equal on {r['agree']:.2%} of pixels; converged {r['converged']:.1%}; "
          f"boundary dimension {r['dimension']:.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--steps", type=int, default=500)
    args = p.parse_args()
    report(measure(args.size, args.steps))


if __name__ == "__main__":
    main()
