// The text panels: explain (the numbers of xornet.explain.explain_step), truth table,
// logic lens and doctor. Built with DOM nodes and textContent only: nothing is parsed as HTML.

const f = (v, digits = 5) => (v === null || v === undefined ? "–" : Number(v).toPrecision(digits));
const vec = (values) => `(${values.map((v) => f(v)).join(", ")})`;

function node(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function explain(box, step) {
  const out = [];
  const s = 0;
  out.push(node("h3", `Sample ${step.index + 1}: x = ${vec(step.inputs[s])}, target ${vec(step.targets[s])}`));
  out.push(node("h3", "1. Forward pass"));
  for (const layer of step.forward[s]) {
    for (const u of layer.units) {
      const symbols = u.terms.map((t) => `${t.input}·${t.weight}`).join(" + ");
      const numbers = u.terms.map((t) => `${f(t.x)}·(${f(t.w)})`).join(" + ");
      out.push(node("p", `net_${u.name} = ${symbols}\n    = ${numbers} = ${f(u.net)}`));
      out.push(node("p", `${u.name} = ${u.activation}(net_${u.name}) = ${f(u.out)}`));
    }
  }
  const loss = step.loss;
  out.push(node("h3", `2. Error (${loss.name})`));
  out.push(node("p", `${loss.formula}\nŷ = ${vec(step.outputs[s])}, y = ${vec(step.targets[s])}, E = ${f(loss.value)}`));
  out.push(node("h3", "3. Chain rule, weight by weight"));
  for (const p of step.parameters) {
    const factors = p.samples[0].factors;
    const chain = factors.map((x) => x.symbol).join(" · ");
    const values = factors.map((x) => `(${f(x.value)})`).join(" · ");
    out.push(node("p", `∂E/∂${p.name} [${p.matrix}, ${p.from} → ${p.to}] = ${chain}\n    = ${values} = ${f(p.gradient)}`));
  }
  out.push(node("h3", `4. Update: w ← w − α·∂E/∂w, α = ${step.lr}`));
  const table = node("table");
  const head = node("tr");
  for (const h of ["weight", "matrix", "old", "∂E/∂w", "new"]) head.append(node("th", h));
  table.append(head);
  for (const p of step.parameters) {
    const row = node("tr");
    for (const v of [p.name, p.matrix, f(p.old), f(p.gradient), f(p.new)]) row.append(node("td", v));
    table.append(row);
  }
  out.push(table);
  if (step.optimizer !== "sgd" || step.momentum) {
    out.push(node("p", `Training uses ${step.optimizer}${step.momentum ? ` with momentum ${step.momentum}` : ""}, ` +
      "so its real step also depends on earlier gradients; the update above is plain gradient descent on this one sample.", "note"));
  }
  box.replaceChildren(...out);
}

export function truthTable(card, box, data, frame, tolerance, onPick) {
  const show = data.boolean && frame.predictions && data.n <= 64 && !data.n_test;
  card.hidden = !show;
  if (!show) return;
  const table = node("table");
  const head = node("tr");
  for (let j = 0; j < data.n_in; j++) head.append(node("th", `x${j + 1}`));
  for (const h of ["target", "ŷ", ""]) head.append(node("th", h));
  table.append(head);
  data.X.forEach((x, i) => {
    const row = node("tr", undefined, "pick");
    row.title = "click to explain this row";
    row.addEventListener("click", () => onPick(i));
    for (const v of x) row.append(node("td", String(v)));
    const yhat = frame.predictions[i], ok = yhat !== null && Math.abs(yhat - data.y[i]) <= tolerance;
    row.append(node("td", String(data.y[i])), node("td", f(yhat, 4)), node("td", ok ? "✓" : "✗", ok ? "ok" : "bad"));
    table.append(row);
  });
  box.replaceChildren(table);
}

export function lens(box, panel) {
  if (!panel.applies) {
    box.replaceChildren(node("p", panel.reason, "hint"));
    return;
  }
  const list = node("ul");
  for (const line of panel.sentences) {
    const cls = line.startsWith("The reading agrees") ? "agrees"
      : line.startsWith("The reading does not agree") ? "disagrees" : undefined;
    list.append(node("li", line, cls));
  }
  box.replaceChildren(list);
}

// onApply(fields): start again with these fields of the configuration changed (a fix's button).
export function doctor(box, panel, frame, onApply) {
  if (!panel) return;
  const out = [];
  for (const note of panel.notes) out.push(node("p", note));
  if (panel.diagnoses.length) {
    const list = node("ul");
    for (const d of panel.diagnoses) {
      const item = node("li");
      item.append(node("span", `${d.code}: `, "code"), node("span", d.sentence), node("br"),
        node("span", `→ ${d.suggestion}`, "fix"));
      for (const fix of d.apply || []) {
        if (!fix.config) continue;  // no control for it on the page (e.g. more epochs)
        const b = node("button", `apply: ${fix.label}`, "apply");
        b.type = "button";
        b.title = "Start again with this setting";
        b.addEventListener("click", () => onApply(fix.config));
        item.append(" ", b);
      }
      list.append(item);
    }
    out.push(list);
  } else if (frame && frame.solved) {
    out.push(node("p", "Solved: every output is within the tolerance of its target. Nothing to diagnose.", "hint"));
  } else if (frame && frame.epoch === 0) {
    out.push(node("p", "Not trained yet. Press play, step or epoch; if the run fails, the doctor says why.", "hint"));
  } else {
    out.push(node("p", "No known failure pattern found: the run may just need more epochs.", "hint"));
  }
  box.replaceChildren(...out);
}
