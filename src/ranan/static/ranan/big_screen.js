// The big screen's charts and clock; the page itself reloads on its refresh interval.
(function () {
  "use strict";
  var rows = JSON.parse(document.getElementById("big-data").textContent);
  var names = rows.map(function (r) { return r.name; });
  function bar(id, values, colour, percent) {
    var chart = echarts.init(document.getElementById(id), "dark", {
      renderer: "svg", locale: /^zh/i.test(document.documentElement.lang || "") ? "ZH" : "EN" });
    chart.setOption({
      backgroundColor: "transparent", grid: { left: 48, right: 16, top: 16, bottom: 48 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: names, axisLabel: { rotate: names.length > 6 ? 30 : 0 } },
      // The axis scales to the values (a coverage of 0-3 % is not a flat line at 0-100 %).
      yAxis: { type: "value", min: 0,
               max: percent ? function (v) { return v.max > 80 ? 100 : null; } : null,
               axisLabel: { formatter: percent ? "{value}%" : "{value}" } },
      series: [{ type: "bar", data: values, barMaxWidth: 64, itemStyle: { color: colour },
                 label: { show: true, position: "top", color: "#fff",
                          formatter: function (p) {
                            return p.value === null ? "" : p.value + (percent ? "%" : "");
                          } } }]
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
