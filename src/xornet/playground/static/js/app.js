// The page's wiring: one WebSocket to the server, messages in, views out.
// The server trains and computes every number; the page sends commands and draws.

import * as form from "./form.js";
import * as panels from "./panels.js";
import { drawLoss, drawMain, drawSuccess, drawUnits, nearestPoint, paint, setPalette } from "./views.js";
import { Diagram } from "./diagram.js";

const $ = (id) => document.getElementById(id);
const state = {
  options: null, config: null, data: null, frame: null, playing: false, selected: null,
  losses: [], testLosses: [], stats: { frames: 0, times: [] }, ready: false,
  success: null,  // the last finished success-rate panel (kept, dimmed, while the next trains)
  unitLabels: {},  // a hidden unit's name → its logic-lens reading, "h1 ≈ OR"
};
window.xornet = state;  // for the curious (and the browser tests): the page's live state

let socket = null;
const diagram = new Diagram($("diagram"), $("tooltip"), (layer, row, col, value) =>
  send({ type: "set_weight", layer, row, col, value }));

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function command(message) {  // a user action: clears the last error first
  hideError();
  send(message);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    state.ready = false;
    showError("The connection to the xornet server closed; is `xornet playground` still running? Reload the page to reconnect.");
  });
}

const handlers = {
  hello(m) {
    state.options = m.options;
    usePalette(m.options.palette);
    form.build(m.options, (config) => command({ type: "config", config }));
    $("speed").value = String(m.speed);
    send({ type: "config", config: form.fromQuery(location.search) });
  },
  config(m) {
    state.config = m.config;
    form.write(m.config);
    history.replaceState(null, "", `?${form.toQuery(m.config)}`);
    $("loaded").textContent = m.loaded ? `loaded: ${m.loaded}` : "";
  },
  data(m) {
    state.data = m;
    state.unitLabels = {};  // new data: the lens reads the network again
    state.selected = null;
    state.losses = [];
    state.testLosses = [];
    $("split-note").textContent = m.split.text;
    $("view-note").textContent = m.n_test
      ? "Click a training point (filled) to see its explanation; hollow points are held out."
      : "Click a point (or a truth-table row) to see its explanation.";
    $("data-name").textContent = `${m.name}: ${m.n} points, ${m.n_in} input${m.n_in > 1 ? "s" : ""}`;
    $("view-title").textContent = m.view.kind === "curve" ? "Fit" : "Decision boundary";
    $("explain").replaceChildren();
    $("explain-hint").textContent = "click a data point";
  },
  frame(m) {
    state.frame = m;
    if (m.losses_from === 0) { state.losses = []; state.testLosses = []; }
    state.losses.push(...m.losses);
    state.testLosses.push(...m.test_losses);
    const thin = (curve) => curve.filter((_, i) => i % 2 === 0 || i === curve.length - 1);
    if (state.losses.length > 4000) state.losses = thin(state.losses);
    if (state.testLosses.length > 4000) state.testLosses = thin(state.testLosses);
    draw();
  },
  insights(m) {
    panels.lens($("lens"), m.lens);
    state.unitLabels = lensLabels(m.lens);
    if (state.data && state.frame) {
      drawUnits($("units"), state.data, state.frame.view, unitNames(state.data), state.unitLabels);
    }
    if (m.doctor) {
      panels.doctor($("doctor"), m.doctor, state.frame,
        (fields) => command({ type: "config", config: { ...state.config, ...fields } }));
    }
  },
  explain(m) {
    panels.explain($("explain"), m);
    $("explain-hint").textContent = `sample ${m.index + 1}`;
  },
  model(m) {
    const blob = new Blob([JSON.stringify(m.document, null, 2) + "\n"], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = m.filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  },
  success(m) {
    const card = $("success-card");
    card.classList.toggle("running", m.state === "running");
    card.dataset.state = m.state;
    if (m.state === "running") {
      $("success-headline").textContent = `training ${m.seeds.toLocaleString()} seeds for up to ${m.epochs.toLocaleString()} epochs…`;
      return;
    }
    if (m.state === "refused") {
      state.success = null;
      $("success-headline").textContent = m.message;
      $("success-seed").textContent = "";
      $("success-note").textContent = "";
      drawSuccess($("success-chart"), null);
      return;
    }
    state.success = m;
    $("success-headline").textContent = m.headline;
    $("success-seed").textContent = m.seed.sentence;
    const engine = m.backend === "numba" ? "the compiled kernel" : "the NumPy path";
    const median = m.median === null ? "" : `median ${m.median.toLocaleString()} epochs; `;
    $("success-note").textContent = `Seeds 0–${m.seeds - 1}, one attempt each, as Play trains them: ` +
      `${median}${m.stalled.toLocaleString()} stall, ${m.diverged.toLocaleString()} diverge. ` +
      `Trained by ${engine} in ${m.seconds.toFixed(1)} s${m.note ? ` (${m.note})` : ""}.` +
      (m.rows ? ` ${m.rows}` : "");
    drawSuccess($("success-chart"), m);
  },
  state(m) {
    state.playing = m.playing;
    $("play").textContent = m.playing ? "‖ Pause" : "▶ Play";
    $("speed").value = String(m.speed);
  },
  error(m) {
    showError(m.message);
    if (!state.config) send({ type: "config", config: {} });  // a bad lesson link: defaults
  },
};

function receive(message) {
  const handler = handlers[message.type];
  if (handler) handler(message);
}

function draw() {
  const { data, frame } = state;
  if (!data || !frame) return;
  drawMain($("boundary"), data, frame.view, state.selected);
  drawUnits($("units"), data, frame.view, unitNames(data), state.unitLabels);
  drawLoss($("loss-chart"), state.losses, data.n_test ? state.testLosses : null);
  lossLegend(data, frame);
  // a wide network's thousands of edges are redrawn at most four times a second
  const now = performance.now(), edges = diagram.edges ? diagram.edges.length : 0;
  if (frame.weights && (edges < 1500 || !state.playing || now - (state.drawnDiagram || 0) > 250)) {
    diagram.update(data.sizes, data.unit_names, frame.weights, frame.biases);
    state.drawnDiagram = now;
  }
  panels.truthTable($("table-card"), $("table"), data, frame, state.config.tolerance, explainRow);
  $("epoch-count").textContent = frame.epoch;
  $("loss-value").textContent = shown(frame.loss);
  $("test-counter").hidden = !data.n_test;
  $("test-loss-value").textContent = shown(frame.test_loss);
  $("accuracy-counter").hidden = frame.accuracy === null;
  $("accuracy-value").textContent = data.n_test && frame.test_accuracy !== null
    ? `${percent(frame.accuracy)} · test ${percent(frame.test_accuracy)}` : percent(frame.accuracy);
  const badge = $("badge");
  badge.className = `badge${frame.diverged ? " diverged" : frame.solved ? " solved" : ""}`;
  badge.textContent = frame.diverged ? "diverged" : frame.solved ? `solved (epoch ${frame.solved_epoch})` : "not solved";
  if (frame.diverged) showError(frame.diverged);
  const t = state.stats.times;
  state.stats.frames += 1;
  t.push(now);
  while (t.length && now - t[0] > 1000) t.shift();
  state.ready = true;
  document.body.dataset.frames = String(state.stats.frames);
}

const shown = (loss) => (loss === null ? "–" : Number(loss).toPrecision(4));
const percent = (share) => (share === null ? "–" : `${Math.round(100 * share)} %`);

// The loss chart's legend, in the curves' colours: the training loss, and the test loss
// of the held-out points when there are any.
function lossLegend(data, frame) {
  const item = (colour, text, dashed = false) => {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.borderTop = `3px ${dashed ? "dashed" : "solid"} ${colour}`;
    span.append(swatch, text);
    return span;
  };
  const n = data.n_train.toLocaleString(), items = [
    item(data.n_test ? paint.positive : paint.edge, `training loss (${n} points) ${shown(frame.loss)}`)];
  if (data.n_test) {
    items.push(item(paint.test, `test loss (${data.n_test.toLocaleString()} held out) ${shown(frame.test_loss)}`, true));
  }
  $("loss-legend").replaceChildren(...items);
  $("loss-chart").setAttribute("aria-label", data.n_test
    ? "Loss per epoch: training loss (blue) and test loss (orange, dashed)" : "Loss per epoch: training loss");
}

const unitNames = (data) => data.unit_names.slice(1, -1).flat();

// The lens's reading of each hidden unit, as the figures title their unit maps.
function lensLabels(lens) {
  const labels = {};
  if (!lens || !lens.applies) return labels;
  const last = Math.max(...lens.units.map((u) => u.layer));
  for (const u of lens.units) {
    if (u.layer !== last) labels[u.name] = `${u.name} ${u.crisp ? "=" : "≈"} ${u.function}`;
  }
  return labels;
}

// The figures' palette (xornet/palette.py) for the canvas views, the diagram and the CSS.
function usePalette(palette) {
  setPalette(palette);
  diagram.setPalette(palette);
  const root = document.documentElement.style;
  root.setProperty("--class0", palette.negative);
  root.setProperty("--class1", palette.positive);
}

function explainRow(i) {
  state.selected = i;
  draw();
  command({ type: "explain", index: i });
}

function showError(text) {
  $("error-text").textContent = text;
  $("error").hidden = false;
}
function hideError() { $("error").hidden = true; }

async function readFile(input, type) {
  const file = input.files[0];
  if (!file) return;
  const limit = state.options.limits.body_bytes;
  if (file.size > limit) {
    showError(`${file.name}: the file is ${file.size.toLocaleString()} bytes, more than the playground's ${limit.toLocaleString()}-byte (64 KiB) upload limit; use a smaller file.`);
  } else {
    command({ type, name: file.name, text: await file.text() });
  }
  input.value = "";
}

function wire() {
  $("play").addEventListener("click", () => command({ type: state.playing ? "pause" : "play" }));
  $("step").addEventListener("click", () => command({ type: "step" }));
  $("epoch").addEventListener("click", () => command({ type: "epoch" }));
  $("reset").addEventListener("click", () => command({ type: "reset" }));
  $("speed").addEventListener("change", (e) => command({ type: "speed", value: Number(e.target.value) }));
  $("download").addEventListener("click", () => command({ type: "save" }));
  $("csv-file").addEventListener("change", (e) => readFile(e.target, "csv"));
  $("model-file").addEventListener("change", (e) => readFile(e.target, "load_model"));
  $("builtin").addEventListener("change", (e) => {
    if (e.target.value) command({ type: "load_builtin", name: e.target.value });
    e.target.value = "";
  });
  $("error-close").addEventListener("click", hideError);
  $("share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      $("share").textContent = "Link copied";
    } catch {
      $("share").textContent = "Copy it from the address bar";
    }
    setTimeout(() => { $("share").textContent = "Copy lesson link"; }, 2000);
  });
  $("boundary").addEventListener("click", (event) => {
    if (!state.data) return;
    const c = $("boundary"), box = c.getBoundingClientRect();
    const x = (event.clientX - box.left) * c.width / box.width;
    const y = (event.clientY - box.top) * c.height / box.height;
    const i = nearestPoint(state.data, c, x, y);
    if (i !== null) explainRow(i);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === " " && e.target === document.body) {
      e.preventDefault();
      $("play").click();
    }
  });
}

wire();
connect();
