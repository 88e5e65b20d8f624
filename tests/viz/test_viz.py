"""Figures (xornet.viz) and ``xornet plot``, all headless.

Oracles: hand-built networks whose units are known logic gates (h1 = OR, h2 = AND); the
colour map's own end colours for the class colours, read back from the saved PNG at pixels
located through the axes' data transform; the line of a unit solved by hand; a fit's unit
curves summed by hand against the network's curve; the weights' signs against the edge
colours.
"""

import json

import numpy as np
import pytest
from matplotlib import colormaps
from PIL import Image
from typer.testing import CliRunner

import xornet
import xornet.cli.plot  # registers `plot` and `animate` on the app)
from xornet import viz
from xornet.cli import app
from xornet.train import config
from xornet.viz import style

X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
RED_END, BLUE_END = style.CMAP(0.0)[:3], style.CMAP(1.0)[:3]

# A run that solves XOR for this seed; trained past "solved" so every output is confident.
XOR_RUN = config.RunConfig(hidden=(4,), activation="tanh", output_activation="sigmoid",
                           bias=True, init="xavier", loss="bce", optimizer="adam", momentum=0.0,
                           lr=0.1, epochs=300, batch_size=None, shuffle=False, seed=0,
                           tolerance=0.1, stop_when_solved=False, target_loss=None)


@pytest.fixture(scope="module")
def solved():
    net, history = config.run(XOR_RUN, X4, XOR_Y)
    assert history.solved and np.all(np.abs(net.predict(X4) - XOR_Y) < 0.05)
    return net, history


@pytest.fixture
def gates():
    """XOR by hand from sigmoid units: h1 = OR, h2 = AND, ŷ = h1 AND NOT h2."""
    return xornet.Network.from_weights(
        [[[20.0, 20.0], [20.0, 20.0]], [[20.0], [-20.0]]],
        biases=[[-10.0, -30.0], [-10.0]], activations=["sigmoid", "sigmoid"])


def pixels(fig, path):
    """Save ``fig`` as PNG at its own dpi; return the RGB array and a data→pixel mapper."""
    style.save_figure(fig, path)
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=float) / 255.0  # (H, W, 3)
    ax = fig.axes[0]

    def at(x1, x2, half=3):
        col, row = ax.transData.transform((x1, x2))
        r, c = round(rgb.shape[0] - row), round(col)
        return rgb[r - half:r + half + 1, c - half:c + half + 1].reshape(-1, 3).mean(axis=0)

    return rgb, at


def nearer(colour, a, b):
    return np.linalg.norm(colour - a) < np.linalg.norm(colour - b)


# --- the decision boundary ----------------------------------------------------------------
def test_unit_line_against_hand_solution():
    # x1 + x2 - 1 = 0 crosses the box [-0.5, 1.5]² at (-0.5, 1.5) and (1.5, -0.5)
    ends = viz.unit_line(np.array([1.0, 1.0]), -1.0, (-0.5, 1.5, -0.5, 1.5))
    assert sorted(map(tuple, ends.round(12))) == [(-0.5, 1.5), (1.5, -0.5)]
    # vertical line x1 = 0.25 (w2 = 0)
    ends = viz.unit_line(np.array([4.0, 0.0]), -1.0, (-0.5, 1.5, -0.5, 1.5))
    assert sorted(map(tuple, ends)) == [(0.25, -0.5), (0.25, 1.5)]
    assert viz.unit_line(np.array([1.0, 1.0]), -10.0, (-0.5, 1.5, -0.5, 1.5)) is None
    assert viz.unit_line(np.array([0.0, 0.0]), 1.0, (-0.5, 1.5, -0.5, 1.5)) is None


def test_boundary_has_class_colours_in_the_right_quadrants(solved, tmp_path):
    net, _ = solved
    fig = viz.plot_boundary(net, X4, XOR_Y, unit_lines=False, figsize=(5.0, 5.0), dpi=60)
    rgb, at = pixels(fig, tmp_path / "b.png")
    assert rgb.shape == (300, 300, 3)  # 5 in × 60 dpi
    for corner in [(-0.4, -0.4), (1.4, 1.4)]:  # beyond (0,0) and (1,1): class 0, red
        assert nearer(at(*corner), RED_END, BLUE_END), corner
    for corner in [(-0.4, 1.4), (1.4, -0.4)]:  # beyond (0,1) and (1,0): class 1, blue
        assert nearer(at(*corner), BLUE_END, RED_END), corner


def test_untrained_boundary_differs_from_trained(solved, tmp_path):
    trained, _ = solved
    untrained = XOR_RUN.build(2, 1)
    a, _ = pixels(viz.plot_boundary(untrained, X4, XOR_Y, dpi=40), tmp_path / "a.png")
    b, _ = pixels(viz.plot_boundary(trained, X4, XOR_Y, dpi=40), tmp_path / "b.png")
    assert a.shape == b.shape
    assert np.mean(np.abs(a - b)) > 0.03


def test_unit_lines_are_each_units_net_zero_line(gates):
    fig = viz.plot_boundary(gates, X4, XOR_Y)
    ax = fig.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 2
    for j, line in enumerate(dashed):  # OR: x1 + x2 = 0.5, AND: x1 + x2 = 1.5
        x1, x2 = line.get_data()
        np.testing.assert_allclose(np.asarray(x1) + np.asarray(x2), [0.5 + j] * 2)


def test_boundary_refuses_a_three_input_model():
    with pytest.raises(xornet.XornetError, match="2 inputs"):
        viz.plot_boundary(xornet.Network([3, 2, 1]))


# --- unit maps, diagram, curves -----------------------------------------------------------
def test_unit_maps_are_titled_with_the_logic_lens(gates, tmp_path):
    fig = viz.plot_units(gates, X4, XOR_Y, dpi=40)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert titles == ["h1 = OR", "h2 = AND"]
    rgb, at = pixels(fig, tmp_path / "u.png")
    assert rgb.shape[0] > 50
    # the OR unit is on (blue) at (1, 1) and off (red) at (-0.4, -0.4)
    assert nearer(at(1.3, 1.3), BLUE_END, RED_END) and nearer(at(-0.4, -0.4), RED_END, BLUE_END)


def test_unit_maps_cover_every_hidden_layer():
    net = xornet.Network([2, 3, 2, 1], seed=1)
    fig = viz.plot_units(net)
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_images()]
    assert [ax.get_title() for ax in panels] == ["h1_1", "h1_2", "h1_3", "h2_1", "h2_2"]


def test_diagram_edges_follow_the_weights(gates):
    fig = viz.plot_network(gates)
    lines = fig.axes[0].collections[0]
    w = gates.params  # W1 row by row, b1, W2, b2: 20 20 20 20 -10 -30 20 -20 -10
    colours = lines.get_colors()
    assert len(colours) == len(w) == 9
    blue, red = np.array([0x21, 0x66, 0xAC]) / 255, np.array([0xB2, 0x18, 0x2B]) / 255
    for c, v in zip(colours, w, strict=True):
        np.testing.assert_allclose(c[:3], blue if v > 0 else red, atol=1e-9)
    widths = np.asarray(lines.get_linewidths())
    assert widths[5] == widths.max()  # |−30| is the largest weight
    assert widths[4] == widths[8] < widths[0]  # |−10| < |20|
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "-30.00" in texts and "1" in texts  # weight labels and a bias node


def test_loss_curve(solved, tmp_path):
    _, history = solved
    fig = viz.plot_loss(history, loss_name="bce", figsize=(4.0, 3.0), dpi=50)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    curve = ax.get_lines()[0]
    np.testing.assert_array_equal(curve.get_ydata(), history.loss)
    marks = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert marks[0].get_xdata()[0] == history.solved_epoch
    style.save_figure(fig, tmp_path / "l.png")
    assert Image.open(tmp_path / "l.png").size == (200, 150)


def _curve_pixels(fig, path):
    """How many pixels of the saved figure have the loss curve's colour (style.POSITIVE)."""
    from matplotlib.colors import to_rgb

    style.save_figure(fig, path)
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=float) / 255.0
    return int(np.sum(np.all(np.abs(rgb - to_rgb(style.POSITIVE)) < 0.08, axis=-1)))


@pytest.mark.parametrize("loss", [
    [0.7, 0.0, 0.0],  # a perfect fit: a loss of exactly 0 has no place on a log axis
    [0.7, -1.5, -4.68],  # what bce on targets in [−1, 1] used to report
])
def test_loss_curve_with_values_a_log_scale_cannot_show_is_linear_and_drawn(loss, tmp_path):
    import warnings

    history = xornet.History(loss=loss, epochs=len(loss) - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Data has no positive values" fails it
        fig = viz.plot_loss(history, loss_name="mse", dpi=50)
        assert fig.axes[0].get_yscale() == "linear"
        np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), loss)
        assert _curve_pixels(fig, tmp_path / "l.png") > 50  # the curve is on the picture


def test_loss_curve_of_a_run_of_zero_epochs_is_a_dot(tmp_path):
    history = xornet.History(loss=[0.25], epochs=0)
    fig = viz.plot_loss(history, dpi=50)
    assert fig.axes[0].get_yscale() == "log"
    assert _curve_pixels(fig, tmp_path / "l.png") > 5


def test_fit_unit_curves_sum_to_the_network_curve():
    X, y = xornet.datasets.load("sine", n_samples=40)
    net = xornet.Network([1, 3, 1], activation="tanh", output_activation="linear", seed=2)
    fig = viz.plot_fit(net, X, y)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    parts = sum(np.asarray(lines[f"h{j}·w"].get_ydata()) for j in (1, 2, 3))
    bias = lines["output bias"].get_ydata()[0]
    xs, curve = lines["network ŷ = Σ hⱼ·wⱼ + b"].get_data()
    np.testing.assert_allclose(parts + bias, curve, atol=1e-12)
    # and the curve is the network's output, by a hand-written forward pass
    W1, W2 = net.weights
    b1, b2 = net.biases
    by_hand = np.tanh(np.asarray(xs)[:, None] @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(curve, by_hand[:, 0], atol=1e-12)


def test_figures_return_figures_without_pyplot():
    import sys

    from matplotlib.figure import Figure

    assert isinstance(viz.plot_network(xornet.Network([2, 2, 1])), Figure)
    assert "matplotlib.pyplot" not in sys.modules


def test_repr_html_summarises_the_network(gates):
    html = gates._repr_html_()
    assert "Network(2-2-1" in html and "9 parameters" in html
    assert html.count("<table") == 2 and ">-30<" in html and ">b1<" in html
    big = xornet.Network([2, 64, 1])._repr_html_()
    assert "too large" in big and "<table" not in big


# --- write_figures ------------------------------------------------------------------------
def test_write_figures_writes_what_applies(solved, tmp_path):
    net, history = solved
    out = tmp_path / "figs"
    paths = viz.write_figures(net, X4, XOR_Y, str(out), history=history, dpi=30)
    assert [p.rsplit("/", 1)[1] for p in paths] == ["boundary.png", "units.png",
                                                     "network.png", "loss.png"]
    for p in paths:
        Image.open(p).verify()
    assert [name for name, _ in viz.skipped_figures(net, X4, history)] == ["fit"]


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_write_figures_vector_formats(gates, tmp_path, fmt, magic):
    paths = viz.write_figures(gates, X4, XOR_Y, str(tmp_path), fmt=fmt.upper())
    assert len(paths) == 3 and all(p.endswith(f".{fmt}") for p in paths)
    with open(paths[0], "rb") as f:
        assert f.read(5).startswith(magic)


def test_write_figures_rejects_bad_format_and_a_file_as_folder(gates, tmp_path):
    with pytest.raises(xornet.XornetError, match=r"^format: "):
        viz.write_figures(gates, X4, XOR_Y, str(tmp_path), fmt="bmp")
    (tmp_path / "f").write_text("keep me")
    with pytest.raises(xornet.XornetError, match="not a folder"):
        viz.write_figures(gates, X4, XOR_Y, str(tmp_path / "f"))
    assert (tmp_path / "f").read_text() == "keep me"


# --- xornet plot --------------------------------------------------------------------------
runner = CliRunner()


def assert_one_line_error(result, fragment):
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and fragment in lines[0], result.stderr
    assert result.stdout == ""


def test_cli_plot_writes_and_prints_paths(solved, tmp_path):
    net, _ = solved
    net.save(tmp_path / "m.json")
    out = tmp_path / "figs"
    result = runner.invoke(app, ["plot", str(tmp_path / "m.json"), "--dataset", "xor",
                                 "--out", str(out), "--dpi", "30"])
    assert result.exit_code == 0, result.output
    printed = result.stdout.split()
    assert printed == [str(out / f"{n}.png") for n in ("boundary", "units", "network")]
    assert all(Image.open(p).size[0] > 0 for p in printed)
    assert "skipped loss" in result.stderr


def test_cli_plot_json_and_a_three_input_model(tmp_path):
    xornet.Network([3, 2, 1]).save(tmp_path / "p.json")
    result = runner.invoke(app, ["plot", str(tmp_path / "p.json"), "--dataset", "parity",
                                 "--out", str(tmp_path), "--format", "svg", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["written"] == [str(tmp_path / "network.svg")]
    skipped = {s["figure"]: s["reason"] for s in doc["skipped"]}
    assert "3 inputs" in skipped["boundary"] and set(skipped) == {"boundary", "units", "loss",
                                                                  "fit"}


def test_cli_plot_user_errors(gates, tmp_path):
    gates.save(tmp_path / "g.json")
    assert_one_line_error(runner.invoke(app, ["plot", str(tmp_path / "missing.json")]),
                          "no such model file")
    assert_one_line_error(runner.invoke(app, ["plot", str(tmp_path / "g.json"), "--format",
                                              "bmp", "--out", str(tmp_path)]), "--format")
    assert_one_line_error(runner.invoke(app, ["plot", str(tmp_path / "g.json"), "--dataset",
                                              "sine", "--out", str(tmp_path)]), "1 feature")
    assert not (tmp_path / "boundary.png").exists()


# --- point clouds, wide fits and the shared palette ---------------------------------------
def test_cloud_points_are_drawn_by_class_and_read_on_their_own_background(tmp_path):
    X, y = xornet.datasets.load("moons", n_samples=120, seed=0)
    run = config.RunConfig(hidden=(6,), epochs=3000, stop_when_solved=False)
    net, _ = config.run(run, X, y)
    fig = viz.plot_boundary(net, X, y)
    ax = fig.axes[0]
    clouds = [c for c in ax.collections if c.get_zorder() == 5]
    assert len(clouds) == 2  # one scatter per class
    for target, cloud in enumerate(clouds):
        np.testing.assert_array_equal(cloud.get_offsets(), X[y[:, 0] == target])
        face = "#b2182b" if target == 0 else "#2166ac"  # the palette's dark red and blue
        np.testing.assert_allclose(cloud.get_facecolor()[0][:3],
                                   np.array([int(face[i:i + 2], 16) for i in (1, 3, 5)]) / 255)
        np.testing.assert_allclose(cloud.get_edgecolor()[0][:3], 1.0)  # the white ring
    assert clouds[0].get_paths()[0] != clouds[1].get_paths()[0]  # a marker per class
    assert [h.get_label() for h in fig.legends[0].legend_handles][-2:] == ["target 0",
                                                                         "target 1"]
    # a point of class 0 on the dark red it was fitted to still shows its white ring
    _, at = pixels(fig, tmp_path / "moons.png")
    p = net.predict(X)[:, 0]
    for k in np.flatnonzero((y[:, 0] == 0) & (p < 0.05))[:5]:
        patch = [at(X[k, 0] + dx, X[k, 1] + dy, half=0) for dx in (-0.03, 0, 0.03)
                 for dy in (-0.03, 0, 0.03)]
        assert max(float(c.min()) for c in patch) > 0.8, k  # some pixel is near white


def test_a_wide_fit_shows_its_largest_units_the_others_summed_and_the_bias():
    X, y = xornet.datasets.load("sine", n_samples=40)
    net = xornet.Network([1, 16, 1], activation="tanh", output_activation="linear", seed=4)
    fig = viz.plot_fit(net, X, y)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    xs, curve = (np.asarray(v) for v in lines["network ŷ = Σ hⱼ·wⱼ + b"].get_data())
    W1, W2 = net.weights
    b1, b2 = net.biases
    parts = np.tanh(xs[:, None] @ W1 + b1) * W2[:, 0]  # (r, 16) by hand
    largest = {f"h{j + 1}·w" for j in np.argsort(-np.abs(parts).max(axis=0))[:6]}
    drawn = {label for label in lines if label.startswith("h")}
    assert drawn == largest
    summed = sum(np.asarray(lines[label].get_ydata()) for label in drawn)
    summed = summed + np.asarray(lines["other 10 units together"].get_ydata())
    assert lines["output bias"].get_ydata()[0] == b2[0]
    np.testing.assert_allclose(summed + b2[0], curve, atol=1e-12)
    assert "the 6 largest of the 16 hidden units" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "other 10 units together" in legend and "output bias" in legend


def test_a_squashed_fit_draws_the_output_net_input_as_the_sum():
    X, y = xornet.datasets.load("sine", n_samples=40)
    net = xornet.Network([1, 3, 1], activation="tanh", output_activation="sigmoid", seed=1)
    lines = {line.get_label(): line for line in viz.plot_fit(net, X, (y + 1) / 2).axes[0]
             .get_lines()}
    total = np.asarray(lines["Σ hⱼ·wⱼ + b (output's net input)"].get_ydata())
    curve = np.asarray(lines["network ŷ"].get_ydata())
    np.testing.assert_allclose(1 / (1 + np.exp(-total)), curve, atol=1e-12)


def test_the_palette_is_colorbrewer_rdbu_and_the_figures_use_it():
    from xornet import palette

    mpl = colormaps["RdBu"]  # matplotlib's copy of ColorBrewer's scheme: an independent source
    for i, step in enumerate(palette.COLOURS["map"]):
        rgb = np.array([int(step[k:k + 2], 16) for k in (1, 3, 5)]) / 255
        np.testing.assert_allclose(mpl(i / 10)[:3], rgb, atol=2.5 / 255)
        np.testing.assert_allclose(style.CMAP(i / 10)[:3], rgb, atol=2.5 / 255)
    assert style.POSITIVE == palette.COLOURS["positive"] == "#2166ac"
    assert style.NEGATIVE == palette.COLOURS["negative"] == "#b2182b"
