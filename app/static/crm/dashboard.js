/* Dashboard charts (Chart.js, vendored): each <canvas data-chart> holds its own figures. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var colours = ["#2f6fab", "#2e7d32", "#f9a825", "#c62828"];
  var numbers = new Intl.NumberFormat("fr-FR");
  document.querySelectorAll("canvas.crm-chart").forEach(function (canvas) {
    var spec = JSON.parse(canvas.dataset.chart);
    var labels = spec.labels.map(function (label) {  /* 2026-03-30 -> 30/03 */
      return /^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(8, 10) + "/" + label.slice(5, 7) : label;
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: labels, datasets: spec.series.map(function (series, index) {
        return {label: series.label, data: series.data, borderColor: colours[index],
                backgroundColor: spec.type === "bar" ? colours : colours[index], tension: 0.2};
      })},
      options: {locale: "fr-FR", animation: false, plugins: {legend: {display: spec.series.length > 1}},
                scales: {y: {beginAtZero: true, ticks: {precision: 0,
                  callback: function (value) { return numbers.format(value); }}}}}
    });
  });
})();
