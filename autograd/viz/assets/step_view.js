// The step-by-step view (autograd/viz/step_view.py): shows one frame's HTML at a time, keeps
// the zoom picked (fit, 100 %, 200 %) from frame to frame, and scrolls the drawing's own box so
// that the node being processed (class "seegrad-current") is in view.
function reveal(el) {
  const node = el.querySelector("g.seegrad-current");
  if (!node) return;
  const box = [...el.querySelectorAll("div")].find((d) => /-box$/.test(d.className));
  if (!box) return;
  // A window onto the drawing below the slider, whatever the zoom: the slider stays in view.
  box.style.maxHeight = "65vh";
  const n = node.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  if (n.left < b.left || n.right > b.right) box.scrollLeft += n.left + n.width / 2 - (b.left + b.width / 2);
  if (n.top < b.top || n.bottom > b.bottom) box.scrollTop += n.top + n.height / 2 - (b.top + b.height / 2);
  const m = node.getBoundingClientRect();
  if (m.top < 0 || m.bottom > window.innerHeight) node.scrollIntoView({ block: "nearest", inline: "nearest" });
}

function render({ model, el }) {
  const draw = () => {
    const radios = [...el.querySelectorAll('input[type="radio"]')];
    const zoom = radios.findIndex((r) => r.checked);
    el.innerHTML = model.get("html");
    const fresh = [...el.querySelectorAll('input[type="radio"]')];
    if (zoom > 0 && fresh[zoom]) fresh[zoom].checked = true;
    for (const r of fresh) r.addEventListener("change", () => requestAnimationFrame(() => reveal(el)));
    requestAnimationFrame(() => reveal(el));
  };
  model.on("change:html", draw);
  draw();
}
export default { render };
