// Intake suggestion: when the server's fragment (#assist) proposes a category, preselect it if
// the field is still empty and the classifier is confident; "Use it" applies it on request.
(function () {
  function select() { return document.getElementById("id_category"); }
  function apply(root) {
    var s = root.querySelector ? root.querySelector("[data-suggestion][data-preselect]") : null;
    var field = select();
    if (s && field && !field.value) { field.value = s.dataset.suggestedCategory; }
  }
  document.addEventListener("htmx:afterSwap", function (e) { apply(e.target.parentNode || document); });
  document.addEventListener("click", function (e) {
    var id = e.target.dataset && e.target.dataset.useCategory;
    if (id && select()) { select().value = id; }
  });
  document.addEventListener("DOMContentLoaded", function () { apply(document); });
})();
