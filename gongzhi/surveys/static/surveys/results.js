// Draws each element with data-survey-chart="<id of a json_script>" with ECharts: a pie for a
// single-choice question with few options, bars otherwise. No inline script, so CSP stays strict.
(function () {
  var colors = ["#c0392b", "#e67e22", "#f1c40f", "#27ae60", "#2980b9", "#8e44ad", "#7f8c8d"];
  function draw(el) {
    var source = document.getElementById(el.dataset.surveyChart);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    if (data.kind === "pie") {
      chart.setOption({
        animation: false, color: colors,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["30%", "65%"], label: { formatter: "{b}\n{d}%" },
          data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }],
      });
    } else {
      var longest = data.labels.reduce(function (m, l) { return Math.max(m, String(l).length); }, 0);
      chart.setOption({
        animation: false,
        grid: { left: Math.min(200, 13 * longest + 16), right: 30, top: 10, bottom: 30 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "value", name: data.unit || "", minInterval: 1 },
        yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0 } },
        series: [{ type: "bar", data: data.values, itemStyle: { color: "#c0392b" }, label: { show: true, position: "right" } }],
      });
      el.style.height = Math.max(220, data.labels.length * 30 + 50) + "px";
    }
    chart.resize();
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-survey-chart]").forEach(draw);
  });
})();
