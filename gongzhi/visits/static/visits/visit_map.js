// The grid map's layer of households due and overdue for a visit (visits.selectors).
// The map element carries data-visit-layer="<url of the GeoJSON counts per building>" and
// data-visit-popup="<url of one building's list, with 0 for its id>"; the checkbox
// #visit-layer-toggle shows and hides the layer. Counts come first (a few kB for a whole town);
// a building's list of households (names masked on the server) is fetched when tapped.
(function () {
  // Texts come translated from the page: data-text-tooltip, data-text-tagged, data-text-summary
  // with {name}-style placeholders (a % in a template's msgid would need escaping).
  var texts = {};
  function fill(text, values) {
    return (text || "").replace(/\{(\w+)\}/g, function (_, k) { return values[k] != null ? values[k] : ""; });
  }
  function radius(p) { return 5 + Math.sqrt(p.due || 0) * 1.6; }
  function tooltip(p) {
    var t = fill(texts.tooltip, p);
    if (p.tagged_overdue) t += fill(texts.tagged, p);
    return t;
  }
  function popupFor(template, id, layer) {
    layer.on("click", function () {
      fetch(template.replace(/0\/$/, id + "/"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html) layer.bindPopup(html, { maxWidth: 260 }).openPopup(); });
    });
  }
  function build(data, template) {
    return L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        return L.circleMarker(latlng, { radius: radius(p), color: p.colour, fillColor: p.colour, weight: 1, fillOpacity: 0.75 });
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(tooltip(f.properties), { sticky: true });
        popupFor(template, f.properties.id, l);
      },
    });
  }
  function setUp(el) {
    var map = el.gongzhiMap, toggle = document.getElementById("visit-layer-toggle");
    if (!map || !toggle) return;
    texts = { tooltip: el.dataset.textTooltip, tagged: el.dataset.textTagged, summary: el.dataset.textSummary };
    var layer = null, status = document.getElementById("visit-layer-status");
    function show() {
      if (layer) { layer.addTo(map); return; }
      status.textContent = "…";
      fetch(el.dataset.visitLayer, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer = build(data, el.dataset.visitPopup);
          if (toggle.checked) layer.addTo(map);
          var due = 0, overdue = 0;
          data.features.forEach(function (f) { due += f.properties.due; overdue += f.properties.overdue; });
          status.textContent = fill(texts.summary, { due: due, overdue: overdue, buildings: data.features.length });
          status.dataset.due = due; status.dataset.overdue = overdue; status.dataset.buildings = data.features.length;
        });
    }
    toggle.addEventListener("change", function () {
      if (toggle.checked) show(); else if (layer) map.removeLayer(layer);
    });
    if (location.hash === "#visits") toggle.checked = true;
    if (toggle.checked) show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-visit-layer]").forEach(setUp);
  });
})();
