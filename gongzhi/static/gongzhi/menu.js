// The menu button on a phone, and menu groups opened by tap or keyboard (hover opens them at a
// desk through CSS). No inline script, so the CSP stays strict.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("menu-toggle");
    var nav = document.getElementById("mainnav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    document.querySelectorAll(".navgroup-title").forEach(function (button) {
      button.addEventListener("click", function () {
        var group = button.parentElement;
        var open = !group.classList.contains("open");
        document.querySelectorAll(".navgroup.open").forEach(function (g) { g.classList.remove("open"); });
        group.classList.toggle("open", open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  });
})();
