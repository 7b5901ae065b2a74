// The monthly update grid: a status preview as a value is typed (from the bands the page gives each
// row; the server decides on save), the red commentary fields only when the value is red, Enter
// and the arrow keys down the value column, and the page position kept across a save.
(function () {
  "use strict";

  function parseNumber(text) {
    var cleaned = text.replace(/[%£\s]/g, "");
    if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(cleaned)) { cleaned = cleaned.replace(/,/g, ""); }
    if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(cleaned)) { return null; }
    return parseFloat(cleaned);
  }

  function statusOf(row, value) {
    if (value === null) { return "unknown"; }
    if (row.dataset.polarity === "data") { return "data"; }
    if (row.dataset.target === undefined) { return "unknown"; }
    var target = parseFloat(row.dataset.target);
    var band = parseFloat(row.dataset.band || "0");
    var shortfall = row.dataset.polarity === "up" ? target - value : value - target;
    if (shortfall <= 0) { return "green"; }
    if (shortfall <= band) { return "amber"; }
    return "red";
  }

  var CSS = { green: "green", amber: "amber", red: "red", data: "grey", unknown: "grey" };

  function preview(row, labels) {
    var input = row.querySelector("[data-value-cell]");
    var badge = row.querySelector("[data-status-preview]");
    var red = row.querySelector("[data-red-fields]");
    if (!input || !badge) { return; }
    var status = statusOf(row, parseNumber(input.value));
    var span = document.createElement("span");
    span.className = "status status--" + CSS[status];
    span.textContent = labels[status];
    badge.replaceChildren(span);
    if (red) {
      var hasError = red.querySelector(".field--error") !== null;
      red.hidden = status !== "red" && !hasError;
    }
  }

  function moveDown(cells, input, step) {
    var index = cells.indexOf(input);
    var next = cells[index + step];
    if (next) { next.focus(); next.select(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.update-grid");
    var labelsNode = document.getElementById("status-labels");
    if (!form || !labelsNode) { return; }
    var labels = JSON.parse(labelsNode.textContent);
    var cells = Array.prototype.slice.call(form.querySelectorAll("[data-value-cell]"));

    cells.forEach(function (input) {
      var row = input.closest(".pi-row");
      input.addEventListener("input", function () { preview(row, labels); });
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === "ArrowDown") {
          event.preventDefault();
          moveDown(cells, input, 1);
        } else if (event.key === "ArrowUp") {
          event.preventDefault();
          moveDown(cells, input, -1);
        }
      });
    });

    var key = "update-grid-position:" + window.location.pathname + window.location.search;
    form.addEventListener("submit", function () {
      window.sessionStorage.setItem(key, String(window.scrollY));
    });
    var summary = document.querySelector(".error-summary");
    var saved = window.sessionStorage.getItem(key);
    window.sessionStorage.removeItem(key);
    if (summary) {
      summary.focus();
    } else if (saved !== null) {
      window.scrollTo(0, parseInt(saved, 10));
    }
  });
})();
