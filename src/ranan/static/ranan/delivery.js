/* Delivery forms: Enter in a cylinder code box (typed, or sent by a barcode reader that
   ends with Enter) moves to the next box instead of sending the form; a form marked
   data-one-submit is sent once (the visit form's own script guards the delivery form).
   Plain JavaScript, no framework. */
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || !box.matches || !box.matches("[data-code-input]")) { return; }
    event.preventDefault();
    var boxes = Array.prototype.slice.call(box.form.querySelectorAll("[data-code-input]"));
    var next = boxes[boxes.indexOf(box) + 1];
    if (next) {
      next.focus();
    } else {
      box.blur();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-one-submit]")) { return; }
    if (form.dataset.sent) {
      event.preventDefault();  // a second tap while the first is on its way
      return;
    }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.classList.add("btn-loading");
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-one-submit]").forEach(function (form) {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.classList.remove("btn-loading");
      });
    });
  });
})();
