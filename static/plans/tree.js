// Plan tree: a branch's button shows or hides the items below it (htmx loads them on the first
// click); the button sits beside the row's links, never around them.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".plan-toggle");
  if (!toggle) { return; }
  var children = document.getElementById(toggle.getAttribute("aria-controls"));
  var open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  if (children) { children.hidden = !open; }
});
