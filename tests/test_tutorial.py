"""docs/tutorial.md never goes stale: every command it shows is run here, through the installed
`xornet` entry point, in order, in one temporary folder, and must (a) exit with the code its
marker expects and print no traceback, (b) print what the tutorial records (durations such
as "0.7 ms" masked), and (c) every picture the tutorial shows exists. The parsing and running
are docs/make_docs.py's own, so the test checks exactly what `make docs` writes.

If (b) fails because the tool's output changed on purpose, run `make docs` and read the diff.
"""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXE = Path(sys.executable).parent / "xornet"


def _load_make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", DOCS / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_docs = _load_make_docs()
TEXT = make_docs.TUTORIAL.read_text(encoding="utf-8")
RUNS = make_docs.runs(TEXT)
# No skip: `make test` installs xornet into the venv that runs the tests.
assert EXE.exists(), f"xornet is not installed at {EXE}: run `make test`"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every command of the tutorial, run once in order in one folder; (folder, results)."""
    folder = tmp_path_factory.mktemp("tutorial")
    return folder, make_docs.execute_all(TEXT, folder, exe=str(EXE))


def test_the_tutorial_has_its_sections_and_commands():
    headings = re.findall(r"^## (\d)\. ", TEXT, flags=re.MULTILINE)
    assert headings == [str(n) for n in range(1, 10)]
    commands = [run.command for run in RUNS]
    for needed in ("xornet separable", "xornet train", "--activation linear", "xornet show",
                   "xornet explain", "xornet logic", "xornet doctor", "--seeds", "xornet plot",
                   "xornet animate", "xornet check builtin:xor-step", "xornet inits",
                   "xornet fractal", "xornet landscape"):
        assert any(needed in command for command in commands), needed
    assert any(run.exit_code == 1 for run in RUNS), "a failing `check` is part of the story"


def test_every_marker_has_a_recorded_block():
    missing = [run.command for run in RUNS if run.body is None]
    assert not missing, f"run `make docs` to record the output of {missing}"


@pytest.mark.parametrize("index", range(len(RUNS)), ids=[run.command for run in RUNS])
def test_command_runs_and_prints_what_the_tutorial_records(results, index):
    _, done = results
    result = done[index]
    assert result.run == RUNS[index]
    assert not result.problems(), (result.problems(), result.stdout, result.stderr)
    assert result.run.body is not None
    assert make_docs.mask(result.block) == make_docs.mask(result.run.body), (
        "the tutorial's output is stale: run `make docs`")


def test_masking_hides_only_durations_and_the_backend():
    assert make_docs.mask("solved, 0.7 ms") == make_docs.mask("solved, 123.4 ms")
    assert make_docs.mask("rendered in 4.2 s;") == make_docs.mask("rendered in 3 s;")
    assert make_docs.mask("final loss 0.0900258") != make_docs.mask("final loss 0.0900259")
    assert make_docs.mask("5 seeds") == "5 seeds"
    assert make_docs.mask("1 s training on numba") == make_docs.mask("2 s training on numpy")
    assert make_docs.mask("backend numba: trained") == make_docs.mask("backend numpy: trained")
    assert make_docs.mask("the numpy path") == "the numpy path"


def test_line_selection_marks_what_it_leaves_out():
    lines = [str(n) for n in range(1, 8)]
    assert make_docs.select(lines, ()) == lines
    assert make_docs.select(lines, make_docs.parse_lines("1-2, 4, 6-")) == [
        "1", "2", "...", "4", "...", "6", "7"]
    assert make_docs.select(lines, make_docs.parse_lines("2-3")) == ["...", "2", "3", "..."]


def test_every_picture_exists_and_is_produced_by_the_commands(results):
    folder, _ = results
    refs = make_docs.image_refs(TEXT)
    assert refs, "the tutorial shows pictures"
    for ref in refs:
        assert (DOCS / ref).is_file(), f"{ref} is missing: run `make docs`"
    produced = {picture.dest: picture.src for picture in make_docs.pictures(TEXT)}
    for ref in refs:
        if ref.startswith(make_docs.IMAGE_PREFIX):
            assert ref in produced, f"{ref} has no <!-- picture: ... --> marker"
    assert any(dest.endswith(".gif") for dest in produced), "the tutorial shows an animation"
    for dest, src in produced.items():
        assert dest.startswith(make_docs.IMAGE_PREFIX), dest
        assert dest in refs, f"{dest} is copied but never shown"
        made = folder / src
        assert made.is_file() and made.stat().st_size > 1000, f"no command wrote {src}"
        assert made.read_bytes()[:4] in (b"\x89PNG", b"GIF8"), src


def _prose(text):
    """The tutorial without its fenced blocks and HTML comments."""
    text = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)


def test_numbers_quoted_in_the_prose_are_in_the_output(results):
    """A value such as `0.8311` or `(-0.3378) · (0.1404)` written in the text must appear in
    some command's output now, so a change in the tool's numbers cannot leave the explanation
    quoting old ones."""
    _, done = results
    printed = "\n".join(result.block for result in done)
    quoted = re.findall(r"`([-\d.()· ]*\d\.\d[-\d.()· ]*)`", _prose(TEXT))
    assert quoted, "the prose quotes some numbers"
    stale = [number for number in quoted if number not in printed]
    assert not stale, f"the prose quotes numbers no command prints any more: {stale}"
