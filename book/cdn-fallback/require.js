// Fallback used only when npm was missing at build time: load RequireJS from a CDN (needs internet).
document.write('<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.8/require.js"><\/script>');
