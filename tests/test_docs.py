"""Every picture the README and the tutorial show is drawn by `make docs` (docs/make_docs.py),
from a command the text shows right beside it, and nothing else lies in docs/images.

Oracles: the documents' own image references (parsed here with a regular expression of this
file, not make_docs's), the files in docs/images, and the hero command run for real.
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXE = Path(sys.executable).parent / "xornet"
IMAGE = re.compile(r"""(?:src="|\]\()(?P<path>(?:docs/)?images/[\w.-]+\.(?:png|gif))""")
NEAR = 40  # lines: a picture's command is shown at most this far above it


def _load_make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", DOCS / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_docs = _load_make_docs()
README = (ROOT / "README.md").read_text(encoding="utf-8")
TUTORIAL = (DOCS / "tutorial.md").read_text(encoding="utf-8")


def shown(text, folder):
    """(line number, path from the repository) of every picture ``text`` displays."""
    out = []
    for number, line in enumerate(text.splitlines()):
        for m in IMAGE.finditer(line):
            out.append((number, m["path"] if folder == "" else f"{folder}/{m['path']}"))
    return out


def visible(line):
    """A line as a reader sees it: not part of an HTML comment."""
    return "" if line.lstrip().startswith("<!--") else line


def test_every_picture_shown_is_drawn_by_make_docs():
    outputs = set(make_docs.readme_outputs()) | set(make_docs.tutorial_outputs(TUTORIAL))
    pictures = shown(README, "") + shown(TUTORIAL, "docs")
    assert len(pictures) >= 14  # 7 in the README, 7 in the tutorial
    missing = [path for _, path in pictures if path not in outputs]
    assert not missing, f"no drawing in docs/make_docs.py writes {missing}"
    for _, path in pictures:
        assert (ROOT / path).is_file(), f"{path} is missing: run `make docs`"


def test_docs_images_holds_only_what_the_documents_show():
    shown_paths = {path for _, path in shown(README, "") + shown(TUTORIAL, "docs")}
    on_disk = {f"docs/images/{p.name}" for p in (DOCS / "images").iterdir() if p.is_file()}
    assert on_disk == shown_paths


def test_each_readme_picture_has_its_command_beside_it():
    lines = README.splitlines()
    by_dest = {dest: d for d in make_docs.drawings() for _, dest in d.pictures}
    for number, path in shown(README, ""):
        command = by_dest[path].command
        above = [visible(line) for line in lines[max(0, number - NEAR):number]]
        assert any(f"`{command}`" in line for line in above), (path, command)


def test_each_tutorial_picture_has_the_command_that_wrote_it_above_it():
    lines = TUTORIAL.splitlines()
    src_of = {f"docs/{p.dest}": p.src for p in make_docs.pictures(TUTORIAL)}
    for number, path in shown(TUTORIAL, "docs"):
        written = src_of[path].split("/")[0]  # the folder (or file) the command names
        commands = [line for line in lines[max(0, number - NEAR):number]
                    if line.startswith("$ xornet ")]  # as printed in a ```text block
        assert commands, path
        assert any(re.search(rf"(--plot|--out) {re.escape(written)}\b", c) for c in commands), (
            path, commands)


def test_the_readme_captions_are_what_make_docs_writes():
    assert make_docs.rewrite_captions(README) == README, "run `make docs`"
    names = re.findall(r"<!-- drawn: ([\w-]+) -->", README)
    assert names == [d.name for d in make_docs.drawings()]


def test_the_hero_is_the_default_run():
    hero = make_docs.drawings()[0]
    assert hero.name == "hero" and hero.command == "xornet train --plot figures"
    assert make_docs.drawings(hero="--seed 1")[0].command == "xornet train --seed 1 --plot figures"


def test_the_hero_command_draws_the_hero_pictures(tmp_path):
    hero = make_docs.drawings()[0]
    argv = [str(EXE), *hero.command.split()[1:]]
    done = subprocess.run(argv, cwd=tmp_path, env=make_docs.environment(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for src, _ in hero.pictures:
        assert (tmp_path / src).read_bytes()[:4] == b"\x89PNG", src
    assert "= XOR" in done.stdout  # the story the pictures tell: the lens reads XOR


@pytest.mark.parametrize("caption", ["hero", "playground"])
def test_a_caption_names_its_command(caption):
    drawing = {d.name: d for d in make_docs.drawings()}[caption]
    assert f"`{drawing.command}`" in make_docs.caption(drawing)


def test_rewrite_keeps_a_block_whose_only_change_is_a_duration():
    text = "<!-- run: xornet train -->\n```text\n$ xornet train\nsolved, 0.7 ms\n```\n"
    [run] = make_docs.runs(text)
    same = make_docs.Result(run, 0, "solved, 9.9 ms\n", "", 0.1)
    assert make_docs.rewrite(text, [same]) == text
    changed = make_docs.Result(run, 0, "not solved, 9.9 ms\n", "", 0.1)
    assert "$ xornet train\nnot solved, 9.9 ms\n" in make_docs.rewrite(text, [changed])
