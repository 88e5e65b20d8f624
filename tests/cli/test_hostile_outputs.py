"""What a command writes is checked before any work: an empty --save, a device, a folder, a
model too large to read back, an animation path that is a folder; each is one sentence with
exit 2 and leaves the file system as it was (oracle: os.lstat and the folder's listing)."""

import os
import stat

import pytest
from typer.testing import CliRunner

from xornet.cli import app

runner = CliRunner()


@pytest.mark.parametrize("args, words", [
    (["train", "--save", ""], "--save: the path is empty"),
    (["train", "--save", "/dev/null"], "is a device"),
    (["train", "--save", "{tmp}"], "is a folder"),
    (["train", "--hidden", "1100,1100", "--save", "{tmp}/big.json"], "could not be read back"),
    (["animate", "--out", "{tmp}"], "is a folder"),
    (["sweep", "--seeds", "2", "--epochs", "2", "--csv", "/dev/null"], "is a device"),
])
def test_a_path_that_cannot_be_written_is_refused_before_training(tmp_path, args, words):
    before = sorted(os.listdir(tmp_path))
    null = os.lstat("/dev/null")
    result = runner.invoke(app, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert words in result.output and result.output.count("\n") == 1
    assert sorted(os.listdir(tmp_path)) == before
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode) and os.lstat("/dev/null").st_ino == \
        null.st_ino
