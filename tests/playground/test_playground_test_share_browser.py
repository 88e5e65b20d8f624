"""The test share in Debian's headless Chromium (Playwright; never `playwright install`).

Oracles: the loss chart's pixels against the palette's two curve colours (the test curve is
drawn only when points are held out); the legend and the status against the numbers of the
page's own frame; the held-out markers against the class colours (a training point is filled
with its class's colour, a held-out one is hollow: the map shows through its middle); the
layout against the boxes of the cards at 1280 and 800 px.
"""


import pytest

from xornet import palette

QUERY = "?dataset=moons&samples=80&data_seed=2&test_split=0.3&seed=1"


COLOURED = """([id, colour]) => {
  const c = document.getElementById(id);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const want = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (want.every((v, k) => Math.abs(d[i + k] - v) < 12) && d[i + 3] > 200) n++;
  return n;
}"""

# The centre pixel of every data point with no other point within 12 canvas pixels, with
# whether it is held out and the face colour of its class.
CENTRES = """() => {
  const s = window.xornet, d = s.data, [x0, x1, y0, y1] = d.view.extent;
  const c = document.getElementById('boundary'), ctx = c.getContext('2d');
  const at = d.X.map((p) => [(p[0] - x0) / (x1 - x0) * c.width,
                            (y1 - p[1]) / (y1 - y0) * c.height]);
  const out = [];
  at.forEach(([x, y], i) => {
    const alone = at.every(([u, v], j) => j === i || (u - x) ** 2 + (v - y) ** 2 > 144);
    if (!alone) return;
    const px = Array.from(ctx.getImageData(Math.round(x), Math.round(y), 1, 1).data);
    out.push({held: i >= d.n_train, face: s.options.palette.classes[d.y[i]].face, px});
  });
  return out;
}"""

BOXES = """() => Array.from(document.querySelectorAll('.card, fieldset'))
  .filter((e) => e.offsetParent !== null)
  .map((e) => { const b = e.getBoundingClientRect();
                return {id: e.id || e.querySelector('h2, legend').textContent,
                        x: b.x, y: b.y, w: b.width, h: b.height}; })"""

SPILLS = """() => Array.from(document.querySelectorAll('header *, #data-panel *, .card *'))
  .filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1
                 && !['CANVAS', 'SELECT', 'svg'].includes(e.tagName)
                 && !e.closest('#diagram, #explain'))
  .map((e) => e.id || e.tagName)"""


def _near(px, colour, tol):
    want = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    return all(abs(a - b) <= tol for a, b in zip(px[:3], want, strict=True))


def _overlapping(boxes):
    return [(a["id"], b["id"]) for n, a in enumerate(boxes) for b in boxes[n + 1:]
            if a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5
            and a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5]


def _epochs(page, n):
    for _ in range(n):
        before = page.evaluate("window.xornet.stats.frames")
        page.click("#epoch")
        page.wait_for_function(f"window.xornet.stats.frames > {before}")


@pytest.mark.parametrize("width", [1280, 800])
def test_the_test_curve_is_drawn_and_labelled_and_held_out_points_are_hollow(
        browser, url, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + QUERY)
    page.wait_for_function("window.xornet && window.xornet.ready && window.xornet.data"
                           " && window.xornet.data.n_test === 24")
    _epochs(page, 8)
    frame = page.evaluate("window.xornet.frame")
    assert frame["epoch"] == 8
    # two curves in the palette's colours: training blue, test orange
    blue = page.evaluate(COLOURED, ["loss-chart", palette.COLOURS["positive"]])
    orange = page.evaluate(COLOURED, ["loss-chart", palette.COLOURS["test"]])
    assert blue > 40 and orange > 40, (blue, orange)
    legend = page.text_content("#loss-legend")
    assert f"training loss (56 points) {frame['loss']:.4g}" in legend
    assert f"test loss (24 held out) {frame['test_loss']:.4g}" in legend
    assert "test loss (orange, dashed)" in page.get_attribute("#loss-chart", "aria-label")
    # the status: both losses and both accuracies
    assert page.is_visible("#test-counter") and page.is_visible("#accuracy-counter")
    assert page.text_content("#test-loss-value") == f"{frame['test_loss']:.4g}"
    assert page.text_content("#accuracy-value") == (
        f"{round(100 * frame['accuracy'])} % · test {round(100 * frame['test_accuracy'])} %")
    assert page.text_content("#split-note").startswith("24 of 80 points held out")
    # filled training points, hollow held-out ones
    centres = page.evaluate(CENTRES)
    held = [c for c in centres if c["held"]]
    trained = [c for c in centres if not c["held"]]
    assert len(held) >= 3 and len(trained) >= 3, (len(held), len(trained))
    assert all(_near(c["px"], c["face"], 10) for c in trained)
    assert not any(_near(c["px"], c["face"], 40) for c in held)
    # the layout: no card over another, no text out of its box
    assert not _overlapping(page.evaluate(BOXES)), _overlapping(page.evaluate(BOXES))
    assert page.evaluate(SPILLS) == []
    page.mouse.move(0, 0)
    page.screenshot(path=str(tmp_path / f"test-share-{width}.png"), full_page=True)
    page.locator("#loss-chart").locator("..").screenshot(
        path=str(tmp_path / f"test-share-loss-{width}.png"))
    # a share of 0: one curve, no test counter
    before = page.evaluate("window.xornet.stats.frames")
    page.fill("#test_split", "0")
    page.press("#test_split", "Enter")
    page.wait_for_function(f"window.xornet.stats.frames > {before}"
                           " && window.xornet.data.n_test === 0")
    _epochs(page, 3)
    assert page.evaluate(COLOURED, ["loss-chart", palette.COLOURS["test"]]) == 0
    assert "test loss" not in page.text_content("#loss-legend")
    assert page.is_hidden("#test-counter")
    # a truth table: the control is off, with its one-line reason
    before = page.evaluate("window.xornet.stats.frames")
    page.select_option("#dataset", "xor")
    page.wait_for_function(f"window.xornet.stats.frames > {before}")
    assert page.is_disabled("#test_split")
    assert page.text_content("#split-note").startswith("No test share for xor: a truth table")
    context.close()
    assert not errors, errors
