// The big screen's charts and clock; the page itself reloads on its refresh interval.
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("big-data").textContent);
  var names = rows.map(function (r) { return r.name; });
  function bar(id, values, colour, percent) {
    var chart = echarts.init(document.getElementById(id), "dark", { renderer: "svg" });
    chart.setOption({
      backgroundColor: "transparent", grid: { left: 48, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", max: percent ? 100 : null,
               axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
      series: [{ type: "bar", data: values, barMaxWidth: 64, itemStyle: { color: colour } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  bar("coverage-chart", rows.map(function (r) {
    return r.coverage === null ? null : Math.round(r.coverage * 1000) / 10;
  }), "#3fb1e3", true);
  bar("overdue-chart", rows.map(function (r) { return r.overdue; }), "#ff7f50", false);
  var clock = document.getElementById("clock");
  function tick() {
    var d = new Date(), p = function (n) { return String(n).padStart(2, "0"); };
    clock.textContent = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) +
      " " + p(d.getHours()) + ":" + p(d.getMinutes()) + ":" + p(d.getSeconds());
  }
  setInterval(tick, 1000);
})();
