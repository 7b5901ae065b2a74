// Draws a risk's score history from the figure the page embeds with json_script; the table of
// reviews below the chart is its text alternative.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("risk-chart");
  var data = document.getElementById("risk-chart-data");
  if (!box || !data || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
});
