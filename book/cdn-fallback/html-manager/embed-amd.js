// Fallback used only when npm was missing at build time: load the widget manager from a CDN (needs internet).
document.write('<script src="https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js"><\/script>');
