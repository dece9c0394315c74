/* Draws the dashboard's charts from the JSON the page carries (no inline script: CSP).
   Every slice, bar segment, month and week links to the item list it stands for. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-charts");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  // Below this chart width (a phone) labels move inside or turn, so that nothing is cut or overlaps.
  var NARROW = 520;

  // optionFor(narrow) gives the chart's option; it is asked again whenever the chart's width
  // crosses NARROW (rotating a phone, printing). No legend covers the plot: the grid leaves room
  // for as many legend lines as the width makes.
  function draw(name, optionFor, urlOf) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) { return; }
    var chart = echarts.init(element, null, { locale: "ZH", renderer: "canvas" });
    var narrow = element.clientWidth < NARROW;
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, optionFor(narrow)));
    chart.on("click", function (params) {
      var url = urlOf(params);
      if (url) { window.location.href = url; }
    });
    element.dataset.rendered = "true";
    charts.push({ chart: chart, element: element, optionFor: optionFor, narrow: narrow });
  }

  function empty(name, text) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (element) {
      element.classList.add("chart-empty");
      element.textContent = text;
      element.dataset.rendered = "true";
    }
  }

  var slices = data.status.filter(function (s) { return s.value > 0; })
    .map(function (s) { return { name: s.name, value: s.value, url: s.url, itemStyle: { color: s.color } }; });
  draw("status", function (narrow) {
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c} 项（{d}%）" },
      legend: { type: "scroll", bottom: 0 },
      series: [{
        type: "pie", radius: ["45%", "70%"], center: ["50%", "46%"], data: slices,
        // On a phone the names would be cut at the edges: the legend names the colours, the slice its count.
        label: narrow ? { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold" }
                      : { position: "outside", formatter: "{b}\n{c}", color: "inherit", fontWeight: "normal" },
        labelLine: { show: !narrow }
      }]
    };
  }, function (p) { return p.data && p.data.url; });

  // The five statuses: one scrolling line on a desk; on a phone two full lines, the plot below them.
  function legend(narrow) {
    return narrow ? { type: "plain", top: 0, itemWidth: 14, itemGap: 8 } : { type: "scroll", top: 0, itemWidth: 25, itemGap: 10 };
  }

  function stacked(name, block, horizontal) {
    if (!block.categories.length) { empty(name, "暂无数据"); return; }
    var categoryAxis = { type: "category", data: block.categories, axisLabel: { interval: 0, width: 110, overflow: "truncate" } };
    var valueAxis = { type: "value", minInterval: 1 };
    var series = block.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "status", itemStyle: { color: s.color }, data: s.data, urls: s.urls };
    });
    draw(name, function (narrow) {
      var labelWidth = narrow ? 72 : 110;
      var categories = Object.assign({}, categoryAxis, { axisLabel: { interval: 0, width: labelWidth, overflow: "truncate" } });
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        legend: legend(narrow),
        grid: { left: 8, right: 16, top: narrow ? 60 : 40, bottom: 8, containLabel: true },
        xAxis: horizontal ? valueAxis : Object.assign({}, categoryAxis, { axisLabel: { interval: 0, rotate: 30, width: 90, overflow: "truncate" } }),
        yAxis: horizontal ? Object.assign(categories, { inverse: true }) : valueAxis,
        series: series
      };
    }, function (p) { return block.series[p.seriesIndex].urls[p.dataIndex]; });
  }

  stacked("departments", data.departments, false);
  stacked("leaders", data.leaders, true);
  stacked("problems", data.problems, true);

  if (data.trend.months.length) {
    draw("trend", function () {
      return {
        tooltip: { trigger: "axis", confine: true },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.trend.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "当月销号", type: "bar", data: data.trend.completed, itemStyle: { color: "#198754" } },
          { name: "累计销号", type: "line", data: data.trend.cumulative, itemStyle: { color: "#b02a37" } }
        ]
      };
    }, function (p) { return (p.seriesIndex === 0 ? data.trend.urls : data.trend.cumulative_urls)[p.dataIndex]; });
  } else {
    empty("trend", "尚无销号记录");
  }

  draw("deadlines", function (narrow) {
    return {
      tooltip: { trigger: "axis", formatter: "{b}：{c} 项到期", confine: true },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      // Eight week labels side by side overlap on a phone: turned, they fit.
      xAxis: { type: "category", data: data.deadlines.weeks, axisLabel: { interval: 0, rotate: narrow ? 45 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "到期事项", type: "bar", data: data.deadlines.counts, itemStyle: { color: "#ffc107" } }]
    };
  }, function (p) { return data.deadlines.urls[p.dataIndex]; });

  // A chart whose width crossed NARROW gets its other layout, then every chart takes its new size.
  function resizeAll() {
    charts.forEach(function (c) {
      var narrow = c.element.clientWidth < NARROW;
      if (narrow !== c.narrow) {
        c.narrow = narrow;
        c.chart.setOption(c.optionFor(narrow));
      }
      c.chart.resize();
    });
  }
  window.addEventListener("resize", resizeAll);
  // Printing: redraw at the printed size. Chrome lays the page out for print after "beforeprint",
  // so the print media query's change is the moment the printed sizes are known.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  var printMedia = window.matchMedia("print");
  if (printMedia.addEventListener) { printMedia.addEventListener("change", resizeAll); }

  var printButton = document.querySelector('[data-action="print"]');
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
}());
