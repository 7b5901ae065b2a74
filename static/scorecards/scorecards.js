// Draws Plotly figures embedded with json_script; each chart sits beside a data table with the same figures.
(function () {
  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-figure]").forEach(function (box) {
      if (box.dataset.drawn) { return; }
      var source = document.getElementById(box.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
      box.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
