// The network diagram: one SVG line per weight, blue for positive and red for negative (the
// figures' colours), thicker for larger |w|. Bias nodes are grey squares holding the constant
// 1 above each layer but the last, so a bias is the weight of an edge from that node, as in
// the figures. Hover shows a value; click opens an editor that sends the new value to the
// server. The layout is computed from the space the panel has and the layer sizes, so nodes
// never overlap: rebuilt when the panel's width changes.

const NS = "http://www.w3.org/2000/svg";

function el(name, attrs = {}) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const fmt = (v) => (v === null || v === undefined ? "–" : Number(v).toPrecision(6));

// Node centres and radius for layers of `sizes` units (plus a bias node above each layer but
// the last when `bias`), in a width × height box. Rows of a column are `gap` apart and the
// radius is at most 0.4 gap and 0.25 of the column spacing, so no two nodes can touch.
export function place(sizes, bias, width) {
  const L = sizes.length;
  const rows = sizes.map((n, k) => n + (bias && k < L - 1 ? 1 : 0));
  const most = Math.max(...rows), top = 22, bottom = 10;
  const height = Math.round(Math.max(180, Math.min(640, most * 36 + top + bottom)));
  const gap = (height - top - bottom) / most;
  const margin = 30, column = (width - 2 * margin) / Math.max(L - 1, 1);
  const r = Math.max(1.5, Math.min(15, 0.4 * gap, 0.25 * column));
  const x = (k) => (L === 1 ? width / 2 : margin + k * column);
  const middle = top + (height - top - bottom) / 2;
  const y = (k, row) => middle + (row - (rows[k] - 1) / 2) * gap;
  const biasRow = (k) => (bias && k < L - 1 ? 0 : null);  // the bias node is row 0 ...
  const unitRow = (k, j) => j + (biasRow(k) === null ? 0 : 1);  // ... the units below it
  return { width, height, r, x, y, biasRow, unitRow, top };
}

export class Diagram {
  constructor(container, tooltip, onEdit) {
    this.container = container;
    this.tooltip = tooltip;
    this.onEdit = onEdit;
    this.shape = "";
    this.width = 0;
    this.weights = null;
    this.biases = null;
    this.colours = { positive: "#2166ac", negative: "#b2182b" };  // until setPalette
    container.addEventListener("mousemove", (e) => this.hover(e));
    container.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    container.addEventListener("click", (e) => this.click(e));
    new ResizeObserver(() => this.resized()).observe(container);
  }

  setPalette(palette) {
    this.colours = palette;
    if (this.weights) this.paint();
  }

  resized() {
    const width = Math.round(this.container.clientWidth);
    if (!this.sizes || Math.abs(width - this.width) < 4) return;
    this.build(this.sizes, this.names, this.hasBias);
    if (this.weights) this.paint();
  }

  build(sizes, names, bias) {
    this.sizes = sizes;
    this.names = names;
    this.hasBias = bias;
    this.width = Math.max(200, Math.round(this.container.clientWidth || 440));
    const p = place(sizes, bias, this.width), L = sizes.length;
    const svg = el("svg", { viewBox: `0 0 ${p.width} ${p.height}`, role: "img",
      "aria-label": `network diagram, ${sizes.join("-")}${bias ? " with bias nodes" : ""}` });
    this.edges = [];
    this.nodes = [];
    const at = (k, j) => [p.x(k), p.y(k, p.unitRow(k, j))];
    for (let k = 1; k < L; k++) {
      const sources = [];
      for (let i = 0; i < sizes[k - 1]; i++) sources.push({ i, xy: at(k - 1, i) });
      if (bias) sources.push({ i: null, xy: [p.x(k - 1), p.y(k - 1, p.biasRow(k - 1))] });
      for (const { i, xy } of sources) {
        for (let j = 0; j < sizes[k]; j++) {
          const [x2, y2] = at(k, j), ends = { x1: xy[0], y1: xy[1], x2, y2 };
          const line = el("line", { ...ends, class: i === null ? "edge bias" : "edge" });
          const hit = el("line", { ...ends, class: "hit", "data-layer": k, "data-col": j,
            ...(i === null ? { "data-bias": 1 } : { "data-row": i }) });
          svg.append(line, hit);
          this.edges.push({ line, k, i, j });
        }
      }
    }
    for (let k = 0; k < L; k++) {
      if (p.biasRow(k) !== null) this.biasNode(svg, p, k);
      for (let j = 0; j < sizes[k]; j++) this.unitNode(svg, p, k, j, names[k][j]);
    }
    this.container.replaceChildren(svg);
  }

  unitNode(svg, p, k, j, name) {
    const [cx, cy] = [p.x(k), p.y(k, p.unitRow(k, j))], r = p.r;
    const circle = el("circle", { cx, cy, r, class: k === 0 ? "node input" : "node",
      "data-layer": k, "data-col": j, "data-name": name });
    svg.append(circle);
    this.nodes.push({ circle, k, j });
    const n = this.sizes[k];
    let label = null;
    if (r >= 9) {  // the name inside the node
      label = el("text", { x: cx, y: cy + 4, "text-anchor": "middle",
        class: name.length > 3 ? "small" : "" });
    } else if (j === n - 1) {  // a crowded column: the last node's name below it
      label = el("text", { x: cx, y: cy + r + 12, "text-anchor": "middle", class: "small" });
    }
    if (label) {
      label.textContent = name;
      svg.append(label);
    }
  }

  biasNode(svg, p, k) {
    const side = 1.6 * p.r, cx = p.x(k), cy = p.y(k, p.biasRow(k));
    const rect = el("rect", { x: cx - side / 2, y: cy - side / 2, width: side, height: side,
      class: "bias-node", "data-layer": k });
    svg.append(rect);
    if (side >= 12) {
      const label = el("text", { x: cx, y: cy + 4, "text-anchor": "middle" });
      label.textContent = "1";
      svg.append(label);
    }
  }

  update(sizes, names, weights, biases) {
    const shape = sizes.join("-") + (biases ? "b" : "");
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(sizes, names, Boolean(biases));
    }
    this.weights = weights;
    this.biases = biases;
    this.paint();
  }

  paint() {
    const { positive, negative } = this.colours;
    for (const { line, k, i, j } of this.edges) {
      const w = i === null ? this.biases[k - 1][j] : this.weights[k - 1][i][j];
      const a = Math.min(Math.abs(w), 4);
      line.setAttribute("stroke", w >= 0 ? positive : negative);
      line.setAttribute("stroke-width", (0.6 + a * 1.3).toFixed(2));
      line.setAttribute("stroke-opacity", (0.3 + 0.7 * Math.min(Math.abs(w) / 2, 1)).toFixed(2));
    }
  }

  describe(target) {
    const d = target.dataset, k = Number(d.layer), j = Number(d.col);
    const bias = () => ({ layer: k, row: null, col: j, value: this.biases[k - 1][j],
      text: `b${k}[${j}]  bias of ${this.names[k][j]}` });
    if (target.classList.contains("hit")) {
      if (d.bias) return bias();
      const i = Number(d.row);
      return { layer: k, row: i, col: j, value: this.weights[k - 1][i][j],
        text: `W${k}[${i},${j}]  ${this.names[k - 1][i]} → ${this.names[k][j]}` };
    }
    if (target.classList.contains("node") && k > 0 && this.biases) return bias();
    return null;
  }

  hover(event) {
    const item = this.weights && this.describe(event.target);
    if (!item) { this.tooltip.hidden = true; return; }
    this.tooltip.textContent = `${item.text} = ${fmt(item.value)}`;
    this.tooltip.style.left = `${event.pageX + 12}px`;
    this.tooltip.style.top = `${event.pageY + 12}px`;
    this.tooltip.hidden = false;
  }

  click(event) {
    const item = this.weights && this.describe(event.target);
    if (!item) return;
    document.querySelector(".editor")?.remove();
    const input = document.createElement("input");
    input.className = "editor";
    input.type = "text";
    input.inputMode = "decimal";
    input.value = String(item.value);
    input.title = `new value of ${item.text}`;
    input.style.left = `${event.pageX - 20}px`;
    input.style.top = `${event.pageY + 10}px`;
    let finished = false;
    const done = (send) => {
      if (finished) return;
      finished = true;
      if (send) {
        const text = input.value.trim(), v = Number(text);
        this.onEdit(item.layer, item.row, item.col, text !== "" && Number.isFinite(v) ? v : text);
      }
      input.remove();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") done(true);
      if (e.key === "Escape") done(false);
    });
    input.addEventListener("blur", () => done(false));
    document.body.append(input);
    input.select();
    input.focus();
  }
}
