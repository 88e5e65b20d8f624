"""``xornet.population.sweep``, ``xornet sweep`` and its pictures.

Oracles: the cell order written out as nested loops; each cell's success count, epochs to
solve, divergences and diagnoses recomputed by training every seed alone with
``xornet.train.config.run`` and examining each failure with
``xornet.doctor.diagnose.diagnose``; the CSV and the pictures read back from disk; a Dask
``LocalCluster`` of two worker processes against the local run, bit for bit (a digest of every
network's final weights).
"""

import csv
import json
import subprocess
import sys
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from typer.testing import CliRunner

import xornet.cli.sweep  # registers `xornet sweep` (also when cli/__init__ does not yet)
from xornet.cli import app
from xornet.doctor import diagnose as doctor
from xornet.errors import DivergenceError, XornetError
from xornet.population import sweep
from xornet.train import presets
from xornet.train.config import RunConfig, run
from xornet.viz import sweep as viz_sweep

runner = CliRunner()
TIMES = ("setup_time", "compile_time", "train_time", "diagnose_time")
# plain gradient descent on ½·SSE from uniform [-1, 1) weights, as the classic tutorials train
# a population trains each seed once: the oracle runs alone without restarts
BASE = RunConfig(init="uniform", loss="sse", momentum=0.0, epochs=200, restarts=0)


def cli(*args):
    return runner.invoke(app, ["sweep", *map(str, args)])


def without_times(cell):
    return {k: v for k, v in cell.items() if k not in TIMES}


# --- the grid -----------------------------------------------------------------------------

def test_cells_are_the_product_of_the_lists_with_the_last_axis_fastest():
    grid = sweep.make_grid(BASE, hidden=[2, (4, 4)], activation=["sigmoid", "tanh"],
                           lr=[0.1, 1.0, 10.0])
    expected = []  # AXES order: hidden slowest, then activation, ..., lr fastest
    for h in [(2,), (4, 4)]:
        for act in ["sigmoid", "tanh"]:
            for lr in [0.1, 1.0, 10.0]:
                expected.append((h, act, lr))
    cells = list(grid.cells())
    assert grid.n_cells == len(cells) == 2 * 2 * 3
    assert [(c.values["hidden"], c.values["activation"], c.values["lr"]) for c in cells] \
        == expected
    assert [c.index for c in cells] == list(range(12))
    assert all(grid.cell(i) == c for i, c in enumerate(cells))
    assert grid.varying == ("hidden", "activation", "lr")
    c = cells[10]  # (4, 4), tanh, 1.0; every unlisted setting from the base
    assert c.config == replace(BASE, hidden=(4, 4), activation="tanh", lr=1.0)


def test_momentum_applies_to_sgd_cells_only():
    grid = sweep.make_grid(replace(BASE, momentum=0.9), optimizer=["sgd", "adam"])
    assert [(c.config.optimizer, c.config.momentum) for c in grid.cells()] == [
        ("sgd", 0.9), ("adam", 0.0)]


@pytest.mark.parametrize(("flags", "expected"), [
    ({"hidden": "2,3,4"}, {"hidden": [(2,), (3,), (4,)]}),
    ({"hidden": "4x4,8"}, {"hidden": [(4, 4), (8,)]}),
    ({"hidden": "4,4;8"}, {"hidden": [(4, 4), (8,)]}),  # ';' form: layers as `xornet train`
    ({"hidden": "none,2"}, {"hidden": [(), (2,)]}),
    ({"batch_size": "full, 1,2"}, {"batch_size": [None, 1, 2]}),
    ({"lr": "0.1,1e1", "activation": "sigmoid,tanh"},
     {"lr": [0.1, 10.0], "activation": ["sigmoid", "tanh"]}),
])
def test_flags_parse_into_lists(flags, expected):
    assert xornet.cli.sweep.parse_lists(flags) == expected


# --- every cell against seeds trained one at a time ----------------------------------------

def alone(cfg, X, y, seeds):
    """Per seed with config.run; failures examined by the doctor as the sweep promises."""
    solved_at, diverged, failed, codes, unexplained = [], 0, [], Counter(), 0
    for s in seeds:
        c = replace(cfg, seed=s)
        try:
            net, history = run(c, X, y)
        except DivergenceError as e:
            diverged += 1
            found = doctor.diagnose(None, X, y, None, c, diverged_at=e.epoch)
        else:
            if history.solved:
                solved_at.append(history.solved_epoch)
                continue
            found = doctor.diagnose(net, X, y, None, c)
        failed.append(s)
        codes.update(d.code for d in found)
        unexplained += not found
    return solved_at, diverged, failed, codes, unexplained


# sigmoid hidden units feeding a linear output are left out: their weights grow towards
# overflow, where the compiled kernel's exponential (valid for |x| ≤ 700) parts from NumPy's
GRIDS = {  # axes, and what the grid must show at least once
    "sigmoid": (dict(hidden=[2, 3], activation=["sigmoid"], lr=[1.0, 4.0]),
                {"solved", "stuck-output"}),
    "relu": (dict(hidden=[3], activation=["relu"], output_activation=["sigmoid", "linear"],
                  lr=[1.0, 4.0]), {"solved", "diverged", "dead-relu", "stuck-output"}),
}


@pytest.mark.parametrize(("axes", "shows"), GRIDS.values(), ids=GRIDS.keys())
def test_each_cell_matches_its_seeds_trained_alone(xor, axes, shows):
    X, y = xor
    grid = sweep.make_grid(BASE, **axes)
    results = sweep.run_local(grid, X, y, 20)
    seen = Counter()
    for cell, r in zip(grid.cells(), results, strict=True):
        solved_at, diverged, failed, codes, unexplained = alone(cell.config, X, y, range(20))
        assert r.index == cell.index and r.values == cell.values
        assert (r.networks, r.solved, r.diverged, r.failed) == (
            20, len(solved_at), diverged, len(failed))
        assert r.epochs_to_solve.tolist() == solved_at
        assert r.diagnosed == len(failed) and r.diagnoses == dict(codes)
        assert r.unexplained == unexplained
        if solved_at:
            assert r.epochs_to_solve_median == np.median(solved_at)
        seen.update(codes)
        seen["solved"] += len(solved_at)
    assert shows <= set(seen)  # a grid of only successes (or failures) would prove little


def test_diagnoses_stop_at_the_cap_in_seed_order(xor):
    X, y = xor
    grid = sweep.make_grid(BASE, hidden=[2], activation=["relu"], lr=[1.0])
    r = sweep.run_local(grid, X, y, 20, diagnose_cap=5)[0]
    _, _, failed, _, _ = alone(grid.cell(0).config, X, y, range(20))
    _, _, _, codes, unexplained = alone(grid.cell(0).config, X, y, failed[:5])
    assert r.failed == len(failed) > 5 and r.diagnosed == 5
    assert r.diagnoses == dict(codes) and r.unexplained == unexplained


def test_a_process_pool_gives_the_same_bits_as_one_process(xor):
    X, y = xor
    grid = sweep.make_grid(replace(BASE, epochs=50), hidden=[2, 3], lr=[0.5, 2.0])
    one = sweep.run_local(grid, X, y, 10, backend="numpy", workers=1)
    pool = sweep.run_local(grid, X, y, 10, backend="numpy", workers=2)
    assert [without_times(r.as_dict()) for r in one] == [without_times(r.as_dict()) for r in pool]


# --- the command ----------------------------------------------------------------------------

SMALL = ("--hidden", "2,3", "--lr", "0.5,4", "--init", "uniform", "--loss", "sse",
         "--seeds", 20, "--epochs", 150)


def test_json_and_csv_report_every_cell(xor, tmp_path):
    out = tmp_path / "cells.csv"
    result = cli(*SMALL, "--no-early-stop", "--csv", out, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    doc = json.loads(result.stdout)
    grid = sweep.make_grid(replace(BASE, epochs=150, stop_when_solved=False), hidden=[2, 3],
                           lr=[0.5, 4.0])
    expected = sweep.run_local(grid, *xor, 20)
    assert [without_times(c) for c in doc["cells"]] == [
        without_times(json.loads(json.dumps(r.as_dict()))) for r in expected]
    assert doc["grid"]["cells"] == 4 and doc["grid"]["varying"] == ["hidden", "lr"]
    assert doc["network_epochs"] == 4 * 20 * 150  # no early stop: every epoch of every net
    # oracle: every seed of every cell trained alone with config.run, and counted here
    by_cell = [alone(cell.config, *xor, range(20)) for cell in grid.cells()]
    solved = [len(solved_at) for solved_at, *_ in by_cell]
    assert 0 < sum(solved) < 80  # the grid shows both outcomes
    assert [c["solved"] for c in doc["cells"]] == solved
    assert [c["success_rate"] for c in doc["cells"]] == [n / 20 for n in solved]
    assert [c["failed"] for c in doc["cells"]] == [len(failed) for _, _, failed, _, _ in by_cell]
    assert doc["solved"] == sum(solved) and doc["networks"] == 80
    assert doc["written"] == [str(out)]
    rows = list(csv.DictReader(out.open()))
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"]
    assert [(r["hidden"], r["lr"]) for r in rows] == [("2", "0.5"), ("2", "4"), ("3", "0.5"),
                                                      ("3", "4")]
    for row, cell, n, (_, _, _, codes, _) in zip(rows, doc["cells"], solved, by_cell,
                                                  strict=True):
        assert int(row["solved"]) == n
        assert float(row["success_rate"]) == n / 20
        assert row["params_sha256"] == cell["params_sha256"]
        assert {c: int(row[f"diagnosis_{c}"]) for c in doctor.CODES} == {
            c: codes.get(c, 0) for c in doctor.CODES}


def test_the_table_shows_each_cell_and_says_how_many_failures_were_examined(xor):
    # a terminal wide enough for one line per cell (at 80 or 100 columns the diagnoses wrap
    # inside their cell: tests/cli/test_widths.py checks those widths)
    result = runner.invoke(app, ["sweep", *map(str, SMALL), "--diagnose", "3"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    grid = sweep.make_grid(replace(BASE, epochs=150), hidden=[2, 3], lr=[0.5, 4.0])
    results = sweep.run_local(grid, *xor, 20, diagnose_cap=3)
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert len(rows) == 4
    # oracle: each cell's seeds trained alone with config.run
    by_cell = [alone(cell.config, *xor, range(20)) for cell in grid.cells()]
    assert any(len(failed) > 3 for _, _, failed, _, _ in by_cell)  # so a cap is shown
    for row, r, (solved_at, _, failed, _, _) in zip(rows, results, by_cell, strict=True):
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[:4] == [str(r.index), sweep.label("hidden", r.values["hidden"]),
                             sweep.label("lr", r.values["lr"]), f"{len(solved_at)}/20"]
        if len(failed) > 3:
            assert f"(3 of {len(failed)} examined)" in cells[-1]
    assert "up to 3 failed networks per cell" in result.stdout
    assert "network-epochs/s" in result.stdout


def test_plot_writes_a_heatmap_of_the_success_rates_and_a_histogram(xor, tmp_path):
    result = cli(*SMALL, "--plot", tmp_path / "pics", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    paths = doc["written"]
    assert [p.rsplit("/", 1)[1] for p in paths] == ["sweep-success.png", "sweep-epochs.png"]
    for p in paths:
        with open(p, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        with Image.open(p) as im:
            assert im.width > 200 and im.height > 100
    # the heatmap's squares: rate = solved / networks per (hidden, lr), each its own colour
    grid = sweep.make_grid(replace(BASE, epochs=150), hidden=[2, 3], lr=[0.5, 4.0])
    results = sweep.run_local(grid, *xor, 20)
    # oracle: each cell's success rate from its seeds trained alone with config.run
    alone_rates = [len(alone(cell.config, *xor, range(20))[0]) / 20 for cell in grid.cells()]
    rates = np.array([alone_rates[0:2], alone_rates[2:4]])  # rows: hidden 2, 3; columns: lr
    assert len(set(rates.ravel())) > 1  # the cells differ, so the picture must
    fig = viz_sweep.plot_success_heatmap(results)
    ax = fig.axes[0]
    assert np.array_equal(np.asarray(ax.images[0].get_array()), rates)
    canvas = FigureCanvasAgg(fig)  # draws as savefig did, so the axes sit where they were
    canvas.draw()
    rendered = np.asarray(canvas.buffer_rgba())[..., :3]
    with Image.open(paths[0]) as im:
        saved = np.asarray(im.convert("RGB"))
    assert saved.shape == rendered.shape
    colours = {}
    for (i, j), rate in np.ndenumerate(rates):
        x, y_px = ax.transData.transform((j + 0.3, i + 0.3))  # beside the printed number
        colours[rate] = tuple(saved[saved.shape[0] - int(y_px), int(x)])
    assert len(set(colours.values())) == len(colours)


def test_histogram_with_no_solved_network_says_so(xor):
    grid = sweep.make_grid(replace(BASE, epochs=2), hidden=[2])
    results = sweep.run_local(grid, *xor, 3)
    fig = viz_sweep.plot_epochs_histogram(results)
    assert "no network solved" in [t.get_text() for t in fig.axes[0].texts]


def test_dask_cluster_gives_the_local_results_bit_for_bit():
    import distributed  # a test extra: `make test` installs dask[distributed]
    args = (*SMALL, "--activation", "sigmoid,relu", "--json")
    local = json.loads(cli(*args).stdout)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        result = cli(*args, "--dask", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    remote = json.loads(result.stdout)
    assert remote["runner"] == {"kind": "dask", "address": cluster.scheduler_address,
                                "workers": 2}
    assert [without_times(c) for c in remote["cells"]] == [
        without_times(c) for c in local["cells"]]
    assert len({c["params_sha256"] for c in local["cells"]}) == 8


def test_an_unreachable_dask_scheduler_is_one_line():
    result = cli("--seeds", 2, "--epochs", 2, "--dask", "not-an-address")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--dask" in result.stderr


THOUSAND = ",".join(str(k) for k in range(1, 1001))


@pytest.mark.parametrize(("args", "says"), [
    (("--lr", ""), "--lr: the list is empty"),
    (("--hidden", "2,,3"), "empty item"),
    (("--hidden", "4,4;"), "empty item"),
    (("--lr", "fast"), "'fast' is not a learning rate"),
    (("--lr", "-0.5"), "is not a learning rate"),
    (("--lr", "0"), "is not a learning rate"),
    (("--lr", "inf"), "is not a learning rate"),
    (("--hidden", "0"), "0 is not a layer size"),
    (("--hidden", "-3"), "-3 is not a layer size"),
    (("--hidden", "3xa"), "'3xa' is not a list of layer sizes"),
    (("--batch-size", "0"), "is not a batch size"),
    (("--batch-size", "half"), "is not a batch size"),
    (("--activation", "swish"), "choose from sigmoid, tanh, relu, leaky_relu, linear"),
    (("--output-activation", "step"), "no useful derivative"),
    (("--init", "glorot"), "choose one of uniform01, uniform, normal, xavier, he, zeros"),
    (("--loss", "hinge"), "choose from mse, sse, bce"),
    (("--optimizer", "perceptron"), "choose from sgd, adam"),
    (("--lr", "1,1.0"), "listed twice"),
    # counted before any value is read: the bad value 'x' is not what it reports
    (("--hidden", THOUSAND, "--lr", THOUSAND + ",1001,x"), "1,002,000 cells"),
    (("--seeds", "0"), "--seeds"),
    (("--heatmap", "lr"), "--heatmap"),
    (("--backend", "gpu"), "--backend"),
])
def test_bad_grids_are_one_line_and_exit_2(args, says):
    result = cli("--epochs", 5, "--seeds", 2, *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("xornet: error: ")
    assert says in result.stderr


@pytest.mark.parametrize(("args", "expected"), [
    # no preset: the default run, with plain gradient descent (momentum 0) unless asked
    ((), replace(RunConfig(), momentum=0.0)),
    (("--momentum", "0.5"), replace(RunConfig(), momentum=0.5)),
    # a preset keeps its own momentum; each flag given is laid over it, as `xornet train` does
    (("--preset", "default"), RunConfig()),
    (("--preset", "classic", "--no-bias", "--epochs", "7", "--shuffle", "--tolerance", "0.2",
      "--no-early-stop", "--target-loss", "0.01"),
     replace(presets.get("classic"), bias=False, epochs=7, shuffle=True, tolerance=0.2,
             stop_when_solved=False, target_loss=0.01)),
])
def test_the_settings_every_cell_shares_come_from_the_preset_and_the_flags(args, expected):
    doc = json.loads(cli("--seeds", 1, "--epochs", 1, *args, "--json").stdout)
    wanted = {k: getattr(expected, k) for k in xornet.cli.sweep.FIXED}
    if "--epochs" not in args:  # the --epochs 1 above (it keeps the test fast) holds
        wanted["epochs"] = 1
    assert doc["fixed"] == wanted
    (cell,) = doc["cells"]  # and the axes not listed are the preset's (the default run's)
    assert [cell[a] for a in ("activation", "init", "loss", "optimizer")] == [
        getattr(expected, a) for a in ("activation", "init", "loss", "optimizer")]


@pytest.mark.parametrize("args", [("--momentum", "-1"), ("--epochs", "0"),
                                  ("--tolerance", "0"), ("--target-loss", "nan"),
                                  ("--preset", "nope")])
def test_shared_settings_are_refused_with_the_sentence_train_gives(args):
    mine, train = cli("--seeds", 1, *args), runner.invoke(app, ["train", *args])
    assert mine.exit_code == train.exit_code == 2
    assert mine.stderr == train.stderr and mine.stderr.count("\n") == 1


def test_a_large_grid_runs_with_yes():
    with pytest.raises(XornetError, match="allow_large=True"):
        sweep.check_size({"hidden": 1000, "lr": 1001})
    assert sweep.check_size({"hidden": 1000, "lr": 1001}, allow_large=True) == 1_001_000


def test_the_benchmark_command_reports_its_speed_and_times():
    # the workload, fewer seeds and epochs; a fresh process, so start-up is real
    code = ("import sys, xornet.cli.sweep; from xornet.cli import main; "
            "sys.argv[0] = 'xornet'; main()")
    args = ["sweep", "--dataset", "xor", "--hidden", "3", "--activation", "sigmoid",
            "--output-activation", "sigmoid", "--init", "uniform", "--loss", "sse", "--lr", "1",
            "--seeds", "50", "--epochs", "100", "--no-early-stop", "--json"]
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    (cell,) = doc["cells"]
    assert cell["hidden"] == [3] and cell["lr"] == 1.0 and cell["networks"] == 50
    assert doc["fixed"]["bias"] is True and doc["fixed"]["momentum"] == 0.0
    assert doc["network_epochs"] == 50 * 100
    t = doc["timing"]
    assert set(t) >= {"startup", "setup", "compile", "train", "total"}
    assert all(v >= 0 for v in t.values())
    assert t["total"] >= t["startup"] + t["setup"] + t["train"] - 0.02  # /proc ticks: 10 ms
    assert doc["network_epochs_per_s"] == pytest.approx(5000 / t["train"])
    assert doc["network_epochs_per_s_total"] == pytest.approx(5000 / t["total"])
