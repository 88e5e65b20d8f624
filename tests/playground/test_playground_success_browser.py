"""The success-rate panel in Debian's headless Chromium (Playwright; never `playwright install`).

Oracles: the headline and the seed's sentence against ``train_population`` and the playground's
stepper run here; the layout against the boxes of every other card (no two share a pixel, no
text spills out of its card) at 1280 and 800 px; the marker against the palette's colour.
"""

from dataclasses import replace

import pytest

from xornet import palette
from xornet.playground import spec
from xornet.playground.session import Session
from xornet.population.trainer import train_population


@pytest.fixture(scope="module")
def truth():
    """The default run's 1,000 seeds; the first seed after 0 that solves, and its run as the
    page's stepper plays it."""
    s = spec.DEFAULT
    X, y, _ = spec.load_data(s.data)
    result = train_population(replace(s.run, epochs=5000), X, y, 1000, backend="numpy")
    seed = next(k for k in range(1, 1000) if result.solved[k])
    session = Session()
    session.configure({"seed": seed})
    session.train_for(5000, seconds=600)
    assert session.stepper.solved
    return result, seed, session.stepper.history


BOXES = """() => Array.from(document.querySelectorAll('.card, fieldset'))
  .filter((e) => e.offsetParent !== null)
  .map((e) => { const b = e.getBoundingClientRect();
                return {id: e.id || e.querySelector('h2, legend').textContent,
                        x: b.x, y: b.y, w: b.width, h: b.height}; })"""

SPILLS = """() => Array.from(document.querySelectorAll('#success-card *'))
  .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'CANVAS')
  .map((e) => e.id || e.tagName)"""

MARKER = """(colour) => {
  const c = document.getElementById('success-chart');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const want = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (want.every((v, k) => Math.abs(d[i + k] - v) < 8) && d[i + 3] > 200) n++;
  return n;
}"""


def overlapping(boxes):
    return [(a["id"], b["id"]) for n, a in enumerate(boxes) for b in boxes[n + 1:]
            if a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5
            and a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5]


@pytest.mark.parametrize("width", [1280, 800])
def test_the_panel_reads_well_and_tells_the_truth(browser, url, truth, width, tmp_path):
    result, seed, history = truth
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + f"?seed={seed}")
    page.wait_for_function("document.getElementById('success-card').dataset.state === 'done'",
                           timeout=120_000)
    headline = page.text_content("#success-headline")
    rate = f"{100 * result.success_rate:.0f} %"
    assert headline == f"{rate} of 1,000 seeds solve within 5,000 epochs"
    slower = (~result.solved | (result.solved_epoch > history.solved_epoch)).mean()
    assert page.text_content("#success-seed") == (
        f"seed {seed} solves in {history.solved_epoch} epochs: faster than {100 * slower:.0f} % "
        "of seeds")
    assert page.evaluate(MARKER, palette.COLOURS["negative"]) > 50  # the seed's line is drawn
    assert not overlapping(page.evaluate(BOXES)), overlapping(page.evaluate(BOXES))
    assert page.evaluate(SPILLS) == []
    page.locator("#success-card").screenshot(path=str(tmp_path / f"success-{width}.png"))
    # a seed that stalls: the same population, so the marker moves without training again
    stalled = int(next(k for k in range(1000) if not result.solved[k]))
    page.fill("#seed", str(stalled))
    page.press("#seed", "Enter")
    page.wait_for_function(f"document.getElementById('success-seed').textContent"
                           f".startsWith('seed {stalled} stalls')")
    share = (~result.solved & ~result.diverged).mean()
    assert page.text_content("#success-seed").endswith(f"{100 * share:.0f} % of seeds do")
    context.close()
    assert not errors, errors
