/* Draws the dashboard's charts from the JSON the page carries (no inline script: CSP).
   Every slice, bar segment, month and week links to the item list it stands for. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function draw(name, option, urlOf) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    chart.on("click", function (params) {
      var url = urlOf(params);
      if (url) { window.location.href = url; }
    });
    element.dataset.rendered = "true";
    charts.push(chart);
  }

  function empty(name, text) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (element) {
      element.classList.add("chart-empty");
      element.textContent = text;
      element.dataset.rendered = "true";
    }
  }

  draw("status", {
    tooltip: { trigger: "item", formatter: "{b}：{c} 项（{d}%）" },
    legend: { bottom: 0 },
    series: [{
      type: "pie", radius: ["45%", "70%"], label: { formatter: "{b}\n{c}" },
      data: data.status.filter(function (s) { return s.value > 0; })
        .map(function (s) { return { name: s.name, value: s.value, url: s.url, itemStyle: { color: s.color } }; })
    }]
  }, function (p) { return p.data && p.data.url; });

  function stacked(name, block, horizontal) {
    if (!block.categories.length) { empty(name, "暂无数据"); return; }
    var categoryAxis = { type: "category", data: block.categories, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    var valueAxis = { type: "value", minInterval: 1 };
    draw(name, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : Object.assign({}, categoryAxis, { axisLabel: { interval: 0, rotate: 30, width: 90, overflow: "truncate" } }),
      yAxis: horizontal ? Object.assign({}, categoryAxis, { inverse: true }) : valueAxis,
      series: block.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "status", itemStyle: { color: s.color }, data: s.data, urls: s.urls };
      })
    }, function (p) { return block.series[p.seriesIndex].urls[p.dataIndex]; });
  }

  stacked("departments", data.departments, false);
  stacked("leaders", data.leaders, true);
  stacked("problems", data.problems, true);

  if (data.trend.months.length) {
    draw("trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.trend.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "当月销号", type: "bar", data: data.trend.completed, itemStyle: { color: "#198754" } },
        { name: "累计销号", type: "line", data: data.trend.cumulative, itemStyle: { color: "#b02a37" } }
      ]
    }, function (p) { return (p.seriesIndex === 0 ? data.trend.urls : data.trend.cumulative_urls)[p.dataIndex]; });
  } else {
    empty("trend", "尚无销号记录");
  }

  draw("deadlines", {
    tooltip: { trigger: "axis", formatter: "{b}：{c} 项到期" },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.deadlines.weeks, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "到期事项", type: "bar", data: data.deadlines.counts, itemStyle: { color: "#ffc107" } }]
  }, function (p) { return data.deadlines.urls[p.dataIndex]; });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  // Printing: redraw at the printed size. Chrome lays the page out for print after "beforeprint",
  // so the print media query's change is the moment the printed sizes are known.
  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  var printMedia = window.matchMedia("print");
  if (printMedia.addEventListener) { printMedia.addEventListener("change", resizeAll); }

  var printButton = document.querySelector('[data-action="print"]');
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
}());
