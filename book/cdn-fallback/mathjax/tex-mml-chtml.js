// Fallback used only when npm was missing at build time: load MathJax from a CDN (needs internet).
(function () {
  var s = document.createElement("script");
  s.src = "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-mml-chtml.js";
  s.async = true;
  document.head.appendChild(s);
})();
