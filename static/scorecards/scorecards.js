// Draws Plotly figures embedded with json_script; each chart sits beside a data table with the same figures.
(function () {
  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-figure]").forEach(function (box) {
      if (box.dataset.drawn) { return; }
      // A figure comes in its data-figure-json attribute (charts swapped in by htmx) or in the
      // json_script element named by data-figure (charts of the page itself).
      var text = box.dataset.figureJson;
      if (!text) {
        var source = document.getElementById(box.dataset.figure);
        if (!source) { return; }
        text = source.textContent;
      }
      var figure = JSON.parse(text);
      window.Plotly.newPlot(box, figure.data, figure.layout, figure.config);
      box.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
