// The page that to_html writes for viz.interactive (autograd/viz/widget.py): the drawing with
// the widget's tools, working from file:// with no kernel. Search lights the nodes whose text
// holds the words typed (the others dim); the zoom buttons scale the drawing (fit: into the
// column); a click on a node lights what it depends on and what depends on it.
(() => {
  const svg = document.querySelector("div[class$='-box'] > svg");
  if (!svg) return;
  // The CSS zoom radios of a notebook's drawing: this page's own buttons replace them.
  for (const radio of document.querySelectorAll("input[type=radio]")) {
    const label = document.querySelector(`label[for="${radio.id}"]`);
    if (label) label.remove();
    radio.remove();
  }
  for (const span of document.querySelectorAll("span")) if (span.textContent === "zoom:") span.remove();

  const natural = parseFloat(svg.style.maxWidth) || svg.getBoundingClientRect().width;
  const status = document.getElementById("sg-status");
  const text = (node) => [...node.querySelectorAll("text")].map((t) => t.textContent).join(" ");
  const nodes = [...svg.querySelectorAll("g.node")];
  const byId = new Map(nodes.map((n) => [n.querySelector("title").textContent, n]));
  const edges = [...svg.querySelectorAll("g.edge")].map((e) => {
    const [tail, head] = e.querySelector("title").textContent.split("->");
    return { e, tail, head };
  });

  let scale = null; // null: fitted into the column
  function zoom(next) {
    scale = next;
    svg.style.width = scale === null ? "100%" : `${natural * scale}px`;
    svg.style.maxWidth = scale === null ? `${natural}px` : "none";
    document.getElementById("sg-zoom").textContent = scale === null ? "fit" : `${Math.round(scale * 100)} %`;
  }
  const shown = () => svg.getBoundingClientRect().width / natural;
  document.getElementById("sg-in").onclick = () => zoom(Math.min(4, shown() * 1.25));
  document.getElementById("sg-out").onclick = () => zoom(Math.max(0.1, shown() / 1.25));
  document.getElementById("sg-fit").onclick = () => zoom(null);

  function light(lit) {
    for (const n of nodes) {
      n.classList.toggle("sg-hit", lit !== null && lit.has(n));
      n.classList.toggle("sg-dim", lit !== null && !lit.has(n));
    }
    for (const { e, tail, head } of edges) {
      const on = lit !== null && lit.has(byId.get(tail)) && lit.has(byId.get(head));
      e.classList.toggle("sg-dim", lit !== null && !on);
    }
  }

  const search = document.getElementById("sg-search");
  search.addEventListener("input", () => {
    const words = search.value.trim().toLowerCase();
    if (!words) {
      light(null);
      status.textContent = "";
      return;
    }
    const hits = new Set(nodes.filter((n) => text(n).toLowerCase().includes(words)));
    light(hits);
    status.textContent = `${hits.size} node${hits.size === 1 ? "" : "s"} match`;
    const first = [...hits][0];
    if (first) first.scrollIntoView({ block: "nearest", inline: "center" });
  });

  function reach(start, forward) {
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length) {
      const at = todo.pop().querySelector("title").textContent;
      for (const { tail, head } of edges) {
        const next = byId.get(forward ? head : tail);
        if ((forward ? tail : head) === at && next && !seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
      }
    }
    return seen;
  }
  let picked = null;
  for (const n of nodes) {
    n.style.cursor = "pointer";
    n.addEventListener("click", () => {
      picked = picked === n ? null : n;
      if (picked === null) {
        light(null);
        status.textContent = "";
        return;
      }
      light(new Set([...reach(n, false), ...reach(n, true)]));
      status.textContent = `lit: what ${text(n).split(" ")[0] || "it"} depends on and what depends on it (click again to clear)`;
    });
  }
})();
