// Draws every element with data-map="<id of a json_script holding GeoJSON>" with Leaflet.
// No basemap: sites may be offline, and the shapes themselves are what staff need to see.
// Points are circles sized by households. Polygons (micro-grids) take their look from
// properties.style (Leaflet path options: color, fillColor, weight, dashArray…) and their hover
// text from properties.tooltip. data-map-overlay="<id>" adds a second collection on top (e.g.
// the buildings a plan moves), drawn the same way.
(function () {
  function radius(households) { return 4 + Math.sqrt(households || 0) / 4; }
  function read(id) {
    var source = id && document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }
  function tooltipOf(p) {
    if (p.tooltip) return p.tooltip;
    return p.name + (p.households != null ? "：" + p.households + " 户" : "");
  }
  function layerOf(data) {
    return L.geoJSON(data, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: radius(f.properties.households), color: "#c0392b", weight: 1, fillOpacity: 0.45 });
      },
      style: function (f) {
        var base = { color: "#c0392b", weight: 1, fillOpacity: 0.3 };
        return Object.assign(base, (f && f.properties && f.properties.style) || {});
      },
      onEachFeature: function (f, l) {
        l.bindTooltip(tooltipOf(f.properties || {}), { sticky: true });
        if (l.setStyle) {
          l.on("mouseover", function () { l.setStyle({ fillOpacity: 0.85 }); });
          l.on("mouseout", function () { l.setStyle({ fillOpacity: ((f.properties.style || {}).fillOpacity) || 0.3 }); });
        }
      },
    });
  }
  function draw(el) {
    var data = read(el.dataset.map);
    if (!data || !window.L) return;
    // Without a tile layer Leaflet knows no zoom limit; a single point would zoom in forever.
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, maxZoom: 18 });
    el.gongzhiMap = map; // other layers (e.g. visits/visit_map.js) draw on the same map
    var layer = layerOf(data).addTo(map);
    var overlay = read(el.dataset.mapOverlay);
    if (overlay) layerOf(overlay).addTo(map);
    // Points keep a wider view around them; outlines may fill the frame.
    var points = data.features.some(function (f) { return f.geometry && f.geometry.type === "Point"; });
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: points ? 16 : 18 });
    else map.setView([31.35, 121.42], 13);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-map]").forEach(draw);
  });
})();
