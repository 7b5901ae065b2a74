// Draws the PI chart from the figure the page embeds with json_script; the table is the text alternative.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("pi-chart");
  var data = document.getElementById("pi-chart-data");
  if (!box || !data || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
});
