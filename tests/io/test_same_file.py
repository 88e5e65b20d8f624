"""files.same_file and files.refuse_overwriting: one file under two names (a symlink, a hard
link, another spelling of the path) is the same file; a path that does not exist yet, or
'-', never is. Oracle: the files made here, whose identity the test knows."""

import os

import pytest

from xornet.errors import XornetError
from xornet.io import files


def test_one_file_under_several_names(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x")
    os.symlink(a, tmp_path / "soft")
    os.link(a, tmp_path / "hard")
    for other in ("soft", "hard", "./a.csv"):
        assert files.same_file(str(a), str(tmp_path / other))


def test_different_or_missing_files_are_not_the_same(tmp_path):
    (tmp_path / "a").write_text("x")
    (tmp_path / "b").write_text("x")  # equal bytes, another file
    assert not files.same_file(str(tmp_path / "a"), str(tmp_path / "b"))
    assert not files.same_file(str(tmp_path / "a"), str(tmp_path / "new"))
    assert not files.same_file("-", "-") and not files.same_file(None, str(tmp_path / "a"))


def test_refuse_overwriting_names_both_flags(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x")
    files.refuse_overwriting([("--csv", str(a))], [("--save", str(tmp_path / "m.json"))])
    with pytest.raises(XornetError, match=r"^--save: .* the same file as the input --csv"):
        files.refuse_overwriting([("--csv", str(a)), ("--from", None)],
                                 [("--save", str(a))])


def test_writable_folder_lists_the_paths_and_creates_nothing(tmp_path):
    paths = files.writable_folder(str(tmp_path / "new" / "deeper"), ["a.png", "b.png"],
                                  "--plot")
    assert paths == [str(tmp_path / "new" / "deeper" / n) for n in ("a.png", "b.png")]
    assert os.listdir(tmp_path) == []  # checked, not made
