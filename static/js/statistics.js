/* Charts of /statistiques/ (Chart.js, served by the site). Progressive enhancement:
   each chart's data is also the table under it, readable without JavaScript; the
   canvas is shown only once Chart.js has drawn it. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var source = document.getElementById("statistics-charts");
  if (!source) { return; }
  var charts = JSON.parse(source.textContent);
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = charts[canvas.getAttribute("data-chart")];
    if (!data || !data.values.length) { return; }
    var horizontal = data.type === "bar" && data.labels.length > 6;
    canvas.parentNode.hidden = false;
    if (horizontal) { canvas.parentNode.style.height = Math.max(220, data.labels.length * 28) + "px"; }
    new Chart(canvas, {
      type: data.type,
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.values,
          backgroundColor: "#16345c",
          borderColor: "#16345c",
          tension: 0.2,
          fill: false
        }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: !horizontal,
        animation: reduced ? false : undefined,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } }
      }
    });
  });
})();
