// The settings form: built from the server's options, read into a config object, written
// back from the server's (checked) config, and mirrored in the page URL as a lesson link.
// The server checks every value; the form only collects them.

const $ = (id) => document.getElementById(id);

export const FIELDS = [
  "dataset", "n_bits", "samples", "noise", "data_seed", "test_split", "hidden", "activations",
  "output_activation", "bias", "init", "loss", "optimizer", "momentum", "lr", "batch_size",
  "shuffle", "seed", "tolerance", "stop_when_solved",
];
const GROUPS = [
  ["Logic gates", ["and", "or", "nand", "nor", "xor", "xnor"]],
  ["Truth tables", ["parity"]],
  ["Curve", ["sine"]],
  ["2-D clouds (noisy)", ["xor-cloud", "circles", "moons", "spiral", "gaussians"]],
];
const STRINGS = new Set(["dataset", "output_activation", "init", "loss", "optimizer"]);
const GENERATED = new Set(["sine", "xor-cloud", "circles", "moons", "spiral", "gaussians"]);

let options = null;
let layers = [];  // [{units, activation}] for the hidden layers

function fill(select, values, labels = values) {
  select.replaceChildren(...values.map((v, i) => new Option(labels[i], v)));
}

export function build(opts, onChange) {
  options = opts;
  const dataset = $("dataset");
  for (const [label, names] of GROUPS) {
    const group = document.createElement("optgroup");
    group.label = label;
    for (const name of names) group.append(new Option(name, name));
    dataset.append(group);
  }
  const all = document.createElement("optgroup");
  all.label = "All 16 two-input functions";
  for (const g of opts.gates16) all.append(new Option(`${g.column}  ${g.name}`, g.column));
  dataset.append(all);
  const own = document.createElement("optgroup");
  own.label = "Your data";
  own.append(new Option("uploaded CSV", "csv"));
  dataset.append(own);
  fill($("output_activation"), opts.activations);
  fill($("init"), opts.inits);
  fill($("loss"), opts.losses);
  fill($("optimizer"), opts.optimizers);
  for (const b of opts.builtins) $("builtin").append(new Option(b.name.replace("builtin:", ""), b.name));
  for (const el of document.querySelectorAll(".settings input, .settings select")) {
    if (el.type === "file" || el.id === "builtin") continue;
    el.addEventListener("change", () => onChange(read()));
  }
  $("add-layer").addEventListener("click", () => {
    const last = layers[layers.length - 1] || { units: 2, activation: "tanh" };
    layers.push({ ...last });
    onChange(read());
  });
  $("layers").addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const k = Number(button.dataset.layer);
    if (button.dataset.do === "remove") layers.splice(k, 1);
    else layers[k].units += Number(button.dataset.do);
    onChange(read());
  });
  $("layers").addEventListener("change", (event) => {
    const k = Number(event.target.dataset.layer);
    layers[k].activation = event.target.value;
    onChange(read());
  });
}

// A truth table (a gate, parity, one of the 16 columns such as "0110") holds each input
// once, so it has no fresh rows to hold out: its test share is 0 and the control is off.
function isTruthTable(name) {
  if (/^[01]{4}$/.test(name)) return true;
  const d = options.datasets.find((x) => x.name === name);
  return d !== undefined && d.kind === "truth table";
}

function number(id) {
  const text = $(id).value.trim();
  if (text === "") return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : text;  // the server names the field of a bad value
}

export function read() {
  const mode = $("mode").value;
  const batch = mode === "full" ? null : mode === "online" ? 1 : number("batch_size");
  return {
    dataset: $("dataset").value,
    n_bits: number("n_bits"), samples: number("samples"), noise: number("noise"),
    data_seed: number("data_seed"),
    test_split: isTruthTable($("dataset").value) ? 0 : number("test_split"),
    hidden: layers.map((l) => l.units), activations: layers.map((l) => l.activation),
    output_activation: $("output_activation").value, bias: $("bias").checked,
    init: $("init").value, loss: $("loss").value, optimizer: $("optimizer").value,
    momentum: $("optimizer").value === "adam" ? 0 : number("momentum"),
    lr: number("lr"), batch_size: batch, shuffle: $("shuffle").checked,
    seed: number("seed"), tolerance: number("tolerance"),
    stop_when_solved: $("stop_when_solved").checked,
  };
}

export function write(config) {
  for (const id of ["dataset", "output_activation", "init", "loss", "optimizer"]) $(id).value = config[id];
  for (const id of ["n_bits", "samples", "data_seed", "momentum", "lr", "seed", "tolerance"]) $(id).value = config[id];
  $("noise").value = config.noise === null ? "" : config.noise;
  $("test_split").value = config.test_split;
  $("test_split").disabled = isTruthTable(config.dataset);
  for (const id of ["bias", "shuffle", "stop_when_solved"]) $(id).checked = config[id];
  const b = config.batch_size;
  $("mode").value = b === null ? "full" : b === 1 ? "online" : "mini";
  $("batch_size").value = b === null || b === 1 ? 8 : b;
  layers = config.hidden.map((units, k) => ({ units, activation: config.activations[k] }));
  drawLayers();
  show("parity", config.dataset === "parity");
  show("generated", GENERATED.has(config.dataset));
  show("momentum", config.optimizer === "sgd");
  show("mini", b !== null && b !== 1);
  show("shuffled", b !== null);
}

function show(name, visible) {
  for (const el of document.querySelectorAll(`[data-for="${name}"]`)) el.hidden = !visible;
}

function drawLayers() {
  const max = options.limits;
  const rows = layers.map((layer, k) => {
    const row = document.createElement("div");
    row.className = "layer-row";
    const select = document.createElement("select");
    fill(select, options.activations);
    select.value = layer.activation;
    select.dataset.layer = k;
    select.title = `activation of hidden layer ${k + 1}`;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `layer ${k + 1}`;
    const count = document.createElement("b");
    count.textContent = layer.units;
    row.append(name, button("−", k, -1, layer.units <= 1, "one unit fewer"), count,
      button("+", k, 1, layer.units >= max.units, "one unit more"), select,
      button("×", k, "remove", false, "remove this layer"));
    return row;
  });
  $("layers").replaceChildren(...rows);
  $("add-layer").disabled = layers.length >= max.hidden_layers;
}

function button(text, layer, action, disabled, title) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.dataset.layer = layer;
  b.dataset.do = action;
  b.disabled = disabled;
  b.title = title;
  return b;
}

// --- the URL: every field as plain text, e.g. ?dataset=xor&hidden=4&activations=tanh ... ---
export function toQuery(config) {
  const q = new URLSearchParams();
  for (const key of FIELDS) {
    const v = config[key];
    q.set(key, Array.isArray(v) ? v.join(",") : v === null ? "" : String(v));
  }
  return q.toString();
}

export function fromQuery(search) {
  const q = new URLSearchParams(search);
  const config = {};
  for (const key of FIELDS) {
    if (!q.has(key)) continue;
    const text = q.get(key);
    if (STRINGS.has(key)) config[key] = text;
    else if (key === "hidden") config[key] = text === "" ? [] : text.split(",").map(parse);
    else if (key === "activations") config[key] = text === "" ? [] : text.split(",");
    else config[key] = parse(text);
  }
  return config;
}

function parse(text) {
  if (text === "") return null;
  if (text === "true" || text === "false") return text === "true";
  const v = Number(text);
  return text.trim() !== "" && Number.isFinite(v) ? v : text;
}
