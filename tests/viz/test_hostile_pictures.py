"""Pictures and animations are written by the same rules as model files: never over a
device, FIFO or folder, through symlinks, atomically (oracle: ``os.lstat`` before/after)."""

import os
import stat

import pytest
from matplotlib.figure import Figure

from xornet.errors import XornetError
from xornet.viz.style import save_figure
from xornet.viz.writers import GifWriter


def _figure():
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1], [1, 0])
    return fig


def test_a_figure_is_not_written_over_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(XornetError, match="FIFO"):
        save_figure(_figure(), fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe.png"]


def test_a_figure_through_a_symlink_updates_the_target(tmp_path):
    target = tmp_path / "real.png"
    target.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    save_figure(_figure(), link)
    assert link.is_symlink() and target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_animation_into_a_folder_is_refused_before_any_frame(tmp_path):
    with pytest.raises(XornetError, match="is a folder"):
        GifWriter(tmp_path, fps=10)
