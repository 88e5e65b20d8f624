"""Keep docs/tutorial.md true: run every command it shows and rewrite the output it records.

    .venv/bin/python docs/make_docs.py           # rewrite docs/tutorial.md and its pictures
    .venv/bin/python docs/make_docs.py --check   # change nothing; exit 1 if anything is stale

The tutorial marks each command with an HTML comment (invisible on GitHub) followed by the
```text block this script writes:

    <!-- run: xornet train --dataset and --hidden none -->
    <!-- run: xornet explain ... | lines: 1-12, 40- -->       show only these output lines
    <!-- run: xornet check builtin:or-step --dataset xor | exit: 1 -->   expected exit code

A block is the command after "$ ", then what it printed: stdout, then stderr, with leading and
trailing blank lines dropped. `lines:` keeps 1-based ranges of that output ("40-" runs to the
end) and writes "..." where lines were left out. Commands run in order, in one temporary
folder, with the `xornet` installed next to this Python, so a later command can use a file an
earlier one saved. A marker

    <!-- picture: figures/boundary.png -> images/tutorial-boundary.png -->

copies a file a command wrote (relative to that folder) to docs/ (relative to this file), and

    <!-- file: my-xor.json -->

followed by a fenced block writes that block's text to the file in the folder, so the reader
can type a file in and later commands use it.
tests/test_tutorial.py imports this module, runs the same commands and checks that the
recorded output is still what the tool prints; times such as "0.7 ms" are masked there.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIAL = DOCS / "tutorial.md"
IMAGE_PREFIX = "images/tutorial-"  # every picture this script owns starts with this
GAP = "..."  # written where `lines:` left output out

RUN_RE = re.compile(
    r"<!-- run: (?P<spec>.*?) -->\n(?:```text\n(?P<body>.*?)```\n)?", re.DOTALL)
PICTURE_RE = re.compile(r"<!-- picture: (?P<src>\S+) -> (?P<dest>\S+) -->")
FILE_RE = re.compile(r"<!-- file: (?P<name>\S+) -->\n```\w*\n(?P<body>.*?)```\n", re.DOTALL)
IMAGE_REF_RE = re.compile(r"!\[[^\]]*\]\((?P<a>[^)\s]+)\)|<img [^>]*src=\"(?P<b>[^\"]+)\"")
TIMING_RE = re.compile(r"\d+(?:\.\d+)?\s?(?:ms|µs|s)\b")
TRACEBACK = "Traceback (most recent call last)"
# environment variables that would make rich think it writes to a terminal
TERMINAL_ENV = ("FORCE_COLOR", "TTY_INTERACTIVE", "TTY_COMPATIBLE", "COLUMNS", "LINES")


@dataclass(frozen=True)
class Run:
    """One `<!-- run: ... -->` marker: the command, what to show, the exit code expected."""
    command: str
    lines: tuple  # ((first, last or None), ...), 1-based and inclusive; () = every line
    exit_code: int
    start: int  # where the marker starts in the tutorial text
    end: int  # where its ```text block ends (the marker's end when it has no block yet)
    body: str | None  # the block as recorded, None when the marker has none yet


@dataclass(frozen=True)
class Picture:
    src: str  # relative to the folder the commands run in
    dest: str  # relative to docs/


@dataclass(frozen=True)
class File:
    name: str  # relative to the folder the commands run in
    text: str


@dataclass(frozen=True)
class Result:
    run: Run
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def block(self):
        return render(self.run, self.stdout, self.stderr)

    def problems(self):
        """What is wrong with this result, as sentences (empty when it is as expected)."""
        out = []
        if self.returncode != self.run.exit_code:
            out.append(f"exit code {self.returncode}, expected {self.run.exit_code}")
        if TRACEBACK in self.stdout or TRACEBACK in self.stderr:
            out.append("printed a traceback")
        return out


def parse_lines(text):
    """'1-12, 20, 40-' -> ((1, 12), (20, 20), (40, None))."""
    ranges = []
    for part in text.split(","):
        part = part.strip()
        first, dash, last = part.partition("-")
        start = int(first)
        stop = (int(last) if last else None) if dash else start
        if start < 1 or (stop is not None and stop < start):
            raise ValueError(f"bad line range {part!r}")
        ranges.append((start, stop))
    return tuple(ranges)


def parse_spec(spec):
    """'CMD | lines: 1-3 | exit: 1' -> (command, lines, exit_code)."""
    command, *options = [part.strip() for part in spec.split(" | ")]
    lines, exit_code = (), 0
    for option in options:
        key, _, value = option.partition(":")
        key, value = key.strip(), value.strip()
        if key == "lines":
            lines = parse_lines(value)
        elif key == "exit":
            exit_code = int(value)
        else:
            raise ValueError(f"unknown option {key!r} in marker {spec!r}")
    if not command.startswith("xornet "):
        raise ValueError(f"a tutorial command must start with 'xornet ': {command!r}")
    return command, lines, exit_code


def parse(text):
    """The tutorial's runs and pictures, in the order they appear."""
    steps = []
    for m in RUN_RE.finditer(text):
        command, lines, exit_code = parse_spec(m["spec"])
        steps.append((m.start(), Run(command, lines, exit_code, m.start(), m.end(), m["body"])))
    for m in PICTURE_RE.finditer(text):
        steps.append((m.start(), Picture(m["src"], m["dest"])))
    for m in FILE_RE.finditer(text):
        steps.append((m.start(), File(m["name"], m["body"])))
    return [step for _, step in sorted(steps, key=lambda pair: pair[0])]


def runs(text):
    return [step for step in parse(text) if isinstance(step, Run)]


def pictures(text):
    return [step for step in parse(text) if isinstance(step, Picture)]


def image_refs(text):
    """Every image path the tutorial displays (markdown images and <img src=...>)."""
    return [m["a"] or m["b"] for m in IMAGE_REF_RE.finditer(text)]


def xornet_exe():
    """The `xornet` installed next to the running Python (the venv's), else the one on PATH."""
    exe = Path(sys.executable).parent / "xornet"
    if exe.exists():
        return str(exe)
    found = shutil.which("xornet")
    if found is None:
        raise SystemExit("xornet is not installed: run `make run` (or pip install -e .) first")
    return found


def environment():
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_ENV}
    env["MPLBACKEND"] = "Agg"
    env["NO_COLOR"] = "1"
    return env


def execute(run, cwd, exe=None, timeout=300):
    """Run one tutorial command in `cwd` (no shell) and capture what it printed."""
    argv = shlex.split(run.command)
    argv[0] = exe or xornet_exe()
    began = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=environment(), capture_output=True, text=True,
                          encoding="utf-8", timeout=timeout, stdin=subprocess.DEVNULL)
    return Result(run, proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - began)


def select(lines, ranges):
    """Keep the 1-based `ranges` of `lines`, writing GAP where lines were left out."""
    if not ranges:
        return lines
    keep = set()
    for start, stop in ranges:
        keep.update(range(start, (stop or len(lines)) + 1))
    out, last = [], 0
    for number in range(1, len(lines) + 1):
        if number in keep:
            if number != last + 1:
                out.append(GAP)
            out.append(lines[number - 1])
            last = number
    if last != len(lines):
        out.append(GAP)
    return out


def render(run, stdout, stderr):
    """The text of a run's ```text block (without the fences), ending in a newline."""
    printed = stdout.rstrip() + ("\n" + stderr.rstrip() if stderr.strip() else "")
    lines = [line.rstrip() for line in printed.strip("\n").split("\n")]
    return "\n".join([f"$ {run.command}", *select(lines, run.lines)]) + "\n"


def mask(text):
    """The text with every duration ("0.7 ms", "4.2 s") replaced, for comparisons."""
    return TIMING_RE.sub("<time>", text)


def execute_all(text, cwd, exe=None, echo=None):
    """Write the tutorial's files and run its commands, in order, in `cwd`; return Results."""
    results = []
    for step in parse(text):
        if isinstance(step, File):
            path = Path(cwd) / step.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step.text, encoding="utf-8")
            continue
        if not isinstance(step, Run):
            continue
        run = step
        result = execute(run, cwd, exe)
        if echo:
            echo(f"{result.seconds:6.2f} s  {run.command}")
        results.append(result)
    return results


def rewrite(text, results):
    """The tutorial with every run's block replaced by what the command printed now."""
    pieces, at = [], 0
    for result in results:
        run = result.run
        pieces.append(text[at:run.start])
        pieces.append(f"<!-- run: {spec_of(text, run)} -->\n```text\n{result.block}```\n")
        at = run.end
    pieces.append(text[at:])
    return "".join(pieces)


def spec_of(text, run):
    return RUN_RE.match(text, run.start)["spec"]


def copy_pictures(text, cwd, docs=DOCS):
    """Copy each picture a command wrote into docs/; return the destinations written."""
    written = []
    for picture in pictures(text):
        src = Path(cwd) / picture.src
        if not src.is_file():
            raise SystemExit(f"picture {picture.src} was not written by the tutorial's commands")
        dest = docs / picture.dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written.append(dest)
    return written


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    text = TUTORIAL.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="xornet-tutorial-") as cwd:
        results = execute_all(text, cwd, echo=print)
        failed = [(r, p) for r in results for p in r.problems()]
        for result, problem in failed:
            print(f"FAILED: {result.run.command}: {problem}\n{result.stdout}{result.stderr}",
                  file=sys.stderr)
        if failed:
            return 1
        new = rewrite(text, results)
        stale = [r.run.command for r in results
                 if r.run.body is None or mask(r.run.body) != mask(r.block)]
        if check:
            for command in stale:
                print(f"stale: {command}")
            return 1 if stale else 0
        if new != text:
            TUTORIAL.write_text(new, encoding="utf-8")
        written = copy_pictures(new, cwd)
    wanted = {DOCS / picture.dest for picture in pictures(new)}
    for old in (DOCS / "images").glob("tutorial-*"):
        if old not in wanted:
            old.unlink()
            print(f"removed {old.relative_to(DOCS)} (no longer in the tutorial)")
    print(f"{len(results)} commands run, {len(stale)} blocks changed, "
          f"{len(written)} pictures written to {DOCS / 'images'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
