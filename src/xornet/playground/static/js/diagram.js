// The network diagram: one SVG line per weight, blue for positive and orange for negative,
// thicker for larger |w|. Hover shows the value; click opens an editor that sends the new
// value to the server. Nodes show their bias the same way (hover / click to edit).

const NS = "http://www.w3.org/2000/svg";
const W = 440;

function el(name, attrs = {}) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const fmt = (v) => (v === null || v === undefined ? "–" : Number(v).toPrecision(6));
const edgeColour = (w) => (w >= 0 ? "#1c6fb5" : "#e8871e");

export class Diagram {
  constructor(container, tooltip, onEdit) {
    this.container = container;
    this.tooltip = tooltip;
    this.onEdit = onEdit;
    this.shape = "";
    this.weights = null;
    this.biases = null;
    container.addEventListener("mousemove", (e) => this.hover(e));
    container.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    container.addEventListener("click", (e) => this.click(e));
  }

  build(sizes, names) {
    const L = sizes.length, most = Math.max(...sizes);
    const H = Math.max(200, Math.min(620, most * 34 + 40));
    const gap = Math.min(34, (H - 40) / most), r = Math.max(3, Math.min(14, gap / 2.6));
    const x = (k) => 36 + k * (W - 72) / (L - 1);
    const y = (k, j) => H / 2 + (j - (sizes[k] - 1) / 2) * gap;
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img" });
    this.edges = [];
    this.nodes = [];
    for (let k = 1; k < L; k++) {
      for (let i = 0; i < sizes[k - 1]; i++) {
        for (let j = 0; j < sizes[k]; j++) {
          const at = { x1: x(k - 1), y1: y(k - 1, i), x2: x(k), y2: y(k, j) };
          const line = el("line", { ...at, class: "edge" });
          const hit = el("line", { ...at, class: "hit", "data-layer": k, "data-row": i, "data-col": j });
          svg.append(line, hit);
          this.edges.push({ line, k, i, j });
        }
      }
    }
    for (let k = 0; k < L; k++) {
      for (let j = 0; j < sizes[k]; j++) {
        const circle = el("circle", { cx: x(k), cy: y(k, j), r, class: "node", stroke: "#1f2933",
          "stroke-width": 1.2, fill: "#fff", "data-layer": k, "data-col": j });
        svg.append(circle);
        if (r >= 9) {
          const long = names[k][j].length > 3;
          const label = el("text", { x: x(k), y: y(k, j) + 4, "text-anchor": "middle",
            class: long ? "small" : "" });
          label.textContent = names[k][j];
          svg.append(label);
        } else if (j === 0 || j === sizes[k] - 1) {
          const label = el("text", { x: x(k), y: y(k, j) + (j ? r + 12 : -r - 4), "text-anchor": "middle" });
          label.textContent = names[k][j];
          svg.append(label);
        }
        this.nodes.push({ circle, k, j });
      }
    }
    this.names = names;
    this.container.replaceChildren(svg);
  }

  update(sizes, names, weights, biases) {
    const shape = sizes.join("-") + (biases ? "b" : "");
    if (shape !== this.shape) {
      this.shape = shape;
      this.build(sizes, names);
    }
    this.weights = weights;
    this.biases = biases;
    for (const { line, k, i, j } of this.edges) {
      const w = weights[k - 1][i][j], a = Math.min(Math.abs(w), 4);
      line.setAttribute("stroke", edgeColour(w));
      line.setAttribute("stroke-width", (0.6 + a * 1.3).toFixed(2));
      line.setAttribute("stroke-opacity", (0.3 + 0.7 * Math.min(Math.abs(w) / 2, 1)).toFixed(2));
    }
    for (const { circle, k, j } of this.nodes) {
      if (k === 0 || !biases) continue;
      const b = biases[k - 1][j];
      const t = Math.min(Math.abs(b) / 2, 1);
      circle.setAttribute("fill", b >= 0 ? `rgba(28,111,181,${0.1 + 0.5 * t})` : `rgba(232,135,30,${0.1 + 0.5 * t})`);
    }
  }

  describe(target) {
    const d = target.dataset, k = Number(d.layer), j = Number(d.col);
    if (target.classList.contains("hit")) {
      const i = Number(d.row);
      return { layer: k, row: i, col: j, value: this.weights[k - 1][i][j],
        text: `W${k}[${i},${j}]  ${this.names[k - 1][i]} → ${this.names[k][j]}` };
    }
    if (target.classList.contains("node") && k > 0 && this.biases) {
      return { layer: k, row: null, col: j, value: this.biases[k - 1][j],
        text: `b${k}[${j}]  bias of ${this.names[k][j]}` };
    }
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
