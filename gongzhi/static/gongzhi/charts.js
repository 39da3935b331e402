// Draws every element with data-chart="<id of a json_script>" as a bar chart with ECharts.
// Data: {"labels": [...], "values": [...], "unit": "户"}; "type": "line" draws a line over the
// labels in order instead (e.g. a share filled over time). No inline script, so CSP stays strict.
(function () {
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var line = data.type === "line";
    var horizontal = !line && data.labels.length > 8;
    var longest = data.labels.reduce(function (m, l) { return Math.max(m, String(l).length); }, 0);
    var category = { type: "category", data: data.labels, axisLabel: line ? {} : { interval: 0 } };
    var value = { type: "value", name: data.unit || "" };
    // Percentages run 0–100 whatever the data, so two charts of rates read alike.
    if (data.unit === "%") { value.min = 0; value.max = 100; }
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? Math.min(240, 13 * longest + 16) : 48, right: 20, top: 30, bottom: 30 },
      tooltip: { trigger: "axis" },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign(category, { inverse: true }) : value,
      series: [{ type: line ? "line" : "bar", step: line ? "end" : undefined, data: data.values, itemStyle: { color: "#c0392b" } }],
    });
    if (horizontal) el.style.height = Math.max(320, data.labels.length * 22 + 60) + "px";
    chart.resize();
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
  // Charts in a part fetched after the page (htmx), e.g. the workbench's area in figures.
  document.addEventListener("htmx:afterSettle", function (event) {
    event.target.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
