// Hot-issue heat as horizontal bars (data-heat) and concerns per month stacked by category
// (data-stacked), with ECharts. Data comes from json_script elements: no inline script (CSP).
(function () {
  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }
  function heat(el) {
    var data = read(el.dataset.heat);
    if (!data || !window.echarts) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
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
    var chart = echarts.init(el, null, { renderer: "svg" });
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
})();
