"""The playground end to end: a real server on a free loopback port, driven in Debian's
headless Chromium by Playwright (never `playwright install`).

Oracles: the colours under the data points against the XOR truth table; the explain panel
against ``xornet.explain.trace.explain_step`` on the weights the page shows; a downloaded model
against ``xornet.load``; a refused upload against the sentence the command line prints.
"""

import json
import time

import numpy as np
import pytest
from typer.testing import CliRunner

import xornet
import xornet.cli.playground  # registers `xornet playground`
from xornet import palette
from xornet.cli import app as cli_app
from xornet.explain import logic
from xornet.explain.trace import explain_step
from xornet.playground import spec


@pytest.fixture
def page(browser, url):
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the page's own
    # Content-Security-Policy forbids; test_the_page_works_under_its_own_policy runs without.
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.xornet && window.xornet.ready")
    yield page
    context.close()
    assert not errors, errors


def ready_after(page, action):
    """Run ``action`` and wait until the page has drawn a newer frame."""
    before = page.evaluate("window.xornet.stats.frames")
    action()
    page.wait_for_function(f"window.xornet.stats.frames > {before}")


CANVAS_STATS = """() => {
  const c = document.getElementById('boundary');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let blue = 0, orange = 0, hash = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 2] > d[i] + 40) blue++;
    if (d[i] > d[i + 2] + 40) orange++;
    hash = (hash * 31 + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) % 1000000007;
  }
  return {blue: blue / (d.length / 4), orange: orange / (d.length / 4), hash};
}"""


def point_on_canvas(page, i):
    """Where data point ``i`` is drawn, in the canvas's CSS pixels."""
    return page.evaluate("""(i) => {
      const s = window.xornet, [x0, x1, y0, y1] = s.data.view.extent;
      const c = document.getElementById('boundary'), p = s.data.X[i];
      return {x: (p[0] - x0) / (x1 - x0) * c.width, y: (y1 - p[1]) / (y1 - y0) * c.height};
    }""", i)


def pixel(page, x, y):
    return page.evaluate("([x, y]) => Array.from(document.getElementById('boundary')"
                         ".getContext('2d').getImageData(x, y, 1, 1).data)", [x, y])


def test_play_solves_xor_and_the_boundary_shows_both_classes(page, tmp_path):
    ready_after(page, lambda: page.select_option("#dataset", "xor"))
    before = page.evaluate(CANVAS_STATS)
    page.click("#play")
    page.wait_for_selector("#badge.solved", timeout=20_000)
    page.wait_for_function("!window.xornet.playing")
    after = page.evaluate(CANVAS_STATS)
    assert after["hash"] != before["hash"]
    assert after["blue"] > 0.15 and after["orange"] > 0.15, after
    # beside each point (off its dot) the heatmap has the colour of the point's target
    for i, target in enumerate([0, 1, 1, 0]):
        p = point_on_canvas(page, i)
        dx = 12 if p["x"] < 220 else -12
        dy = 12 if p["y"] < 220 else -12
        r, _, b, _ = pixel(page, round(p["x"] + dx), round(p["y"] + dy))
        assert (b > r) == bool(target), (i, r, b)
    assert page.text_content("#badge").startswith("solved")
    assert "The reading agrees" in page.text_content("#lens")
    # click the point (0, 1): its explanation, with the numbers of explain_step
    p = point_on_canvas(page, 1)
    page.click("#boundary", position=p)
    page.wait_for_selector("#explain table")
    text = page.text_content("#explain")
    assert "Sample 2: x = (0.0000, 1.0000), target (1.0000)" in text
    assert "1. Forward pass" in text and "∂E/∂w" in text
    state = page.evaluate("({f: window.xornet.frame, c: window.xornet.config})")
    net = xornet.Network.from_weights(state["f"]["weights"], state["f"]["biases"],
                                      ["tanh", "sigmoid"])
    step = explain_step(net, [[0.0, 1.0]], [[1.0]], loss=state["c"]["loss"], lr=state["c"]["lr"])
    cells = page.locator("#explain table tr").nth(1).locator("td").all_text_contents()
    first = step["parameters"][0]
    assert cells[0] == first["name"] and float(cells[4]) == pytest.approx(first["new"], rel=1e-4)
    page.mouse.move(0, 0)
    shot = tmp_path / "playground.png"  # the README's picture is docs/make_docs.py's
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_view_updates_per_second_while_playing(page):
    page.uncheck("#stop_when_solved")
    page.wait_for_function("window.xornet.config && !window.xornet.config.stop_when_solved")
    page.click("#play")
    time.sleep(2.5)
    rate = page.evaluate("window.xornet.stats.times.length")
    page.click("#play")
    view_ms = page.evaluate("window.xornet.frame.view_ms")
    print(f"\nbrowser: {rate} view updates in the last second; boundary grid {view_ms:.3f} ms")
    assert rate > 0


def edge_point(page, layer, row, col):
    """A point on the weight's line that the line itself receives (not a crossing line)."""
    return page.evaluate("""([k, i, j]) => {
      const sel = `line.hit[data-layer="${k}"][data-row="${i}"][data-col="${j}"]`;
      const line = document.querySelector(sel), m = line.getScreenCTM();
      const a = (n) => Number(line.getAttribute(n));
      for (const t of [0.3, 0.4, 0.5, 0.6, 0.2, 0.7, 0.8]) {
        const p = new DOMPoint(a('x1') + t * (a('x2') - a('x1')), a('y1') + t * (a('y2') - a('y1')))
          .matrixTransform(m);
        if (document.elementFromPoint(p.x, p.y) === line) return {x: p.x, y: p.y};
      }
      return null;
    }""", [layer, row, col])


def test_edit_a_weight_download_the_model_and_load_it_back(page, tmp_path):
    where = edge_point(page, 1, 0, 0)
    assert where is not None
    page.mouse.move(where["x"], where["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    old = page.evaluate("window.xornet.frame.weights[0][0][0]")
    label, value = page.text_content("#tooltip").split(" = ")
    assert label == "W1[0,0]  x1 → h1" and float(value) == pytest.approx(old, rel=1e-5)
    page.mouse.click(where["x"], where["y"])
    page.fill(".editor", "2.5")
    ready_after(page, lambda: page.press(".editor", "Enter"))
    assert page.evaluate("window.xornet.frame.weights[0][0][0]") == 2.5
    page.mouse.move(where["x"] + 1, where["y"])
    page.wait_for_function("document.getElementById('tooltip').textContent.endsWith('= 2.50000')")
    with page.expect_download() as download:
        page.click("#download")
    path = tmp_path / "model.json"
    download.value.save_as(path)
    net = xornet.load(path)  # the library's strict loader
    assert net.weights[0][0, 0] == 2.5
    weights = [w.tolist() for w in net.weights]
    # a new seed draws new weights; loading the file brings the saved ones back
    page.fill("#seed", "5")
    ready_after(page, lambda: page.dispatch_event("#seed", "change"))
    assert page.evaluate("window.xornet.frame.weights") != weights
    ready_after(page, lambda: page.set_input_files("#model-file", str(path)))
    assert page.evaluate("window.xornet.frame.weights") == weights
    assert page.text_content("#loaded") == "loaded: model.json"


def test_upload_a_csv_and_a_bad_one_shows_the_cli_sentence(page, tmp_path, monkeypatch):
    good = tmp_path / "gates.csv"
    good.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n0.5,0.5,1\n")
    ready_after(page, lambda: page.set_input_files("#csv-file", str(good)))
    assert page.evaluate("[window.xornet.data.n, window.xornet.config.dataset]") == [5, "csv"]
    assert "gates.csv (a, b → y): 5 points" in page.text_content("#data-name")
    assert "dataset=csv" in page.url
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n0,0,0\n0,x,1\n")
    monkeypatch.chdir(tmp_path)
    cli = CliRunner().invoke(cli_app, ["train", "--csv", "bad.csv"])
    sentence = cli.stderr.strip().removeprefix("xornet: error: ")
    assert sentence == "bad.csv, line 3, column 'b': 'x' is not a number."
    page.set_input_files("#csv-file", str(bad))
    page.wait_for_selector("#error:not([hidden])")
    assert page.text_content("#error-text") == sentence
    assert page.evaluate("window.xornet.data.n") == 5  # the good upload is still in use


def test_the_page_works_under_its_own_policy(browser, url):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.wait_for_selector("body[data-frames]")  # a frame was drawn (no script evaluation)
    page.click("#epoch")
    page.wait_for_selector("body[data-frames='2']")
    assert page.text_content("#epoch-count") == "1" and not problems, problems
    page.close()


def test_a_lesson_link_sets_up_the_page(browser, url):
    page = browser.new_page(bypass_csp=True)
    query = "?dataset=and&hidden=3,2&activations=tanh,relu&lr=0.3&momentum=0&seed=7"
    page.goto(url + query)
    page.wait_for_function("window.xornet && window.xornet.ready")
    config = page.evaluate("window.xornet.config")
    assert config["hidden"] == [3, 2] and config["activations"] == ["tanh", "relu"]
    assert (config["dataset"], config["lr"], config["seed"]) == ("and", 0.3, 7)
    assert page.locator(".layer-row").count() == 2
    page.goto(url + "?hidden=3,2,2,2,2,2,2")
    page.wait_for_selector("#error:not([hidden])")
    assert page.text_content("#error-text").startswith("hidden: 7 hidden layers")
    page.wait_for_function("window.xornet.ready")  # and the page falls back to the default
    assert page.evaluate("window.xornet.config.hidden") == list(spec.DEFAULT.run.hidden)
    page.close()


def test_three_inputs_have_no_plane_but_a_truth_table_row_explains(page):
    ready_after(page, lambda: page.select_option("#dataset", "parity"))
    assert page.evaluate("[window.xornet.data.n_in, window.xornet.frame.view.kind]") == [3, "none"]
    assert page.text_content("#units") == "Unit maps need one or two inputs."
    page.click("#table tr:nth-child(3)")  # the header, then rows 000 and 001
    page.wait_for_selector("#explain table")
    assert "Sample 2: x = (0.0000, 0.0000, 1.0000), target (1.0000)" in page.text_content(
        "#explain")


# --- the network diagram and the unit thumbnails, at two widths --------------------------
NODE_BOXES = """() => Array.from(document.querySelectorAll(
    '#diagram circle.node, #diagram rect.bias-node')).map((e) => {
  const b = e.getBoundingClientRect();
  return {kind: e.tagName, layer: Number(e.dataset.layer), x: b.x, y: b.y, w: b.width,
          h: b.height};
})"""


def overlapping(boxes):
    """Pairs of boxes (screen pixels) that share any area."""
    return [(a, b) for n, a in enumerate(boxes) for b in boxes[n + 1:]
            if a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]]


@pytest.mark.parametrize("width", [1280, 800])
@pytest.mark.parametrize("hidden", [2, 16])
def test_diagram_nodes_never_overlap_bias_nodes_show_and_units_are_named(browser, url, width,
                                                                        hidden, tmp_path):
    page = browser.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + f"?dataset=xor&hidden={hidden}&seed=3")
    page.wait_for_function("window.xornet && window.xornet.ready")
    page.wait_for_function("document.querySelector('#units .unit span')"
                           ".textContent.includes(' ')")  # the lens has named them
    boxes = page.evaluate(NODE_BOXES)
    units = [b for b in boxes if b["kind"] == "circle"]
    bias = [b for b in boxes if b["kind"] == "rect"]
    assert len(units) == 2 + hidden + 1
    assert sorted(b["layer"] for b in bias) == [0, 1]  # above the inputs and the hidden layer
    assert not overlapping(boxes), overlapping(boxes)[:3]
    svg = page.evaluate("(() => { const b = document.querySelector('#diagram svg')"
                        ".getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width,"
                        " h: b.height}; })()")
    for b in boxes:  # every node inside the drawing, none cut off at the panel's edge
        assert svg["x"] <= b["x"] and b["x"] + b["w"] <= svg["x"] + svg["w"] + 0.5, (b, svg)
        assert svg["y"] <= b["y"] and b["y"] + b["h"] <= svg["y"] + svg["h"] + 0.5, (b, svg)
    # the oracle for the names: the library's lens on the weights the page shows
    state = page.evaluate("({f: window.xornet.frame, c: window.xornet.config})")
    net = xornet.Network.from_weights(state["f"]["weights"], state["f"]["biases"],
                                      [*state["c"]["activations"],
                                       state["c"]["output_activation"]])
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    reading = logic.lens(net, X)
    expected = [f"{u.name} {'=' if u.crisp else '≈'} {u.function}" for u in reading.layers[0]]
    shown = page.eval_on_selector_all("#units .unit span", "es => es.map(e => e.textContent)")
    assert shown == expected
    # the figures' palette: each edge (bias edges too) in the sign's colour
    colours = page.evaluate("""() => Array.from(document.querySelectorAll('#diagram line.hit'))
      .map((hit) => [hit.dataset.bias ? 'b' : 'w', Number(hit.dataset.layer),
                     Number(hit.dataset.row ?? -1), Number(hit.dataset.col),
                     hit.previousElementSibling.getAttribute('stroke')])""")
    assert len(colours) == net.n_params
    for kind, k, i, j, stroke in colours:
        w = net.biases[k - 1][j] if kind == "b" else net.weights[k - 1][i, j]
        assert stroke == palette.COLOURS["positive" if w >= 0 else "negative"], (kind, k, i, j)
    page.screenshot(path=str(tmp_path / f"playground-{width}-{hidden}.png"), full_page=True)
    page.close()
    assert not errors, errors


def test_the_page_receives_the_figures_palette(page):
    assert page.evaluate("window.xornet.options.palette") == json.loads(
        json.dumps(palette.COLOURS))
    css = page.evaluate("getComputedStyle(document.documentElement)"
                        ".getPropertyValue('--class1').trim()")
    assert css == palette.COLOURS["positive"]
