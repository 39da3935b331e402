// Hot-issue heat and dashboard counts as horizontal bars (data-heat), concerns per month stacked
// by category (data-stacked), pies (data-pie), rate lines (data-lines), grouped bars (data-bars)
// with ECharts, and the grid map (data-grid-map) with Leaflet. Data comes from json_script elements: no inline script (CSP).
(function () {
  function theme() { return document.body.classList.contains("screen") ? "dark" : null; }
  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }
  function heat(el) {
    var data = read(el.dataset.heat);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, theme(), { renderer: "svg" });
    el.style.height = Math.max(200, data.labels.length * 26 + 60) + "px";
    // Titles take at most 40 % of a phone's width, 200 px on a desk.
    var left = Math.min(200, Math.round(el.clientWidth * 0.4));
    chart.setOption({
      animation: false,
      grid: { left: left, right: 30, top: 20, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", name: data.unit || "" },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: left - 10, overflow: "truncate" } },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#c0392b" } }],
    });
    chart.resize();
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function stacked(el) {
    var data = read(el.dataset.stacked);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, theme(), { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 20, top: 60, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value" },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.values }; }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-heat]").forEach(heat);
    document.querySelectorAll("[data-stacked]").forEach(stacked);
  });
  function keepSized(chart) { window.addEventListener("resize", function () { chart.resize(); }); }
  function pie(el) {
    var data = read(el.dataset.pie);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, theme(), { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      legend: { type: "scroll", bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }],
    });
    keepSized(chart);
  }
  function lines(el) {
    var data = read(el.dataset.lines);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, theme(), { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 20, top: 40, bottom: 30 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + (data.unit || ""); } },
      legend: { top: 0 },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}" + (data.unit || "") } },
      series: data.series.map(function (s) { return { name: s.name, type: "line", connectNulls: false, data: s.values }; }),
    });
    keepSized(chart);
  }
  function bars(el) {
    var data = read(el.dataset.bars);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, theme(), { renderer: "svg" });
    el.style.height = Math.max(220, data.labels.length * 34 + 60) + "px";
    var left = Math.min(180, Math.round(el.clientWidth * 0.4));
    chart.setOption({
      animation: false,
      grid: { left: left, right: 30, top: 30, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      xAxis: { type: "value", name: data.unit || "" },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: left - 10, overflow: "truncate" } },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.values }; }),
    });
    chart.resize();
    keepSized(chart);
  }
  // The grid map, coloured by the figure chosen in the select beside it (no basemap: offline).
  function shade(value, low, high) {
    if (value == null) return "#d5d8dc";
    var t = high > low ? (value - low) / (high - low) : 0.5;
    var light = Math.round(85 - 50 * t);
    return "hsl(8, 65%, " + light + "%)";
  }
  function gridMap(el) {
    var data = read(el.dataset.gridMap);
    if (!data || !window.L) return;
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, maxZoom: 18 });
    var layer = L.geoJSON(data, {
      onEachFeature: function (f, l) { l.bindTooltip(function () { return l.gongzhiTip || f.properties.name; }, { sticky: true }); },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    var select = document.querySelector('[data-map-metric="' + el.id + '"]');
    function paint() {
      var metric = select ? select.value : "collected";
      var label = select ? select.options[select.selectedIndex].text : "";
      var values = data.features.map(function (f) { return f.properties[metric]; }).filter(function (v) { return v != null; });
      var low = Math.min.apply(null, values.concat([0])), high = Math.max.apply(null, values.concat([0]));
      layer.eachLayer(function (l) {
        var p = l.feature.properties, v = p[metric];
        l.setStyle({ color: "#34495e", weight: 1, fillOpacity: 0.75, fillColor: shade(v, low, high) });
        l.gongzhiTip = p.name + "：" + label + " " + (v == null ? "—" : v);
      });
      el.dataset.metric = metric;
    }
    if (select) select.addEventListener("change", paint);
    paint();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-pie]").forEach(pie);
    document.querySelectorAll("[data-lines]").forEach(lines);
    document.querySelectorAll("[data-bars]").forEach(bars);
    document.querySelectorAll("[data-grid-map]").forEach(gridMap);
  });
})();
