// Draws every element with data-map="<id of a json_script holding GeoJSON>" with Leaflet.
// No basemap: sites may be offline, and the shapes themselves are what staff need to see.
(function () {
  function radius(households) { return 4 + Math.sqrt(households || 0) / 4; }
  function draw(el) {
    var source = document.getElementById(el.dataset.map);
    if (!source || !window.L) return;
    var data = JSON.parse(source.textContent);
    // Without a tile layer Leaflet knows no zoom limit; a single point would zoom in forever.
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, maxZoom: 18 });
    var layer = L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: radius(f.properties.households), color: "#c0392b", weight: 1, fillOpacity: 0.45 });
      },
      style: function () { return { color: "#c0392b", weight: 1, fillOpacity: 0.3 }; },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        l.bindTooltip(p.name + (p.households != null ? "：" + p.households + " 户" : ""));
      },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 });
    else map.setView([31.35, 121.42], 13);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
  });
})();
