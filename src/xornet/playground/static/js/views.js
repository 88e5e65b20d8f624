// The live views: decision-boundary heatmap (or the curve fit), hidden-unit maps, loss curve.
// Every number comes from the server; this file only turns them into pixels. The colours are
// the figures' (xornet/palette.py), sent once in the options: setPalette(options.palette).

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
let STOPS = ["#b2182b", "#f7f7f7", "#2166ac"].map(hex);  // replaced by setPalette
let MIDDLE = STOPS[1];
export const paint = { negative: "#b2182b", positive: "#2166ac", ring: "#ffffff",
  edge: "#1f2933", units: ["#000000"], classes: [] };

export function setPalette(palette) {
  STOPS = palette.map.map(hex);
  MIDDLE = STOPS[(STOPS.length - 1) / 2];  // the map's middle step: an undecided output
  Object.assign(paint, palette);
  tables.clear();
}

// A value scaled to 0..1 → a colour of the map (red, through near-white, to blue); a
// strength below 1 moves it towards the middle, so the data drawn on top stands out.
export function colour(t, strength = 1) {
  t = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(Math.floor(t), STOPS.length - 2), u = t - i;
  const c = [0, 1, 2].map((k) => STOPS[i][k] + (STOPS[i + 1][k] - STOPS[i][k]) * u);
  return c.map((v, k) => Math.round(MIDDLE[k] + (v - MIDDLE[k]) * strength));
}
const css = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function bytes(b64) {
  const text = atob(b64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const tables = new Map();  // strength → 256 colours, so a frame does no colour maths
function lookup(strength) {
  if (!tables.has(strength)) {
    tables.set(strength, Array.from({ length: 256 }, (_, b) => colour(b / 255, strength)));
  }
  return tables.get(strength);
}

// Draw an n × n byte map onto a canvas context, scaled to w × h.
function paintMap(ctx, values, n, w, h, strength) {
  const img = new ImageData(n, n), table = lookup(strength);
  for (let i = 0; i < values.length; i++) {
    const c = table[values[i]];
    img.data[i * 4] = c[0];
    img.data[i * 4 + 1] = c[1];
    img.data[i * 4 + 2] = c[2];
    img.data[i * 4 + 3] = 255;
  }
  const off = new OffscreenCanvas(n, n);
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, w, h);
}

// The threshold line by marching squares over the grid (value 127.5 of 255).
function contour(ctx, values, n, w, h) {
  const at = (r, c) => values[r * n + c] - 127.5;
  const sx = w / (n - 1), sy = h / (n - 1);
  ctx.beginPath();
  for (let r = 0; r < n - 1; r++) {
    for (let c = 0; c < n - 1; c++) {
      const v = [at(r, c), at(r, c + 1), at(r + 1, c + 1), at(r + 1, c)];
      const corners = [[c, r], [c + 1, r], [c + 1, r + 1], [c, r + 1]];
      const cuts = [];
      for (let e = 0; e < 4; e++) {
        const a = v[e], b = v[(e + 1) % 4];
        if ((a < 0) !== (b < 0)) {
          const t = a / (a - b);
          const [x0, y0] = corners[e], [x1, y1] = corners[(e + 1) % 4];
          cuts.push([(x0 + (x1 - x0) * t) * sx, (y0 + (y1 - y0) * t) * sy]);
        }
      }
      for (let k = 0; k + 1 < cuts.length; k += 2) {
        ctx.moveTo(cuts[k][0], cuts[k][1]);
        ctx.lineTo(cuts[k + 1][0], cuts[k + 1][1]);
      }
    }
  }
  ctx.strokeStyle = "rgba(31,41,51,0.55)";
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

// Where data point i sits on the main canvas, in canvas pixels.
export function project(data, canvas, i) {
  const v = data.view, W = canvas.width, H = canvas.height;
  if (v.kind === "plane") {
    const [x0, x1, y0, y1] = v.extent, p = data.X[i];
    return [(p[0] - x0) / (x1 - x0) * W, (y1 - p[1]) / (y1 - y0) * H];
  }
  if (v.kind === "curve") {
    const [x0, x1] = v.extent, [lo, hi] = curveRange(data);
    return [(data.X[i][0] - x0) / (x1 - x0) * W, plotY(data.y[i], lo, hi, H)];
  }
  return null;
}

function curveRange(data) {
  let lo = Math.min(...data.y), hi = Math.max(...data.y);
  const pad = Math.max(0.25 * (hi - lo), 0.1);
  return [lo - pad, hi + pad];
}
const plotY = (v, lo, hi, H) => (hi - v) / (hi - lo) * H;

// The nearest training point (held-out points are never trained on, so not explained).
export function nearestPoint(data, canvas, x, y, radius = 12) {
  let best = null, bestD = radius * radius;
  for (let i = 0; i < data.n_train; i++) {
    const p = project(data, canvas, i);
    if (!p) return null;
    const d = (p[0] - x) ** 2 + (p[1] - y) ** 2;
    if (d <= bestD) { best = i; bestD = d; }
  }
  return best;
}

// The data's classes: 0/1 targets are drawn with the figures' marker and colour per class.
function isBinary(data) {
  return data.y.every((v) => v === 0 || v === 1);
}

// One data point: its class's marker (circle or square) filled with its colour, in a white
// ring inside a dark edge, so it reads on the red, the blue and the white of the map alike.
// A held-out (test) point is hollow: the outline alone, in its colour between two dark
// edges, with the map showing through the middle.
function marker(ctx, x, y, r, shape, fill, hollow = false) {
  const draw = (grow) => {
    ctx.beginPath();
    const s = r + grow;
    if (shape === "square") ctx.rect(x - s * 0.9, y - s * 0.9, s * 1.8, s * 1.8);
    else ctx.arc(x, y, s, 0, 2 * Math.PI);
  };
  const ring = Math.max(1, r * 0.3);
  if (hollow) {  // about the filled marker's size, with a hole as wide as its dot
    const width = Math.max(1.8, r * 0.3);
    draw(width * 0.5 + 0.8);
    ctx.lineWidth = width + 1.6;
    ctx.strokeStyle = paint.edge;
    ctx.stroke();
    ctx.lineWidth = width;
    ctx.strokeStyle = fill === paint.ring ? paint.edge : fill;
    ctx.stroke();
    ctx.lineWidth = 1;
    return;
  }
  draw(ring + 0.8);
  ctx.fillStyle = paint.edge;
  ctx.fill();
  draw(ring);
  ctx.fillStyle = paint.ring;
  ctx.fill();
  draw(0);
  ctx.fillStyle = fill;
  ctx.fill();
}

function drawPoints(ctx, canvas, data, view) {
  const r = data.n > 1000 ? 2 : data.n > 200 ? 2.6 : data.n > 16 ? 3.6 : 8;
  const classes = view.kind === "plane" && isBinary(data) && paint.classes.length === 2;
  for (let i = 0; i < data.n; i++) {
    const [x, y] = project(data, canvas, i), held = i >= data.n_train;  // a test point
    if (view.kind === "curve") {
      marker(ctx, x, y, r * 0.6, "circle", paint.ring, held);
    } else if (classes) {
      const look = paint.classes[data.y[i]];
      marker(ctx, x, y, r, look.marker, look.face, held);
    } else {
      const v = data.view;
      marker(ctx, x, y, r, "circle", css(colour((data.y[i] - v.out_lo) / (v.out_hi - v.out_lo))), held);
    }
  }
  return r;
}

export function drawMain(canvas, data, view, selected) {
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (view.kind === "plane") {
    const g = data.view.grid, values = bytes(view.out);
    paintMap(ctx, values, g, W, H, 0.55);
    contour(ctx, values, g, W, H);
  } else if (view.kind === "curve") {
    drawCurve(ctx, data, view, W, H);
  } else {
    ctx.fillStyle = "#66727f";
    ctx.font = "13px system-ui";
    wrapText(ctx, view.reason, 20, 40, W - 40);
    return;
  }
  const r = drawPoints(ctx, canvas, data, view);
  if (selected !== null && selected < data.n) {
    const [x, y] = project(data, canvas, selected);
    ctx.beginPath();
    ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = paint.edge;
    ctx.stroke();
  }
  axes(ctx, data, W, H);
}

function drawCurve(ctx, data, view, W, H) {
  const [lo, hi] = curveRange(data), [x0, x1] = data.view.extent;
  ctx.fillStyle = "#fbfbfc";
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = "#d9dee3";
  ctx.beginPath();
  ctx.moveTo(0, plotY(0, lo, hi, H));
  ctx.lineTo(W, plotY(0, lo, hi, H));
  ctx.stroke();
  const line = (ys, style, width) => {
    ctx.beginPath();
    view.xs.forEach((x, i) => {
      if (ys[i] === null) return;
      const px = (x - x0) / (x1 - x0) * W, py = plotY(ys[i], lo, hi, H);
      i ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
    });
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.stroke();
  };
  line(view.out, paint.edge, 3);
}

function axes(ctx, data, W, H) {
  const e = data.view.extent;
  if (!e) return;
  const label = (text, x, y) => {
    const w = ctx.measureText(text).width;
    ctx.fillStyle = "rgba(255,255,255,0.8)";
    ctx.fillRect(x - 3, y - 11, w + 6, 15);
    ctx.fillStyle = "rgba(31,41,51,0.8)";
    ctx.fillText(text, x, y);
  };
  ctx.font = "11px system-ui";
  label(`x1 → ${e[0].toFixed(2)} … ${e[1].toFixed(2)}`, 6, H - 6);
  if (e.length > 2) label(`x2 ↑ ${e[2].toFixed(2)} … ${e[3].toFixed(2)}`, 6, 16);
}

function wrapText(ctx, text, x, y, width) {
  let line = "";
  for (const word of text.split(" ")) {
    if (ctx.measureText(line + word).width > width) { ctx.fillText(line, x, y); line = ""; y += 18; }
    line += word + " ";
  }
  ctx.fillText(line, x, y);
}

// One small canvas per hidden unit, rebuilt only when the network's shape changes. Each is
// named by the logic lens when it reads the network (labels: name → "h1 ≈ OR"), else by name.
export function drawUnits(container, data, view, names, labels = {}) {
  const units = view.units || [];
  const total = names.length;
  if (total > units.length && units.length) names = names.slice(0, units.length);
  if (container.dataset.shape !== names.join(",") + view.kind) {
    container.dataset.shape = names.join(",") + view.kind;
    container.replaceChildren(...units.map((u, k) => {
      const box = document.createElement("div");
      box.className = "unit";
      box.dataset.name = names[k] || `unit ${k + 1}`;
      const c = document.createElement("canvas");
      c.width = c.height = 64;
      const label = document.createElement("span");
      box.append(c, label);
      return box;
    }));
    if (view.kind === "none") container.textContent = "Unit maps need one or two inputs.";
    else if (!units.length) container.textContent = "No hidden layer: the output reads the inputs directly.";
    else if (total > units.length) {
      const note = document.createElement("p");
      note.className = "hint units-layer";
      note.textContent = `Showing the first ${units.length} of ${total} hidden units.`;
      container.append(note);
    }
  }
  for (const box of container.querySelectorAll(".unit")) {
    const text = labels[box.dataset.name] || box.dataset.name, span = box.lastChild;
    if (span.textContent !== text) span.textContent = text;
    span.title = labels[box.dataset.name] ? "the logic lens's reading of this unit" : "";
  }
  const canvases = container.querySelectorAll("canvas");
  units.forEach((u, k) => {
    const c = canvases[k];
    if (!c) return;
    const ctx = c.getContext("2d");
    if (view.kind === "plane") paintMap(ctx, bytes(u.map), data.view.unit_grid, 64, 64, 0.9);
    else sparkline(ctx, u.values, 64, 64);
  });
}

function sparkline(ctx, values, W, H) {
  const finite = values.filter((v) => v !== null);
  const lo = Math.min(...finite), hi = Math.max(...finite), span = hi - lo || 1;
  ctx.fillStyle = "#fbfbfc";
  ctx.fillRect(0, 0, W, H);
  ctx.beginPath();
  values.forEach((v, i) => {
    const x = i / (values.length - 1) * W, y = H - 4 - (v - lo) / span * (H - 8);
    i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
  });
  ctx.strokeStyle = paint.positive;
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

// The loss curves on one log scale; points = [[epoch, loss], ...] of the training loss,
// testPoints the same for the test loss (or null without held-out points).
export function drawLoss(canvas, points, testPoints = null) {
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const usable = (curve) => curve.filter((p) => p[1] !== null && p[1] > 0);
  const good = usable(points), test = testPoints ? usable(testPoints) : [];
  if (good.length < 1) return;
  const logs = good.map((p) => Math.log10(p[1]));
  const all = logs.concat(test.map((p) => Math.log10(p[1])));
  let lo = Math.floor(Math.min(...all)), hi = Math.ceil(Math.max(...all));
  if (hi === lo) hi = lo + 1;
  const last = Math.max(good[good.length - 1][0], 1);
  const left = 38, bottom = H - 18;
  ctx.font = "11px system-ui";
  ctx.fillStyle = "#66727f";
  ctx.strokeStyle = "#eef0f2";
  const every = Math.ceil((hi - lo) / 6);  // at most about six labelled decades
  for (let d = lo; d <= hi; d += every) {
    const y = bottom - (d - lo) / (hi - lo) * (bottom - 6);
    ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(W, y); ctx.stroke();
    ctx.fillText(`1e${d}`, 2, y + 4);
  }
  ctx.fillText("0", left, H - 4);
  ctx.fillText(`epoch ${last}`, W - 70, H - 4);
  const curve = (pts, style) => {
    ctx.beginPath();
    pts.forEach((p, i) => {
      const x = left + p[0] / last * (W - left - 4);
      const y = bottom - (Math.log10(p[1]) - lo) / (hi - lo) * (bottom - 6);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.strokeStyle = style;
    ctx.lineWidth = 1.8;
    ctx.stroke();
  };
  curve(good, testPoints ? paint.positive : paint.edge);
  if (test.length) {  // dashed: where the two curves coincide, the training one shows through
    ctx.setLineDash([6, 4]);
    curve(test, paint.test);
    ctx.setLineDash([]);
  }
}

// The success-rate panel's histogram: the seeds' epochs to solve on a log axis (one bar per
// bin of m.edges), one grey bar for the seeds that did not solve, and the page's seed marked.
export function drawSuccess(canvas, m) {
  const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  if (!m || m.state !== "done") return;
  const left = 34, right = W - 62, top = 14, bottom = H - 34, gap = 12;
  const failed = m.seeds - m.solved;
  const most = Math.max(1, failed, ...m.counts);
  const y = (count) => bottom - count / most * (bottom - top);
  ctx.font = "11px system-ui";
  ctx.strokeStyle = "#eef0f2";
  ctx.fillStyle = "#66727f";
  for (const frac of [0.5, 1]) {  // the count axis: half and all of the tallest bar
    const c = Math.round(most * frac), yy = y(c);
    ctx.beginPath(); ctx.moveTo(left, yy); ctx.lineTo(W, yy); ctx.stroke();
    ctx.fillText(String(c), 2, yy + 4);
  }
  ctx.fillText("0", 2, bottom + 4);
  const seed = m.seed || {};
  if (m.edges.length >= 2) {
    const lo = Math.log10(m.edges[0]), hi = Math.log10(m.edges[m.edges.length - 1]);
    const x = (e) => left + (Math.log10(e) - lo) / Math.max(hi - lo, 1e-9) * (right - gap - left);
    ctx.fillStyle = paint.positive;
    m.counts.forEach((c, i) => {
      const x0 = x(m.edges[i]), x1 = x(m.edges[i + 1]);
      ctx.fillRect(x0 + 0.5, y(c), Math.max(1, x1 - x0 - 1), bottom - y(c));
    });
    ctx.fillStyle = "#66727f";
    for (const t of logTicks(m.edges[0], m.edges[m.edges.length - 1])) {
      const xt = x(t);
      ctx.fillRect(xt, bottom, 1, 3);
      ctx.fillText(String(t), xt - 3 * String(t).length, bottom + 14);
    }
    ctx.fillText("epochs to solve (log scale)", (left + right) / 2 - 70, H - 3);
    if (seed.solved && !seed.origin) {  // the page's seed: a line at its epochs to solve
      const xs = x(Math.max(seed.solved_epoch, m.edges[0]));
      ctx.fillStyle = paint.negative;
      ctx.fillRect(xs - 1, top - 4, 2, bottom - top + 4);
      const label = `seed ${seed.seed}: ${seed.solved_epoch}`;
      const width = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(Math.max(xs + 4, left), right - gap - width), top + 2);
    }
  }
  // the seeds that never solved (stalled or diverged), beside the histogram
  ctx.fillStyle = "#a9b3bd";
  ctx.fillRect(right, y(failed), W - right - 6, bottom - y(failed));
  ctx.fillStyle = "#66727f";
  ctx.fillText("not solved", right - 2, bottom + 14);
  if (!seed.solved && !seed.origin) {
    ctx.strokeStyle = paint.negative;
    ctx.lineWidth = 2;
    ctx.strokeRect(right - 1, Math.min(y(failed), bottom - 4) - 1, W - right - 4, bottom - Math.min(y(failed), bottom - 4) + 2);
    ctx.lineWidth = 1;
  }
  ctx.strokeStyle = "#a9b3bd";
  ctx.beginPath(); ctx.moveTo(left, bottom + 0.5); ctx.lineTo(W, bottom + 0.5); ctx.stroke();
}

// Round numbers (1, 2, 5 × a power of ten) between lo and hi, at most about six of them.
function logTicks(lo, hi) {
  const out = [];
  for (let p = 10 ** Math.floor(Math.log10(lo)); p <= hi; p *= 10) {
    for (const k of [1, 2, 5]) if (k * p >= lo && k * p <= hi) out.push(k * p);
  }
  return out.length > 6 ? out.filter((t) => String(t)[0] === "1") : out;
}
