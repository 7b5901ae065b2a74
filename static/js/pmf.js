// Behaviour every page may use, kept out of the markup so the Content-Security-Policy can forbid
// inline script: buttons marked data-print print the page; elements with data-background /
// data-colour take those colours (configured band colours, set through the style object, which
// the policy allows, rather than a style attribute, which it does not).
(function () {
  "use strict";

  function apply(root) {
    root.querySelectorAll("[data-background]").forEach(function (element) {
      element.style.background = element.dataset.background;
    });
    root.querySelectorAll("[data-colour]").forEach(function (element) {
      element.style.color = element.dataset.colour;
    });
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    apply(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    apply(event.target);
  });
})();
