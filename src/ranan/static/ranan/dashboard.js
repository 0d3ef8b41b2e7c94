// Dashboard charts (ECharts): the chosen figure week by week, fetched from
// /api/v1/kpis/timeseries, and the ranking of the child areas from the page's own data.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  // ECharts in the page's language (<html lang>): its own texts from its ZH or EN locale,
  // and the loading text, which ECharts' locales do not carry ("loading" in every language).
  var locale = /^zh/i.test(document.documentElement.lang || "") ? "ZH" : "EN";
  var LOADING = { ZH: "加载中…", EN: "Loading…" };
  function shown(value, unit) {
    if (value === null || value === undefined) return null;
    return unit === "ratio" ? Math.round(value * 1000) / 10 : Math.round(value * 10) / 10;
  }
  // The axis scales to the values (0-3 % fills the chart; never above 100 %).
  function axis(unit) {
    return { type: "value", axisLabel: { formatter: unit === "ratio" ? "{value}%" : "{value}" },
             min: 0, max: unit === "ratio" ? function (v) { return v.max > 80 ? 100 : null; } : null };
  }
  function label(unit) {
    return { show: true, position: "right", fontSize: 11,
             formatter: function (p) {
               return p.value === null ? "" : p.value + (unit === "ratio" ? "%" : "");
             } };
  }
  var trendEl = document.getElementById("trend-chart");
  var trend = echarts.init(trendEl, null, { renderer: "svg", locale: locale });
  var select = document.getElementById("trend-kpi");
  var meta = {};
  data.kpis.forEach(function (k) { meta[k.name] = k; });
  function loadTrend() {
    var name = select.value, k = meta[name];
    var url = data.api + "?jurisdiction=" + encodeURIComponent(data.jurisdiction) +
      "&to=" + data.to + "&weeks=12&kpi=" + encodeURIComponent(name);
    trend.showLoading("default", { text: LOADING[locale] });
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        trend.hideLoading();
        var weeks = answer.weeks || [];
        trendEl.dataset.weeks = weeks.length;
        trend.setOption({
          tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 24, bottom: 32 },
          xAxis: { type: "category", data: weeks.map(function (w) { return w.from.slice(5); }) },
          yAxis: axis(k.unit),
          series: [{ name: k.label, type: "line", smooth: true, connectNulls: false,
                     data: weeks.map(function (w) { return shown(w.kpis[0].value, k.unit); }) }]
        }, true);
      })
      .catch(function () { trend.hideLoading(); });
  }
  select.addEventListener("change", loadTrend);
  loadTrend();
  var r = data.ranking;
  var ranking = echarts.init(document.getElementById("ranking-chart"), null,
                             { renderer: "svg", locale: locale });
  ranking.setOption({
    tooltip: { trigger: "axis" }, grid: { left: 96, right: 56, top: 8, bottom: 24 },
    xAxis: axis(r.unit), yAxis: { type: "category", data: r.names.slice().reverse(),
                                   axisLabel: { width: 88, overflow: "truncate" } },
    series: [{ name: r.label, type: "bar", barMaxWidth: 40, label: label(r.unit),
               data: r.values.map(function (v) { return shown(v, r.unit); }).reverse() }]
  });
  window.addEventListener("resize", function () { trend.resize(); ranking.resize(); });
})();
