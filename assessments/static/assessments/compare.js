// Draws the comparison chart from the figure the page embeds with json_script; the table below is
// the same figures as text.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("compare-chart");
  var data = document.getElementById("compare-chart-data");
  if (!box || !data || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
});
