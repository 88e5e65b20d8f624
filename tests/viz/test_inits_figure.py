"""The initialisation explorer's picture: what is drawn equals the study's numbers.

Oracle: the study's points, read back from the artists (error-bar centres and bars), and the
shares computed here from the counts."""

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.container import BarContainer, ErrorbarContainer

from xornet.errors import XornetError
from xornet.study import inits
from xornet.viz.inits import MAX_SERIES, plot_inits, series, series_label


@pytest.fixture(scope="module")
def study():
    return inits.explore(ranges=(0.3, 4.0), inits=("uniform", "xavier"), seeds=40)


def test_curves_and_bars_are_the_numbers(study):
    fig = plot_inits(study)
    rate_ax, epochs_ax, _legend, mix_ax = fig.axes
    (bars_of_uniform,) = [c for c in rate_ax.containers if isinstance(c, ErrorbarContainer)]
    x, rate = bars_of_uniform.lines[0].get_data()
    uniform = [p for p in study.points if p.init == "uniform"]
    assert list(x) == [0.3, 4.0]
    assert list(rate) == [p.success_rate for p in uniform]
    assert rate_ax.get_xscale() == "log"
    # the unscaled initialiser: one level line at its rate
    xavier = study.points[-1]
    levels = [line.get_ydata()[0] for line in rate_ax.lines if line.get_linestyle() == "--"]
    assert xavier.success_rate in levels
    # the classic measurement's crosses at its two scales
    crosses = [line for line in rate_ax.lines if line.get_marker() == "x"]
    assert list(crosses[0].get_ydata()) == [0.97, 0.54]
    # stacked failures: each bar's top is the point's failure share
    tops = np.zeros(len(study.points))
    for container in mix_ax.containers:
        if isinstance(container, BarContainer):
            tops = np.maximum(tops, [r.get_y() + r.get_height() for r in container])
    want = [p.failed / p.networks for p in study.points]
    assert tops == pytest.approx(want)
    median = next(line for line in epochs_ax.lines if line.get_marker() == "o")
    assert list(median.get_ydata()) == [p.epochs_median for p in uniform]


def test_series_and_labels(study):
    groups = series(study)
    assert [key[0] for key, _ in groups] == ["uniform", "xavier"]
    assert series_label(study, groups[0][0]) == "uniform"  # only the init varies


def test_too_many_series_is_refused(study):
    many = inits.InitStudy(study.base, 1, [], False)
    point = study.points[0]
    many.points = [replace(point, tolerance=0.01 * (k + 1)) for k in range(MAX_SERIES + 1)]
    with pytest.raises(XornetError, match="series"):
        plot_inits(many)
    with pytest.raises(XornetError, match="no points"):
        plot_inits(inits.InitStudy(study.base, 1, [], False))


def test_the_failure_colours_are_not_the_series_colours(study):
    """Every doctor code (in the doctor's order) and "unexplained" has its own colour, and
    none is a series' colour: a bar never reads as a curve. Read back from the bars."""
    from matplotlib.colors import to_hex

    from xornet.doctor.diagnose import CODES
    from xornet.viz.inits import MIX_COLOURS, MIX_ORDER, SERIES_COLOURS

    assert (*CODES, inits.UNEXPLAINED) == MIX_ORDER
    mix = {to_hex(c) for c in MIX_COLOURS.values()}
    assert len(mix) == len(MIX_ORDER)
    assert not mix & {to_hex(c) for c in SERIES_COLOURS}
    fig = plot_inits(study)
    bars = [c for c in fig.axes[3].containers if isinstance(c, BarContainer)]
    drawn = {to_hex(r.get_facecolor()) for c in bars for r in c}
    lines = {to_hex(line.get_color()) for ax in fig.axes[:2] for line in ax.lines}
    assert drawn and not drawn & lines
