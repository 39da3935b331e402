// The draw form: drawing a whole subdistrict takes a few seconds, so on submit the button is
// disabled (no double submission) and the "drawing…" note is shown.
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var note = document.getElementById(form.dataset.busy);
        if (note) note.hidden = false;
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      });
    });
  });
})();
