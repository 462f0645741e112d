// Prepare the page for the ipywidgets embed manager (loaded right after this script).
(function () {
  // 1. Tell RequireJS where this site keeps the embed manager, so the fonts and modules it
  //    loads come from this site, not from paths next to each page or from a CDN.
  var here = document.currentScript.src;  // .../_static/vendor/widgets-setup.js
  var base = here.slice(0, here.lastIndexOf("/") + 1);
  require.config({ paths: { "@jupyter-widgets/html-manager/dist": base + "html-manager" } });

  // 2. The embed manager typesets widget labels with MathJax 2's `MathJax.Hub.Queue`; the site
  //    runs MathJax 3, which has no Hub. Give every MathJax object a Hub that uses MathJax 3.
  var hub = {
    Queue: function (job) {
      var mj = window.MathJax;
      if (mj && mj.typesetPromise && job && job[2]) { mj.typesetPromise([job[2]]); }
    }
  };
  var current = window.MathJax;
  if (current && !current.Hub) { current.Hub = hub; }
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = value; if (value && !value.Hub) { value.Hub = hub; } }
  });
})();
