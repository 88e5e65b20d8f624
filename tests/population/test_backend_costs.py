"""``backend="auto"``: the cost model that picks the NumPy path or the compiled kernel
(xornet.population.costs), and the runs it picks.

Oracles: every estimate below is worked out by hand from the model's formula and its
constants (pinned first, so a recalibration says which hand-worked numbers to redo); a run
that auto sends to NumPy is compared bit for bit with ``backend="numpy"``, one sent to the
kernel with ``backend="numba"``.
"""

import numpy as np
import pytest

from xornet.population import costs, kernel, sweep
from xornet.population.costs import Work, choose, kernel_seconds, numpy_seconds
from xornet.population.trainer import train_population
from xornet.train.config import RunConfig

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def test_the_constants_the_hand_worked_numbers_use():
    assert (costs.COMPILE_S, costs.LOAD_S) == (20.0, 0.4)
    assert (costs.NUMPY_LAYER_EPOCH_S, costs.NUMPY_OP_S, costs.KERNEL_OP_S) == (1e-4, 1.2e-8,
                                                                                1e-9)


def test_a_cell_of_the_readme_sweep_by_hand():
    # 1000 networks of 2-2-1 (9 parameters), 4 rows, at most 5000 epochs:
    # ops = 1000·5000·9·4 = 1.8e8; NumPy: 5000·2·1e-4 + 1.8e8·1.2e-8 = 1 + 2.16 = 3.16 s;
    # kernel on 2 threads: 1.8e8·1e-9 / 2 = 0.09 s
    w = Work(networks=1000, epochs=5000, params=9, rows=4, layers=2)
    assert w.ops == 180_000_000
    assert numpy_seconds([w]) == pytest.approx(3.16)
    assert kernel_seconds([w], threads=2) == pytest.approx(0.09)
    cold = choose([w], "cold", threads=2)  # 0.09 + 20 > 3.16
    assert cold.backend == "numpy" and not cold.compiles
    assert "compiling the kernel" in cold.reason and "3.16 s" in cold.reason
    warm = choose([w], "warm", threads=2)  # 0.09 + 0.4 < 3.16
    assert warm.backend == "numba" and not warm.compiles and "0.4 s loading" in warm.reason
    assert choose([w], "loaded", threads=2).backend == "numba"


def test_the_readme_sweep_as_a_whole_by_hand():
    # hidden 2, 3, 4 (9, 13, 17 parameters) × three learning rates, on 2 workers:
    # per cell NumPy 1 + 2.16 | 1 + 3.12 | 1 + 4.08 s; all nine (9.48 + 12.36 + 15.24) / 2
    # = 18.54 s; kernel 3·1000·5000·4·(9 + 13 + 17)·1e-9 / 2 = 1.17 s
    works = [Work(1000, 5000, p, 4, 2) for p in (9, 13, 17) for _ in range(3)]
    assert numpy_seconds(works, workers=2) == pytest.approx(18.54)
    assert kernel_seconds(works, threads=2) == pytest.approx(1.17)
    assert choose(works, "cold", workers=2, threads=2).backend == "numpy"  # 21.17 > 18.54
    assert choose(works, "warm", workers=2, threads=2).backend == "numba"  # 1.57 < 18.54
    # on one worker NumPy takes 37.08 s: compiling first (21.17 s) now pays
    on_one = choose(works, "cold", workers=1, threads=2)
    assert on_one.backend == "numba" and on_one.compiles
    assert on_one.numpy_s == pytest.approx(37.08)


def test_the_population_benchmark_by_hand():
    # 2-3-1 (13 parameters), 2000 epochs, no early stop, 2 threads:
    # 10⁴ networks: NumPy 2000·2·1e-4 + 1.04e9·1.2e-8 = 0.4 + 12.48 = 12.88 s,
    #               kernel 1.04e9·1e-9 / 2 = 0.52 s: cold 20.52 s > 12.88 s → NumPy
    # 10⁵ networks: NumPy 0.4 + 124.8 = 125.2 s, kernel 5.2 s: cold 25.2 s → the kernel
    small, large = Work(10_000, 2000, 13, 4, 2), Work(100_000, 2000, 13, 4, 2)
    assert choose([small], "cold", threads=2).numpy_s == pytest.approx(12.88)
    assert choose([small], "cold", threads=2).backend == "numpy"
    assert choose([large], "cold", threads=2).numpy_s == pytest.approx(125.2)
    assert choose([large], "cold", threads=2).compiles


def test_a_tiny_run_stays_on_numpy_even_with_the_kernel_cached():
    # 5 networks, 200 epochs: NumPy 200·2·1e-4 + 5·200·9·4·1.2e-8 = 0.04 + 0.000432 s;
    # the kernel needs 0.4 s to load first
    w = Work(5, 200, 9, 4, 2)
    warm = choose([w], "warm")
    assert warm.backend == "numpy" and warm.numpy_s == pytest.approx(0.040432)
    assert "to load it" in warm.reason


def test_workers_share_runs_but_never_beat_the_longest_one():
    big, small = Work(1000, 1000, 10, 10, 1), Work(10, 1000, 10, 10, 1)
    # big: 0.1 + 1e8·1.2e-8 = 1.3 s; small: 0.1 + 1e6·1.2e-8 = 0.112 s; sum 1.412 s
    assert numpy_seconds([big, small], workers=1) == pytest.approx(1.412)
    assert numpy_seconds([big, small], workers=2) == pytest.approx(1.3)  # not 0.706
    assert numpy_seconds([small, small], workers=2) == pytest.approx(0.112)
    assert numpy_seconds([small, small], workers=8) == pytest.approx(0.112)  # 2 runs, 2 used
    assert numpy_seconds([], workers=2) == 0.0


def test_scale_stands_for_the_cells_not_listed():
    w = Work(1000, 5000, 9, 4, 2)
    one = choose([w], "cold", threads=2)
    ten = choose([w], "cold", threads=2, scale=10.0)
    assert ten.numpy_s == pytest.approx(10 * one.numpy_s)
    assert ten.kernel_s == pytest.approx(10 * one.kernel_s)
    assert ten.backend == "numba"  # 31.6 s of NumPy against 0.9 + 20 s


def test_an_unknown_cache_state_is_refused():
    with pytest.raises(ValueError, match="cache: expected one of loaded, warm, cold"):
        choose([Work(1, 1, 1, 1, 1)], "lukewarm")


def test_work_reads_a_setup():
    from xornet.population.setup import make_setup

    cfg = RunConfig(hidden=(3,), init="uniform", loss="sse", momentum=0.0, epochs=700)
    w = costs.work(make_setup(cfg, XOR_X, XOR_Y, 25))
    assert w == Work(networks=25, epochs=700, params=2 * 3 + 3 + 3 + 1, rows=4, layers=2)


CFG = RunConfig(hidden=(2,), init="uniform", loss="sse", lr=1.0, momentum=0.0, epochs=300,
                stop_when_solved=False)


def test_auto_on_a_cold_cache_trains_a_small_run_on_numpy_with_the_same_bits(monkeypatch):
    monkeypatch.setattr(kernel, "cache_state", lambda: "cold")
    auto = train_population(CFG, XOR_X, XOR_Y, 40, backend="auto")
    ref = train_population(CFG, XOR_X, XOR_Y, 40, backend="numpy")
    assert auto.backend == "numpy" and auto.compile_time == 0.0
    assert "quicker than compiling the kernel" in auto.backend_note
    assert np.array_equal(auto.params, ref.params)
    assert np.array_equal(auto.solved_epoch, ref.solved_epoch)
    assert ref.backend_note == ""  # asked for by name: no reason to give


def test_auto_with_the_kernel_loaded_runs_it_with_the_same_bits(monkeypatch):
    kernel.load()
    monkeypatch.setattr(costs, "LOAD_S", 0.0)  # so the choice rests on the training alone
    auto = train_population(CFG, XOR_X, XOR_Y, 2000, backend="auto")
    forced = train_population(CFG, XOR_X, XOR_Y, 2000, backend="numba")
    assert kernel.cache_state() == "loaded"
    assert auto.backend == "numba" and "quicker than the NumPy path" in auto.backend_note
    assert np.array_equal(auto.params, forced.params)


def _grid():
    return sweep.make_grid(CFG, hidden=[(2,), (3,)], lr=[0.5, 1.0])


def test_a_cold_sweep_plans_numpy_for_every_cell_and_matches_a_numpy_sweep(monkeypatch):
    monkeypatch.setattr(kernel, "cache_state", lambda: "cold")
    grid = _grid()
    plan = sweep.plan_local(grid, XOR_X, XOR_Y, 30, "auto", workers=2)
    assert plan.numpy_cells == frozenset(range(4)) and not plan.compiles
    assert plan.choice.backend == "numpy"
    auto = sweep.run_local(grid, XOR_X, XOR_Y, 30, backend="auto", workers=1, plan=plan)
    ref = sweep.run_local(grid, XOR_X, XOR_Y, 30, backend="numpy", workers=1)
    assert [r.backend for r in auto] == ["numpy"] * 4
    assert all(r.backend_note == plan.choice.reason for r in auto)
    assert [r.params_sha256 for r in auto] == [r.params_sha256 for r in ref]


def test_a_sweep_that_repays_compiling_plans_the_kernel_and_says_so(monkeypatch):
    monkeypatch.setattr(kernel, "cache_state", lambda: "cold")
    monkeypatch.setattr(costs, "COMPILE_S", 0.0)  # compiling made free: the kernel wins
    plan = sweep.plan_local(_grid(), XOR_X, XOR_Y, 30, "auto", workers=2)
    assert plan.choice.backend == "numba" and plan.compiles
    assert plan.numpy_cells == frozenset()
    assert sweep.plan_local(_grid(), XOR_X, XOR_Y, 30, "numpy").choice is None


def test_asking_for_the_kernel_on_a_cold_cache_is_announced(monkeypatch):
    monkeypatch.setattr(kernel, "cache_state", lambda: "cold")
    assert sweep.plan_local(_grid(), XOR_X, XOR_Y, 30, "numba").compiles
    monkeypatch.setattr(kernel, "cache_state", lambda: "warm")
    assert not sweep.plan_local(_grid(), XOR_X, XOR_Y, 30, "numba").compiles
