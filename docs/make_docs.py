"""Keep docs/tutorial.md and the README's pictures true: run every command they show, rewrite
the output the tutorial records and redraw every picture either of them displays.

    .venv/bin/python docs/make_docs.py           # rewrite docs/tutorial.md, redraw the pictures
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

The README's pictures are listed in :func:`drawings`: each is a command and the files it
writes. In the README a marker names the drawing, and the line after it, which this script
writes, shows the command beside the pictures:

    <!-- drawn: hero -->
    Drawn by `xornet train --preset bias-2-2-1 --seed 1 --plot figures` (`make docs` redraws them):

The playground's picture is a screenshot of `xornet playground` in Debian's chromium
(Playwright, from the test extras); without them it is left as it is, and the script says so.
tests/test_docs.py checks that every picture either document shows is drawn here and that
its command stands next to it.
"""

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TUTORIAL = DOCS / "tutorial.md"
README = DOCS.parent / "README.md"
# The run the README opens with, as flags of `xornet train` (and `xornet animate`): the
# default run is the lesson, so the hero pictures are drawn by plain `xornet train`.
HERO = ""
CHROMIUM = "/usr/bin/chromium"  # Debian's; never `playwright install`
IMAGE_PREFIX = "images/tutorial-"  # every picture this script owns starts with this
GAP = "..."  # written where `lines:` left output out

RUN_RE = re.compile(
    r"<!-- run: (?P<spec>.*?) -->\n(?:```text\n(?P<body>.*?)```\n)?", re.DOTALL)
PICTURE_RE = re.compile(r"<!-- picture: (?P<src>\S+) -> (?P<dest>\S+) -->")
FILE_RE = re.compile(r"<!-- file: (?P<name>\S+) -->\n```\w*\n(?P<body>.*?)```\n", re.DOTALL)
IMAGE_REF_RE = re.compile(r"!\[[^\]]*\]\((?P<a>[^)\s]+)\)|<img [^>]*src=\"(?P<b>[^\"]+)\"")
DRAWN_RE = re.compile(r"<!-- drawn: (?P<name>[\w-]+) -->\n(?P<caption>[^\n]*)\n")
TIMING_RE = re.compile(r"\d+(?:\.\d+)?\s?(?:ms|µs|s)\b")
# which population backend ran: the NumPy path while numba's cache is cold, the kernel once
# it is compiled (the same numbers either way, checked by the tests); like a duration, it
# depends on the machine's state, not on the command
BACKEND_RE = re.compile(r"\b(?:on|backend) (?:numba|numpy)\b")
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
    """The text with every duration ("0.7 ms", "4.2 s") and the backend that ran ("on
    numba", "backend numpy") replaced, for comparisons."""
    return BACKEND_RE.sub("<backend>", TIMING_RE.sub("<time>", text))


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
        if run.body is not None and mask(run.body) == mask(result.block):
            continue  # only the durations differ: keep the recorded block (no noisy diffs)
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


# --- the README's pictures ---------------------------------------------------------------
@dataclass(frozen=True)
class Drawing:
    """A README picture block: the command shown beside it and the files it writes."""
    name: str  # the README's <!-- drawn: NAME --> marker
    command: str  # run in the temporary folder; shown in the caption
    pictures: tuple  # ((file the command writes, destination relative to the repository), ...)
    caption: str = "Drawn by `{command}` (`make docs` redraws {them}):"  # after the marker
    screenshot: bool = False  # the command serves the playground: take its picture


def _command(*parts):
    return " ".join(part for part in parts if part)


def drawings(hero=HERO):
    """Every picture of the README, in the order it shows them."""
    return (
        Drawing("hero", _command("xornet train", hero, "--plot figures"),
                (("figures/boundary.png", "docs/images/xor-boundary.png"),
                 ("figures/network.png", "docs/images/xor-network.png"),
                 ("figures/units.png", "docs/images/xor-units.png"))),
        Drawing("clouds", "xornet train --dataset circles --hidden 4 --quiet --plot circles",
                (("circles/boundary.png", "docs/images/circles-boundary.png"),)),
        Drawing("sine", "xornet train --dataset sine --hidden 4 --quiet --plot sine",
                (("sine/fit.png", "docs/images/sine-fit.png"),)),
        Drawing("animation", _command("xornet animate", hero, "--out xor-training.gif"),
                (("xor-training.gif", "docs/images/xor-training.gif"),)),
        Drawing("playground", "xornet playground",
                (("playground.png", "docs/images/playground.png"),),
                "`{command}` after pressing Play on XOR and clicking the point (0, 1) "
                "(`make docs` takes the screenshot):", screenshot=True),
        Drawing("landscape", "xornet landscape --out landscape.png",
                (("landscape.png", "docs/images/landscape.png"),)),
        Drawing("landscape-stalled",
                "xornet landscape --seed 13 --restarts 0 --no-biases --out landscape-stalled.png",
                (("landscape-stalled.png", "docs/images/landscape-stalled.png"),)),
        Drawing("inits", "xornet inits --out inits.png",
                (("inits.png", "docs/images/inits.png"),)),
        Drawing("fractal", "xornet fractal --size 512 --out fractal.png",
                (("fractal.png", "docs/images/fractal-xor.png"),)),
    )


def caption(drawing):
    """The line the README shows after the drawing's marker."""
    them = "them" if len(drawing.pictures) > 1 else "it"
    return drawing.caption.format(command=drawing.command, them=them)


def readme_outputs():
    """Every picture the README's drawings write, relative to the repository."""
    return [dest for drawing in drawings() for _, dest in drawing.pictures]


def tutorial_outputs(text):
    """Every picture the tutorial's markers copy, relative to the repository."""
    return [f"docs/{picture.dest}" for picture in pictures(text)]


def rewrite_captions(text):
    """The README with the line after each <!-- drawn: NAME --> marker showing its command."""
    by_name = {drawing.name: drawing for drawing in drawings()}

    def line(m):
        if m["name"] not in by_name:
            raise SystemExit(f"README.md: no drawing is called {m['name']!r}; see drawings()")
        return f"<!-- drawn: {m['name']} -->\n{caption(by_name[m['name']])}\n"

    return DRAWN_RE.sub(line, text)


def draw(drawing, cwd, exe=None, echo=print):
    """Run one drawing's command in ``cwd`` and copy its files; return the paths written."""
    if drawing.screenshot:
        if not screenshot_playground(Path(cwd) / drawing.pictures[0][0], exe, echo):
            return []
    else:
        run = Run(drawing.command, (), 0, 0, 0, None)
        result = execute(run, cwd, exe)
        echo(f"{result.seconds:6.2f} s  {drawing.command}")
        if result.problems():
            raise SystemExit(f"FAILED: {drawing.command}: {result.problems()}\n"
                             f"{result.stdout}{result.stderr}")
    written = []
    for src, dest in drawing.pictures:
        made, target = Path(cwd) / src, DOCS.parent / dest
        if not made.is_file():
            raise SystemExit(f"{drawing.command} did not write {src}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, target)
        written.append(target)
    return written


def screenshot_playground(path, exe=None, echo=print, width=1280):
    """Serve `xornet playground` on a free port, press Play on XOR, click (0, 1) and save the
    page at ``width`` pixels to ``path``. False (and a sentence) without Playwright/chromium."""
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        echo("skipped the playground's picture: Playwright is not installed (pip install -e "
             '".[test]")')
        return False
    if not Path(CHROMIUM).exists():
        echo(f"skipped the playground's picture: {CHROMIUM} is missing (apt-get install chromium)")
        return False
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([exe or xornet_exe(), "playground", "--no-browser", "--port",
                               str(port)], env=environment(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        _wait_for_port(port)
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
            _solve_and_shoot(page, f"http://127.0.0.1:{port}/?dataset=xor", path)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    echo(f"{'':6}    {width} px screenshot of xornet playground")
    return True


def _solve_and_shoot(page, url, path):
    """Open the page, play XOR until solved, click the point (0, 1), wait for the success-rate
    panel, save the whole page."""
    page.goto(url)
    page.wait_for_function("window.xornet && window.xornet.ready")
    page.click("#play")
    page.wait_for_selector("#badge.solved", timeout=30_000)
    page.wait_for_function("!window.xornet.playing")  # paused when solved
    point = page.evaluate("""() => {  // where the page draws the point (0, 1)
      const [x0, x1, y0, y1] = window.xornet.data.view.extent;
      const c = document.getElementById('boundary'), b = c.getBoundingClientRect();
      return {x: b.x + (0 - x0) / (x1 - x0) * b.width,
              y: b.y + (y1 - 1) / (y1 - y0) * b.height}; }""")
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#explain table")
    page.wait_for_selector("#success-card[data-state=done]", timeout=120_000)  # 1,000 seeds
    page.mouse.move(0, 0)
    page.screenshot(path=str(path), full_page=True)


def _wait_for_port(port, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"xornet playground did not start on port {port}")


def remove_unused_pictures(wanted):
    """Delete files in docs/images that no document shows any more."""
    for old in (DOCS / "images").iterdir():
        if old.is_file() and old not in wanted:
            old.unlink()
            print(f"removed {old.relative_to(DOCS)} (no longer shown)")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    text = TUTORIAL.read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
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
        new_readme = rewrite_captions(readme)
        if new_readme != readme:
            stale.append("README.md: a picture's command")
        if check:
            for command in stale:
                print(f"stale: {command}")
            return 1 if stale else 0
        if new != text:
            TUTORIAL.write_text(new, encoding="utf-8")
        if new_readme != readme:
            README.write_text(new_readme, encoding="utf-8")
        written = copy_pictures(new, cwd)
    with tempfile.TemporaryDirectory(prefix="xornet-readme-") as cwd:
        for drawing in drawings():
            written += draw(drawing, cwd)
    wanted = {DOCS.parent / dest for dest in tutorial_outputs(new) + readme_outputs()}
    remove_unused_pictures(wanted)
    print(f"{len(results)} commands run, {len(stale)} blocks changed, "
          f"{len(written)} pictures written to {DOCS / 'images'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
