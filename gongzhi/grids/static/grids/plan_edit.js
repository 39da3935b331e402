// Hand edits on a plan's map: click buildings to select them (or tick single stairwells), pick
// the grid to move them to, and the panel shows at once both grids' households, contiguity and
// bounds (from the preview endpoint); the form posts the move with the secretary's reason.
(function () {
  function text(form, key) { return form.dataset["text" + key] || ""; }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k] != null ? values[k] : ""; });
  }
  function setup() {
    var el = document.getElementById("plan-map");
    var form = document.getElementById("move-form");
    var source = document.getElementById("buildings-data");
    if (!el || !form || !source || !el.gongzhiMap || !window.L) return;
    var data = JSON.parse(source.textContent);
    var picks = form.querySelector("[data-picks]");
    var preview = form.querySelector("[data-preview]");
    var submit = form.querySelector("button[type=submit]");
    var target = form.querySelector("select[name=to]");
    var chosen = {};
    var layers = {};
    L.geoJSON(data, {
      style: function (f) { return f.properties.style; },
      onEachFeature: function (f, layer) {
        layers[f.properties.key] = layer;
        layer.bindTooltip(f.properties.tooltip, { sticky: true });
        layer.on("click", function () { toggle(f.properties); });
      },
    }).addTo(el.gongzhiMap);

    function toggle(p) {
      if (chosen[p.key]) delete chosen[p.key];
      else chosen[p.key] = p;
      layers[p.key].setStyle(chosen[p.key] ? { color: "#c0392b", weight: 3, fillOpacity: 0.5 } : p.style);
      render();
    }
    function render() {
      picks.textContent = "";
      Object.keys(chosen).forEach(function (key) {
        var p = chosen[key];
        var row = document.createElement("div");
        row.className = "pick";
        if (!p.stairwells.length) {
          row.appendChild(box(key, p.label + " · " + fill(text(form, "Households"), { n: p.households }), true));
        } else {
          var title = document.createElement("strong");
          title.textContent = p.label;
          row.appendChild(title);
          p.stairwells.forEach(function (s) {
            var label = s.name + " · " + fill(text(form, "Households"), { n: s.households });
            row.appendChild(box(key + "#" + s.n, label, true));
          });
        }
        picks.appendChild(row);
      });
      if (!Object.keys(chosen).length) picks.textContent = text(form, "Empty");
      check();
    }
    function box(value, label, checked) {
      var wrap = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "unit";
      input.value = value;
      input.checked = checked;
      input.addEventListener("change", check);
      wrap.appendChild(input);
      wrap.appendChild(document.createTextNode(" " + label));
      return wrap;
    }
    function check() {
      var units = Array.prototype.map.call(form.querySelectorAll("input[name=unit]:checked"), function (i) { return i.value; });
      submit.disabled = true;
      preview.textContent = "";
      if (!units.length || !target.value) return;
      var query = units.map(function (u) { return "unit=" + encodeURIComponent(u); }).join("&");
      fetch(form.dataset.preview + "?" + query + "&to=" + encodeURIComponent(target.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (verdict) { show(verdict); });
    }
    function show(verdict) {
      preview.textContent = "";
      verdict.grids.forEach(function (g) {
        var line = document.createElement("p");
        line.dataset.grid = g.code;
        line.className = g.within && g.contiguous ? "ok" : "warn";
        line.textContent = fill(text(form, "Grid"), {
          name: g.name, before: g.before, after: g.after,
          contiguous: g.contiguous ? text(form, "Contiguous") : text(form, "Broken"),
          bounds: g.within ? text(form, "Within") : text(form, "Outside"),
        });
        preview.appendChild(line);
      });
      verdict.problems.forEach(function (message) {
        var line = document.createElement("p");
        line.className = "errors";
        line.dataset.problem = "1";
        line.textContent = message;
        preview.appendChild(line);
      });
      submit.disabled = verdict.problems.length > 0;
    }
    target.addEventListener("change", check);
    render();
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(setup, 0); });
})();
