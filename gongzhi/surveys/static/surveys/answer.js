// Progress of the answer page: how many questions have an answer. Works without it, too.
(function () {
  var form = document.getElementById("answer-form");
  if (!form) return;
  var bar = document.getElementById("answer-progress");
  var text = document.getElementById("answer-progress-text");
  var sets = form.querySelectorAll("fieldset.question");
  function update() {
    var done = 0;
    sets.forEach(function (fs) {
      var filled = Array.prototype.some.call(fs.querySelectorAll("input, textarea"), function (i) {
        return (i.type === "radio" || i.type === "checkbox") ? i.checked : i.value.trim() !== "";
      });
      if (filled) {
        done += 1;
        fs.classList.remove("invalid");
        var error = fs.querySelector(".field-error");
        if (error) error.hidden = true;
      }
    });
    bar.value = done;
    text.textContent = done + " / " + sets.length;
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
  var first = form.querySelector("fieldset.invalid");
  if (first) first.scrollIntoView({ block: "center" });
})();
