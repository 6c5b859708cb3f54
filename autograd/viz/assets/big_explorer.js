// The explorer for big graphs (autograd/viz/big_explorer.py): up to 100,000 Values kept as
// typed arrays in topological order, recomputed in the page on every nudge by the explorers'
// one forward loop and one reverse loop (`GraphMath`, assets/graph.js) over the op table's
// JavaScript forms (`M`, `OPS`, joined before this text). Plain script text; it defines `render({model, el})`, run by anywidget in Jupyter and by
// a small local model in an exported HTML file.
const PAGE = 50; // Values listed at once, and per "more" / "earlier" click
const MAX_RESULTS = 20; // search results shown

function decode(text, Type) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Type(bytes.buffer);
}

function fmt(x) {
  if (!Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  let text = a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(3) : x.toFixed(4);
  if (/^-[0.]+$/.test(text)) text = text.slice(1);
  return text;
}

function make(tag, attrs, parent) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

class BigExplorer {
  constructor(el, model) {
    this.el = el;
    this.model = model;
    const spec = (this.spec = model.get("spec"));
    this.n = spec.n;
    this.root = spec.root;
    this.h = spec.h;
    this.data = decode(spec.data, Float64Array);
    this.grad = decode(spec.grad, Float64Array);
    this.op = decode(spec.op, Int16Array);
    this.start = decode(spec.start, Int32Array);
    this.parents = decode(spec.parents, Int32Array);
    this.box = decode(spec.box, Int32Array);
    this.editable = decode(spec.editable, Int32Array);
    this.isEditable = new Uint8Array(this.n);
    for (const i of this.editable) this.isEditable[i] = 1;
    this.isConstant = new Uint8Array(this.n);
    for (const i of decode(spec.constant, Int32Array)) this.isConstant[i] = 1;
    this.labels = spec.labels;
    const rowOf = spec.ops.map((name) => (name ? OPS[name] || null : null));
    this.math = new GraphMath(
      Array.from(this.op, (code) => rowOf[code]),
      (i) => spec.ops[this.op[i]],
      this.start,
      this.parents,
      this.root,
    );
    this.inBrowser = spec.missing.length === 0;
    this.fd = NaN;
    this.leaf = -1; // the leaf being nudged
    this.onPath = null; // Uint8Array: the Values on the picked parameter's paths to the root
    this.picked = -1;
    this.nudged = {};
    this.structure();
    this.build();
    this.paint();
    this.warmUp();
  }

  // Two untimed passes over the current values, so the first nudge runs compiled code (V8
  // compiles a loop after it has run); the numbers shown stay Python's.
  warmUp() {
    if (!this.inBrowser || this.editable.length === 0) return;
    const begin = performance.now();
    try {
      for (let pass = 0; pass < 2; pass++) {
        const data = Float64Array.from(this.data);
        this.math.forward(data);
        this.math.backward(data);
        this.math.forward(data, this.editable[0]);
      }
    } catch (error) {
      this.status(`the current values leave an op's domain in the page: ${error.message}`, true);
    }
    this.el.dataset.warmUpMs = (performance.now() - begin).toFixed(1);
  }

  // Leaf `leaf` set to `value`: all data, all grads, and the leaf's finite difference.
  // All or nothing: on a domain error the page keeps the last numbers.
  recompute(leaf, value) {
    const begin = performance.now();
    const data = Float64Array.from(this.data);
    data[leaf] = value;
    this.math.forward(data);
    const grad = this.math.backward(data);
    const moved = Float64Array.from(data);
    moved[leaf] = value + this.h;
    let fd = NaN;
    try {
      fd = (this.math.forward(moved, leaf) - data[this.root]) / this.h;
    } catch (error) {
      // x + h is outside some op's domain: no finite difference
    }
    const ms = performance.now() - begin;
    this.data = data;
    this.grad = grad;
    this.fd = fd;
    this.leaf = leaf;
    return ms;
  }

  nudge(leaf, value) {
    if (!this.inBrowser) {
      this.status(`this page cannot recompute: op ${this.spec.missing.join(", ")} has no JavaScript form`, true);
      return;
    }
    let ms;
    try {
      ms = this.recompute(leaf, value);
    } catch (error) {
      this.status(`not updated: ${error.message}; the page keeps the last values`, true);
      this.paint();
      return;
    }
    this.el.dataset.nudgeMs = ms.toFixed(2);
    this.el.dataset.nudges = String(Number(this.el.dataset.nudges || 0) + 1);
    this.status(`recomputed ${this.n.toLocaleString("en")} Values in the browser in ${ms.toFixed(1)} ms`);
    this.paint();
    this.nudged[leaf] = value;
    this.model.set("nudged", { ...this.nudged });
    this.model.save_changes();
  }

  // ---- structure: calls as boxes -------------------------------------------------------------

  structure() {
    const { n, box, start, parents } = this;
    const boxes = this.spec.boxes; // [name, parent, number, file, line]
    this.childBoxes = new Map([[-1, []]]);
    boxes.forEach((b, k) => {
      this.childBoxes.set(k, []);
      this.childBoxes.get(b[1]).push(k);
    });
    this.members = boxes.map(() => []); // every node made inside the call, nested calls too
    this.direct = new Map([[-1, []]]); // the nodes made by the call itself (op nodes)
    boxes.forEach((_, k) => this.direct.set(k, []));
    this.leafList = { parameters: [], constants: [] };
    for (let i = 0; i < n; i++) {
      if (this.op[i] === 0 && box[i] === -1) {
        (this.isConstant[i] ? this.leafList.constants : this.leafList.parameters).push(i);
        continue;
      }
      this.direct.get(box[i]).push(i);
      for (let b = box[i]; b !== -1; b = boxes[b][1]) this.members[b].push(i);
    }
    // Who uses each node (for what leaves a box).
    const count = new Int32Array(n + 1);
    for (let j = 0; j < parents.length; j++) count[parents[j] + 1]++;
    for (let i = 0; i < n; i++) count[i + 1] += count[i];
    this.usersStart = count;
    this.users = new Int32Array(parents.length);
    const fill = count.slice(0, n);
    for (let i = 0; i < n; i++) {
      for (let j = start[i]; j < start[i + 1]; j++) this.users[fill[parents[j]]++] = i;
    }
    this.stamp = new Int32Array(n);
    this.stampNow = 0;
    this.flows = new Map();
  }

  // A call's name with its call number (record_calls), or its place among its siblings.
  boxName(k, at) {
    const [name, , number] = this.spec.boxes[k];
    if (number !== null) return `${name} #${number}`;
    return at ? `${name} #${at}` : name;
  }

  where(i) {
    const path = [];
    for (let b = this.box[i]; b !== -1; b = this.spec.boxes[b][1]) path.unshift(this.boxName(b));
    return path.join(" / ");
  }

  // Where Value i sits, for a reader: its call, or for a leaf the call that first uses it.
  context(i) {
    if (this.op[i] !== 0) return this.where(i) || "outside any call";
    const kind = this.isConstant[i] ? "constant" : "leaf";
    if (this.usersStart[i] === this.usersStart[i + 1]) return kind;
    const user = this.users[this.usersStart[i]];
    return `${kind} used in ${this.where(user) || "no call"}`;
  }

  name(i) {
    if (this.labels[i]) return this.labels[i];
    const op = this.spec.ops[this.op[i]];
    return op ? `${this.spec.opInfo[op].label} #${i}` : this.isConstant[i] ? `${fmt(this.data[i])} #${i}` : `leaf #${i}`;
  }

  // What flows into and out of a set of nodes (counted once per Value): computed once.
  flow(key, nodes) {
    if (this.flows.has(key)) return this.flows.get(key);
    const stamp = ++this.stampNow;
    for (const i of nodes) this.stamp[i] = stamp;
    const into = new Set();
    let out = 0;
    for (const i of nodes) {
      for (let j = this.start[i]; j < this.start[i + 1]; j++) {
        if (this.stamp[this.parents[j]] !== stamp) into.add(this.parents[j]);
      }
      let leaves = i === this.root;
      for (let j = this.usersStart[i]; j < this.usersStart[i + 1] && !leaves; j++) {
        leaves = this.stamp[this.users[j]] !== stamp;
      }
      if (leaves) out++;
    }
    const result = { into: into.size, out };
    this.flows.set(key, result);
    return result;
  }

  // The children of a box (or of the top, -1): calls grouped by name, then its own Values.
  entries(parent) {
    const groups = new Map();
    for (const k of this.childBoxes.get(parent)) {
      const name = this.spec.boxes[k][0];
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(k);
    }
    const entries = [];
    for (const [name, ids] of groups) {
      if (ids.length === 1) entries.push({ kind: "box", key: `b:${ids[0]}`, box: ids[0] });
      else entries.push({ kind: "group", key: `g:${parent}:${name}`, name, ids });
    }
    const own = this.direct.get(parent);
    if (own.length) entries.push({ kind: "values", key: `v:${parent}`, nodes: own, title: parent === -1 ? "made outside any call" : "made by this call itself" });
    if (parent === -1) {
      const { parameters, constants } = this.leafList;
      if (parameters.length) entries.push({ kind: "values", key: "v:parameters", nodes: parameters, title: "parameters and inputs", leaves: true });
      if (constants.length) entries.push({ kind: "values", key: "v:constants", nodes: constants, title: "constants", leaves: true });
    }
    return entries;
  }

  nodesOf(entry) {
    if (entry.kind === "box") return this.members[entry.box];
    if (entry.kind === "values") return entry.nodes;
    if (!entry.all) entry.all = entry.ids.flatMap((k) => this.members[k]);
    return entry.all;
  }

  // ---- the page ----------------------------------------------------------------------------

  build() {
    const el = this.el;
    el.classList.add("seegrad-big-explorer");
    el.innerHTML = "";
    el.explorer = this; // for tests and the curious: the arrays behind the page
    const bar = make("div", { class: "sg-bar" }, el);
    make("b", { text: `${this.n.toLocaleString("en")} Values` }, bar);
    this.rootLine = make("span", { class: "sg-root" }, bar);
    make("span", { text: "find a Value by label:" }, bar);
    this.search = make("input", { type: "search", class: "sg-search", placeholder: "label, e.g. w0" }, bar);
    make("span", { text: "h =" }, bar);
    const hField = make("input", { type: "number", step: "any", value: String(this.h), class: "sg-h" }, bar);
    hField.addEventListener("change", () => {
      const h = Number(hField.value);
      if (Number.isFinite(h) && h !== 0) {
        this.h = h;
        if (this.leaf >= 0) this.nudge(this.leaf, this.data[this.leaf]);
      }
    });
    this.results = make("div", { class: "sg-results" }, el);
    this.search.addEventListener("input", () => this.find(this.search.value));

    this.panel = make("div", { class: "sg-nudge" }, el);
    this.panelText = make("div", { class: "sg-picked-name", text: "Click a parameter (or find one by its label) to light its paths to the root and nudge it." }, this.panel);
    const controls = make("div", { class: "sg-controls" }, this.panel);
    make("span", { text: "value" }, controls);
    this.field = make("input", { type: "text", class: "sg-value-field", disabled: "" }, controls);
    make("span", { text: "↑/↓ step" }, controls);
    this.stepField = make("input", { type: "number", step: "any", value: "0.1", class: "sg-step" }, controls);
    this.readout = make("span", { class: "sg-readout" }, controls);
    this.field.addEventListener("keydown", (event) => this.onKey(event));
    this.field.addEventListener("change", () => this.typed());
    this.statusLine = make("div", { class: "sg-status" }, this.panel);
    if (!this.inBrowser) this.status(`this page cannot recompute: op ${this.spec.missing.join(", ")} has no JavaScript form`, true);
    // What the picked Value is and how many Values its paths hold: above the boxes it lights.
    this.info = make("div", { class: "sg-info" }, el);

    this.tree = make("div", { class: "sg-tree" }, el);
    if (!this.spec.boxes.length) {
      make("div", { class: "sg-hint", text: "No calls recorded: build the graph inside autograd.record_calls() (or with nn modules) to see it grouped by call." }, el);
    }
    this.open = new Set();
    this.shown = new Map(); // a list's key -> the window of its Values shown, {start, end}
    this.renderTree();
  }

  status(text, error) {
    this.statusLine.textContent = text;
    this.statusLine.classList.toggle("sg-error", Boolean(error));
  }

  onKey(event) {
    if (this.leaf < 0) return;
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      const step = Number(this.stepField.value) || 0.1;
      this.nudge(this.leaf, this.data[this.leaf] + (event.key === "ArrowUp" ? step : -step));
      this.field.value = String(this.data[this.leaf]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.typed();
    }
  }

  typed() {
    const value = Number(this.field.value);
    if (this.leaf < 0 || this.field.value.trim() === "" || !Number.isFinite(value)) return;
    if (value !== this.data[this.leaf]) this.nudge(this.leaf, value);
  }

  // Pick a Value: a leaf becomes the one nudged; its paths to the root light up.
  pick(i) {
    this.picked = i;
    if (this.isEditable[i]) {
      this.leaf = i;
      this.fd = NaN;
      this.field.disabled = false;
      this.field.dataset.index = String(i);
    }
    this.onPath = new Uint8Array(this.n);
    this.onPath[i] = 1;
    let count = 1;
    for (let k = i + 1; k < this.n; k++) {
      for (let j = this.start[k]; j < this.start[k + 1]; j++) {
        if (this.onPath[this.parents[j]]) {
          this.onPath[k] = 1;
          count++;
          break;
        }
      }
    }
    this.pathCount = count;
    const op = this.spec.ops[this.op[i]];
    const lines = [`${this.name(i)} (${this.context(i)}): ${count.toLocaleString("en")} Values on its paths to the root, lit in the boxes below`];
    if (op) {
      const info = this.spec.opInfo[op];
      const ins = [];
      for (let j = this.start[i]; j < this.start[i + 1]; j++) ins.push(this.name(this.parents[j]));
      lines.push(`${this.name(i)} = ${info.label}(${ins.join(", ")})`, info.math);
    }
    this.info.textContent = lines.join("\n");
    this.renderTree();
    this.paint();
  }

  find(query) {
    this.results.innerHTML = "";
    const q = query.trim().toLowerCase();
    if (!q) return;
    let found = 0;
    for (let i = 0; i < this.n && found < MAX_RESULTS; i++) {
      if (this.labels[i] && this.labels[i].toLowerCase().includes(q)) {
        found++;
        const button = make("button", { class: "sg-result", "data-index": String(i), text: `${this.labels[i]} #${i} · ${this.context(i)}` }, this.results);
        button.addEventListener("click", () => this.reveal(i));
      }
    }
    if (!found) make("span", { text: `no Value labelled like "${query}"` }, this.results);
  }

  // Open the boxes down to Value i, show its row, and pick it.
  reveal(i) {
    const chain = [];
    for (let b = this.box[i]; b !== -1; b = this.spec.boxes[b][1]) chain.unshift(b);
    let parent = -1;
    for (const b of chain) {
      const name = this.spec.boxes[b][0];
      if (this.childBoxes.get(parent).filter((k) => this.spec.boxes[k][0] === name).length > 1) this.open.add(`g:${parent}:${name}`);
      this.open.add(`b:${b}`);
      parent = b;
    }
    const entry = this.entries(parent).find((e) => e.kind === "values" && e.nodes.includes(i));
    this.open.add(entry.key);
    // Show a window of the list around Value i, not every Value before it (thousands of rows).
    const at = entry.nodes.indexOf(i);
    const shown = this.window(entry);
    if (at < shown.start || at >= shown.end) {
      const start = Math.max(0, at - Math.floor(PAGE / 2));
      this.shown.set(entry.key, { start, end: start + PAGE });
    }
    this.pick(i);
    const row = this.tree.querySelector(`.sg-row[data-index="${i}"]`);
    if (row) {
      row.classList.add("sg-found");
      row.scrollIntoView({ block: "center" });
    }
  }

  renderTree() {
    this.live = [];
    this.tree.innerHTML = "";
    for (const entry of this.entries(-1)) this.renderEntry(entry, this.tree);
    for (const update of this.live) update();
  }

  renderEntry(entry, parentNode) {
    const node = make("div", { class: `sg-box sg-${entry.kind}`, "data-key": entry.key }, parentNode);
    const head = make("div", { class: "sg-box-head", tabindex: "0" }, node);
    const isOpen = this.open.has(entry.key);
    make("span", { class: "sg-toggle", text: isOpen ? "▾" : "▸" }, head);
    let title;
    if (entry.kind === "box") title = this.boxName(entry.box, entry.at);
    else if (entry.kind === "group") title = `${entry.name} ×${entry.ids.length}`;
    else if (entry.leaves) title = `${entry.nodes.length.toLocaleString("en")} lea${entry.nodes.length === 1 ? "f" : "ves"}: ${entry.title}`;
    else title = `${entry.nodes.length.toLocaleString("en")} Value${entry.nodes.length === 1 ? "" : "s"} ${entry.title}`;
    make("span", { class: "sg-title", text: title }, head);
    const stats = make("span", { class: "sg-stats" }, head);
    const nodes = this.nodesOf(entry);
    const flow = entry.kind === "values" ? null : this.flow(entry.key, nodes);
    const update = () => {
      let top = 0;
      let lit = 0;
      for (const i of nodes) {
        const g = Math.abs(this.grad[i]);
        if (g > top) top = g;
        if (this.onPath && this.onPath[i]) lit++;
      }
      const parts = [];
      if (entry.kind !== "values") parts.push(`${nodes.length.toLocaleString("en")} Value${nodes.length === 1 ? "" : "s"}`, `in ${flow.into}`, `out ${flow.out}`);
      parts.push(`max |grad| ${fmt(top)}`);
      if (lit) parts.push(`${lit.toLocaleString("en")} on the picked paths`);
      stats.textContent = parts.join(" · ");
      node.classList.toggle("sg-lit", lit > 0);
      node.dataset.lit = String(lit);
      node.dataset.maxGrad = String(top);
    };
    this.live.push(update);
    head.addEventListener("click", () => {
      if (this.open.has(entry.key)) this.open.delete(entry.key);
      else this.open.add(entry.key);
      this.renderTree();
    });
    head.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        head.click();
      }
    });
    if (!isOpen) return;
    const inside = make("div", { class: "sg-inside" }, node);
    if (entry.kind === "group") {
      entry.ids.forEach((k, at) => this.renderEntry({ kind: "box", key: `b:${k}`, box: k, at: at + 1 }, inside));
    } else if (entry.kind === "box") {
      const [, , , file, line] = this.spec.boxes[entry.box];
      // The file's name and line (its whole path when hovered): where the call was made.
      if (file) make("div", { class: "sg-where", text: `${file.split(/[\\/]/).pop()}:${line}`, title: `${file}:${line}` }, inside);
      for (const child of this.entries(entry.box)) this.renderEntry(child, inside);
    } else {
      const all = entry.nodes.length;
      const { start, end } = this.window(entry);
      const show = (part) => {
        this.shown.set(entry.key, part);
        this.renderTree();
        this.paint();
      };
      if (start > 0) {
        const earlier = make("button", { class: "sg-more sg-earlier", text: `show ${Math.min(PAGE, start)} earlier of ${start}` }, inside);
        earlier.addEventListener("click", () => show({ start: Math.max(0, start - PAGE), end }));
      }
      for (const i of entry.nodes.slice(start, end)) this.renderRow(i, inside);
      if (end < all) {
        const more = make("button", { class: "sg-more", text: `show ${Math.min(PAGE, all - end)} more of ${all - end}` }, inside);
        more.addEventListener("click", () => show({ start, end: end + PAGE }));
      }
    }
  }

  // The part of a list of Values shown: [start, end), PAGE of them at first.
  window(entry) {
    const all = entry.nodes.length;
    const { start, end } = this.shown.get(entry.key) || { start: 0, end: PAGE };
    return { start: Math.min(start, all), end: Math.min(end, all) };
  }

  renderRow(i, parentNode) {
    const row = make("div", { class: "sg-row", "data-index": String(i) }, parentNode);
    if (this.isEditable[i]) row.classList.add("sg-leaf");
    make("span", { class: "sg-row-name", text: this.name(i) }, row);
    const data = make("span", { class: "sg-data" }, row);
    const grad = make("span", { class: "sg-grad" }, row);
    const fd = make("span", { class: "sg-fd" }, row);
    row.addEventListener("click", () => this.pick(i));
    this.live.push(() => {
      data.textContent = `data ${fmt(this.data[i])}`;
      grad.textContent = `grad ${fmt(this.grad[i])}`;
      fd.textContent = i === this.leaf && this.leaf >= 0 ? `Δf/h ${fmt(this.fd)}` : "";
      row.dataset.data = String(this.data[i]);
      row.dataset.grad = String(this.grad[i]);
      row.classList.toggle("sg-lit", Boolean(this.onPath && this.onPath[i]));
      row.classList.toggle("sg-picked", i === this.picked);
    });
  }

  paint() {
    this.rootLine.textContent = `root = ${fmt(this.data[this.root])}`;
    this.rootLine.dataset.value = String(this.data[this.root]);
    const i = this.leaf;
    if (i >= 0) {
      this.panelText.textContent = `nudging ${this.name(i)} (${this.context(i)}): ArrowUp/ArrowDown in the field, or type a value and Enter`;
      if (document.activeElement !== this.field) this.field.value = String(this.data[i]);
      this.readout.textContent = `grad ${fmt(this.grad[i])}   (f(x+h) − f(x)) / h ${fmt(this.fd)}`;
      Object.assign(this.readout.dataset, { grad: String(this.grad[i]), fd: String(this.fd), data: String(this.data[i]) });
    }
    for (const update of this.live) update();
  }
}

function render({ model, el }) {
  new BigExplorer(el, model);
  return () => {};
}
