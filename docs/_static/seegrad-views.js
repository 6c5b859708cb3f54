// Size each embedded live view (an <iframe srcdoc> holding the page viz.to_html writes) to its
// content, and keep it sized as the view grows (explanations opening, the window resizing).
(function () {
  function fit(frame) {
    let doc;
    try {
      doc = frame.contentDocument;
    } catch (error) {
      return;
    }
    if (!doc || !doc.documentElement) return;
    const height = Math.max(doc.documentElement.scrollHeight, doc.body ? doc.body.scrollHeight : 0);
    if (height > 0) frame.style.height = height + 2 + "px";
  }
  function watch(frame) {
    const start = function () {
      fit(frame);
      try {
        new ResizeObserver(function () { fit(frame); }).observe(frame.contentDocument.body);
      } catch (error) {
        /* a view without a body: the CSS height stays */
      }
    };
    frame.addEventListener("load", start);
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") start();
  }
  function init() {
    document.querySelectorAll("iframe.seegrad-view").forEach(watch);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
