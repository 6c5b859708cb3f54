// The explorer: a Value graph recomputed in the page from the op table's JavaScript forms, by
// the explorers' one forward loop and one reverse loop (`GraphMath`, assets/graph.js). Plain
// script text, joined by autograd/viz/explorer_page.py after jsmath.js, the op table (`M`,
// `OPS`) and graph.js; it defines `render({model, el})`, run by anywidget in Jupyter and by a small local
// model in an exported HTML file.
const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_PATHS = 64; // paths listed when a leaf is clicked (explain's default)

function fmt(x) {
  if (!Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  let text = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(3) : x.toFixed(4);
  if (/^-[0.]+$/.test(text)) text = text.slice(1); // no "-0.0000"
  return text;
}

function make(tag, attrs, parent, ns) {
  const node = ns ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

class Explorer {
  constructor(el, model) {
    this.el = el;
    this.model = model;
    this.spec = model.get("spec");
    const nodes = this.spec.nodes;
    this.n = nodes.length;
    this.data = Float64Array.from(nodes, (v) => v.data);
    this.grad = Float64Array.from(nodes, (v) => v.grad);
    this.fd = new Float64Array(this.n).fill(NaN);
    this.h = this.spec.h;
    this.root = this.spec.root;
    this.leaves = this.spec.editable; // indices of the nodes one can nudge
    this.local = nodes.map((v) => v.parents.map(() => 0)); // d node / d parent, per slot
    const start = [0];
    for (const v of nodes) start.push(start[start.length - 1] + v.parents.length);
    this.math = new GraphMath(
      nodes.map((v) => (v.op ? OPS[v.op] : null)),
      (i) => nodes[i].op,
      start,
      nodes.flatMap((v) => v.parents),
      this.root,
    );
    this.inBrowser = this.spec.missing.length === 0;
    this.selected = null;
    this.build();
    this.paint(); // the values Python sent, until the page (or the kernel) recomputes
    this.recompute();
  }

  // (f(x + h) - f(x)) / h for every leaf x, recomputing only the nodes downstream of it.
  finiteDifferences() {
    const f = this.data[this.root];
    for (const i of this.leaves) {
      const moved = Float64Array.from(this.data);
      moved[i] = this.data[i] + this.h;
      try {
        this.fd[i] = (this.math.forward(moved, i) - f) / this.h;
      } catch (error) {
        this.fd[i] = NaN; // x + h is outside some op's domain
      }
    }
  }

  recompute() {
    const start = performance.now();
    if (!this.inBrowser) {
      const ops = this.spec.missing.join(", ");
      if (this.model.kernel === false) {
        this.status(`this page cannot recompute: op ${ops} has no JavaScript form (it needs the Python kernel)`, true);
      } else {
        this.status(`recomputed by the Python kernel: no JavaScript form for ${ops}`);
      }
      return;
    }
    const data = Float64Array.from(this.data);
    try {
      this.math.forward(data);
      const local = this.local.map((row) => row.slice());
      this.grad = this.math.backward(data, local); // all or nothing: kept only if it finishes
      this.local = local;
      this.data = data;
    } catch (error) {
      this.status(`not updated: ${error.message}; the picture keeps the last values`, true);
      return;
    }
    this.finiteDifferences();
    this.paint();
    const ms = performance.now() - start;
    this.el.dataset.updateMs = ms.toFixed(2);
    this.el.dataset.updates = String(Number(this.el.dataset.updates || 0) + 1);
    this.status(`recomputed in the browser in ${ms.toFixed(1)} ms`);
  }

  // A leaf changed in the page: recompute, and tell the kernel (when there is one).
  nudge(i, value) {
    this.data[i] = value;
    this.recompute();
    this.sendLeaves();
  }

  sendLeaves() {
    this.model.set("leaves", this.leaves.map((i) => this.data[i]));
    this.model.save_changes();
  }

  // The kernel set the leaves (explorer.set in Python) or sent its own numbers.
  fromKernelLeaves() {
    const values = this.model.get("leaves") || [];
    let changed = false;
    this.leaves.forEach((i, k) => {
      if (values.length === this.leaves.length && values[k] !== this.data[i]) {
        this.data[i] = values[k];
        changed = true;
      }
    });
    if (changed) this.recompute();
  }

  fromKernelState() {
    const state = this.model.get("state") || {};
    if (state.error) {
      this.status(`not updated: ${state.error}`, true);
      return;
    }
    if (!state.data) return;
    this.data = Float64Array.from(state.data);
    this.grad = Float64Array.from(state.grad);
    this.fd = Float64Array.from(state.fd, (x) => (x === null ? NaN : x));
    this.local = state.local;
    this.paint();
    this.status("recomputed by the Python kernel");
  }

  // ---- the picture -------------------------------------------------------------------------

  build() {
    const spec = this.spec;
    this.el.classList.add("seegrad-explorer");
    this.el.innerHTML = "";
    const bar = make("div", { class: "sg-bar" }, this.el);
    make("span", { text: "finite difference step h = " }, bar);
    const hField = make("input", { type: "number", value: String(this.h), step: "any", class: "sg-h" }, bar);
    this.statusLine = make("span", { class: "sg-status" }, bar);
    this.onEnter(hField, "h", (enter) => {
      const h = Number(hField.value);
      if (hField.value.trim() === "" || !Number.isFinite(h) || h === 0) {
        return `h must be a non-zero finite number, got ${JSON.stringify(hField.value)}`;
      }
      if (h !== this.h) {
        this.h = h;
        this.recompute();
      } else if (enter) this.status(`h = ${h}: unchanged`);
      return null;
    });

    const picture = make("div", { class: "sg-picture" }, this.el);
    const svg = make("svg", { viewBox: `0 0 ${spec.width} ${spec.height}`, class: "sg-svg" }, picture, true);
    // Scaled into the column, never enlarged: nothing hides past the column's edge (a long
    // chain is laid out in rows, so its text stays readable).
    svg.style.width = "100%";
    svg.style.maxWidth = `${spec.width}px`;
    const defs = make("defs", {}, svg, true);
    const marker = make("marker", { id: `sg-arrow-${spec.uid}`, viewBox: "0 0 10 10", refX: "10", refY: "5", markerUnits: "userSpaceOnUse", markerWidth: "9", markerHeight: "9", orient: "auto-start-reverse" }, defs, true);
    make("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#555" }, marker, true);
    this.edges = {};
    for (const edge of spec.edges) {
      const path = make("path", { d: edge.d, class: "sg-edge", "marker-end": `url(#sg-arrow-${spec.uid})` }, svg, true);
      this.edges[edge.key] = path;
    }
    this.texts = [];
    this.boxes = [];
    this.opShapes = [];
    spec.nodes.forEach((v, i) => {
      const g = make("g", { class: `sg-value sg-${v.role}`, "data-index": String(i) }, svg, true);
      make("rect", { x: v.x - v.w / 2, y: v.y - v.h / 2, width: v.w, height: v.h, rx: 4 }, g, true);
      make("title", { text: v.full }, g, true); // the whole label, when the box shows it cut
      const top = v.y - v.h / 2 + 14;
      make("text", { x: v.x, y: top, class: "sg-name", text: v.name }, g, true);
      const data = make("text", { x: v.x, y: top + 15, text: "" }, g, true);
      const grad = make("text", { x: v.x, y: top + 30, text: "" }, g, true);
      const fd = v.editable ? make("text", { x: v.x, y: top + 45, class: "sg-fd", text: "" }, g, true) : null;
      this.texts.push({ data, grad, fd });
      this.boxes.push(g);
      if (v.editable) g.addEventListener("click", () => this.showPaths(i));
      if (v.op) {
        const o = make("g", { class: "sg-op", "data-index": String(i), tabindex: "0" }, svg, true);
        make("ellipse", { cx: v.ox, cy: v.oy, rx: v.ow / 2, ry: v.oh / 2 }, o, true);
        make("text", { x: v.ox, y: v.oy + 4, text: spec.ops[v.op].label }, o, true);
        o.addEventListener("mouseenter", () => this.showOp(i));
        o.addEventListener("click", () => this.showOp(i, true));
        this.opShapes.push(o);
      }
    });

    const table = make("table", { class: "sg-leaves" }, make("div", { class: "sg-table-box" }, this.el));
    const head = make("tr", {}, table);
    for (const title of ["leaf", "nudge", "value", "grad", "(f(x+h) − f(x)) / h"]) make("th", { text: title }, head);
    this.rows = {};
    for (const i of this.leaves) {
      const v = spec.nodes[i];
      const row = make("tr", { "data-index": String(i) }, table);
      const name = make("td", { class: "sg-leaf-name", text: v.name }, row);
      name.addEventListener("click", () => this.showPaths(i));
      const span = Math.max(1, Math.abs(v.data));
      const slider = make("input", { type: "range", min: v.data - span, max: v.data + span, step: span / 500, value: v.data }, make("td", {}, row));
      const field = make("input", { type: "number", step: "any", value: String(v.data), class: "sg-value-field" }, make("td", {}, row));
      const grad = make("td", { class: "sg-grad" }, row);
      const fd = make("td", { class: "sg-fd" }, row);
      slider.addEventListener("input", () => {
        field.value = slider.value;
        this.nudge(i, Number(slider.value));
      });
      this.onEnter(field, v.name, (enter) => {
        const value = Number(field.value);
        if (field.value.trim() === "" || !Number.isFinite(value)) {
          return `${v.name} must be a finite number, got ${JSON.stringify(field.value)}`;
        }
        if (value !== this.data[i]) this.nudge(i, value);
        else if (enter) this.status(`${v.name} = ${value}: unchanged`);
        return null;
      });
      this.rows[i] = { slider, field, grad, fd };
    }
    this.info = make("div", { class: "sg-info", text: "Hover or click an op to see its derivatives; click a leaf to see its chain-rule paths." }, this.el);
  }

  // A number field applies on Enter (and on leaving it). In JupyterLab, Enter is a notebook
  // shortcut: the field takes the key first and the page opts out of shortcuts
  // (data-lm-suppress-shortcuts), so Enter reaches the field. `apply` returns an error text or
  // null; while a typed value waits, the status says so instead of an old "recomputed".
  onEnter(field, name, apply) {
    field.setAttribute("data-lm-suppress-shortcuts", "true");
    const run = (enter) => {
      const problem = apply(enter);
      if (problem) this.status(`not applied: ${problem}`, true);
    };
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      event.stopPropagation();
      run(true);
    });
    field.addEventListener("change", () => run(false));
    field.addEventListener("input", () => this.status(`${name} = ${field.value}: press Enter to apply`));
  }

  status(text, error) {
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle("sg-error", Boolean(error));
  }

  paint() {
    this.texts.forEach((t, i) => {
      t.data.textContent = `data ${fmt(this.data[i])}`;
      t.grad.textContent = `grad ${fmt(this.grad[i])}`;
      if (t.fd) t.fd.textContent = `Δf/h ${fmt(this.fd[i])}`;
      // The full numbers, for a hover and for tests that compare with Python.
      Object.assign(this.boxes[i].dataset, { data: this.data[i], grad: this.grad[i] });
    });
    for (const i of this.leaves) {
      const row = this.rows[i];
      if (document.activeElement !== row.field) row.field.value = String(this.data[i]);
      if (Number(row.slider.value) !== this.data[i]) {
        const x = this.data[i];
        if (x < Number(row.slider.min) || x > Number(row.slider.max)) {
          const span = Math.max(1, Math.abs(x)); // re-centred around a value typed outside
          Object.assign(row.slider, { min: x - span, max: x + span, step: span / 500 });
        }
        row.slider.value = String(x);
      }
      row.grad.textContent = fmt(this.grad[i]);
      row.fd.textContent = fmt(this.fd[i]);
      row.grad.title = row.grad.dataset.value = String(this.grad[i]);
      row.fd.title = row.fd.dataset.value = String(this.fd[i]);
    }
    if (this.selected !== null) this.selected.refresh();
  }

  name(i) {
    return this.spec.nodes[i].name;
  }

  showOp(i, pin) {
    const v = this.spec.nodes[i];
    const lines = [`${this.name(i)} = ${this.spec.ops[v.op].label}(${v.parents.map((p) => this.name(p)).join(", ")})`, this.spec.ops[v.op].math, `at the current values: out = ${fmt(this.data[i])}`];
    v.parents.forEach((p, k) => {
      lines.push(`∂${this.name(i)}/∂${this.name(p)} = ${fmt(this.local[i][k])}   (input ${k + 1}: ${this.name(p)} = ${fmt(this.data[p])})`);
    });
    this.clearPaths();
    this.info.textContent = lines.join("\n");
    if (pin) this.selected = { refresh: () => this.showOp(i, true) };
  }

  clearPaths() {
    for (const path of Object.values(this.edges)) path.classList.remove("sg-on-path");
    for (const g of this.boxes) g.classList.remove("sg-on-path", "sg-picked");
  }

  // Every path from the leaf up to the root, the product of local derivatives along each, and
  // their sum (= the leaf's grad): what autograd.explain prints.
  showPaths(leaf) {
    const nodes = this.spec.nodes;
    const count = new Float64Array(this.n);
    count[leaf] = 1;
    for (let i = 0; i < this.n; i++) {
      if (i !== leaf && nodes[i].op) count[i] = nodes[i].parents.reduce((s, p) => s + count[p], 0);
    }
    const ups = {};
    for (let i = 0; i < this.n; i++) {
      if (!nodes[i].op || !count[i]) continue;
      nodes[i].parents.forEach((p, k) => {
        if (count[p]) (ups[p] = ups[p] || []).push([i, k]);
      });
    }
    this.clearPaths();
    this.boxes[leaf].classList.add("sg-picked");
    const paths = [];
    const stack = [[leaf, []]];
    while (stack.length && count[this.root] <= MAX_PATHS) {
      const [node, links] = stack.pop();
      if (node === this.root) {
        paths.push(links);
        continue;
      }
      for (const [out, k] of (ups[node] || []).slice().reverse()) stack.push([out, [...links, [out, k]]]);
    }
    for (let i = 0; i < this.n; i++) {
      if (count[i] && ups[i]) {
        for (const [out, k] of ups[i]) {
          this.edges[`in:${out}:${k}`].classList.add("sg-on-path");
          this.edges[`out:${out}`].classList.add("sg-on-path");
          this.boxes[out].classList.add("sg-on-path");
        }
      }
    }
    const root = this.name(this.root);
    const lines = [`d ${root} / d ${this.name(leaf)} by the chain rule: ${count[this.root]} path${count[this.root] === 1 ? "" : "s"}`];
    let total = 0;
    if (count[this.root] > MAX_PATHS) {
      lines.push(`too many paths to list (more than ${MAX_PATHS}); backward adds them up node by node`);
      total = this.grad[leaf];
    }
    paths.forEach((links, k) => {
      const route = [this.name(leaf), ...links.map(([out]) => this.name(out))].join(" → ");
      const factors = links.slice().reverse().map(([out, slot]) => this.local[out][slot]);
      const product = factors.reduce((a, b) => a * b, 1);
      total += product;
      lines.push(`path ${k + 1}: ${route}\n   ${factors.map(fmt).join(" × ") || "1"} = ${fmt(product)}`);
    });
    lines.push(`sum over the paths = ${fmt(total)}   (grad of ${this.name(leaf)} = ${fmt(this.grad[leaf])}, finite difference ${fmt(this.fd[leaf])})`);
    this.info.textContent = lines.join("\n");
    this.selected = { refresh: () => this.showPaths(leaf) };
  }
}

function render({ model, el }) {
  const explorer = new Explorer(el, model);
  model.on("change:leaves", () => explorer.fromKernelLeaves());
  model.on("change:state", () => explorer.fromKernelState());
  return () => {};
}
