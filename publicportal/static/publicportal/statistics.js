// Charts of the statistics page, drawn with Apache ECharts from the page's own JSON.
(function () {
  "use strict";
  function draw() {
    var data = JSON.parse(document.getElementById("statistics-data").textContent);
    var labels = JSON.parse(document.getElementById("statistics-labels").textContent);
    if (!window.echarts || !data.rows.length) return;
    var names = data.rows.map(function (row) { return row.label || row.key; });
    var number = function (field) {
      return data.rows.map(function (row) { return row[field] === null ? null : Number(row[field]); });
    };
    echarts.init(document.getElementById("chart-amounts")).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [labels.budget, labels.award] },
      xAxis: { type: "category", data: names },
      yAxis: { type: "value" },
      series: [
        { name: labels.budget, type: "bar", data: number("awarded_budget") },
        { name: labels.award, type: "bar", data: number("award_amount") }
      ]
    });
    // The transfers (land, mining, equity): starting and deal prices of those sold, premium rate.
    echarts.init(document.getElementById("chart-transfers")).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [labels.starting, labels.deal, labels.premium] },
      xAxis: { type: "category", data: names },
      yAxis: [
        { type: "value" },
        { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } }
      ],
      series: [
        { name: labels.starting, type: "bar", data: number("sold_starting_amount") },
        { name: labels.deal, type: "bar", data: number("deal_amount") },
        { name: labels.premium, type: "line", yAxisIndex: 1, data: number("premium_rate") }
      ]
    });
    echarts.init(document.getElementById("chart-rates")).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [labels.savings, labels.bidders] },
      xAxis: { type: "category", data: names },
      yAxis: [
        { type: "value", axisLabel: { formatter: function (v) { return Math.round(v * 100) + "%"; } } },
        { type: "value" }
      ],
      series: [
        { name: labels.savings, type: data.group_by === "month" ? "line" : "bar", data: number("savings_rate") },
        { name: labels.bidders, type: "line", yAxisIndex: 1, data: number("average_bidders") }
      ]
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
