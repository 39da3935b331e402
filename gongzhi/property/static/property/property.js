// Property pages: line charts (data-line="<json_script id>") and the stairwell map coloured by
// step (data-stairwells="<json_script id>"). No inline script, so the CSP stays strict.
(function () {
  var STEP_COLOURS = ["#bdc3c7", "#f5b7b1", "#f1948a", "#e74c3c", "#c0392b", "#7b241c"];

  function line(el) {
    var source = document.getElementById(el.dataset.line);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 20, top: 30, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", name: data.unit || "", min: 0, max: data.unit === "%" ? 100 : null },
      series: [{ type: "line", data: data.values, itemStyle: { color: "#c0392b" } }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function map(el) {
    var source = document.getElementById(el.dataset.stairwells);
    if (!source || !window.L) return;
    var points = JSON.parse(source.textContent);
    var m = L.map(el, { attributionControl: false });
    var bounds = [];
    points.forEach(function (p) {
      // Stairwells of one building share its point: spread them on a small ring.
      var angle = (p.i % 8) * Math.PI / 4, r = 0.00004 * (1 + Math.floor(p.i / 8) % 3);
      var at = [p.lat + r * Math.sin(angle), p.lng + r * Math.cos(angle)];
      L.circleMarker(at, { radius: 6, color: STEP_COLOURS[p.step], fillOpacity: 0.9, weight: 1 })
        .bindTooltip(p.name + " · " + el.dataset["step" + p.step]).addTo(m);
      bounds.push(at);
    });
    if (bounds.length) m.fitBounds(bounds, { padding: [20, 20] }); else m.setView([31.35, 121.4], 14);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-line]").forEach(line);
    document.querySelectorAll("[data-stairwells]").forEach(map);
  });
})();
