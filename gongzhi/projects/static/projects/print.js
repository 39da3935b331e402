// The notice's print button (no inline script, so the CSP stays strict).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { e.preventDefault(); window.print(); }
});
