// The console's only script: confirmations, "select all", and the poster's print button.
// Loaded from our own origin (the Content-Security-Policy allows no inline script).
"use strict";

document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = button && button.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

document.addEventListener("change", function (event) {
  var box = event.target;
  var name = box.getAttribute && box.getAttribute("data-select-all");
  if (!name) return;
  box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
    item.checked = box.checked;
  });
});

document.addEventListener("click", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-print")) {
    window.print();
  }
});
