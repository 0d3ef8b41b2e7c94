/* Hazard pages: each form sent once (a second tap while the first is on its way does
   nothing; the server also answers a repeated client_id with the first result); on the
   form that records a hazard, the grade follows the category and the deadline the grade,
   until the inspector sets them. Plain JavaScript, no framework. */
(function () {
  "use strict";

  function once(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      // Not disabled: a disabled button would not send its name (verify or reject).
      if (event.submitter) { event.submitter.classList.add("btn-loading"); }
    });
    window.addEventListener("pageshow", function () {
      delete form.dataset.sent;
      form.querySelectorAll(".btn-loading").forEach(function (button) {
        button.classList.remove("btn-loading");
      });
    });
  }

  function defaults(form) {
    var category = form.querySelector("select[name=category]");
    var grade = form.querySelector("select[name=grade]");
    var deadline = form.querySelector("input[name=deadline]");
    var hint = form.querySelector("[data-default-grade]");
    if (!category || !grade || !deadline) { return; }
    var deadlines = JSON.parse(form.dataset.deadlines || "{}");
    var gradeLabels = JSON.parse(form.dataset.gradeLabels || "{}");
    var deadlineTouched = Boolean(deadline.value);
    deadline.addEventListener("input", function () { deadlineTouched = true; });

    function currentGrade() {
      if (grade.value) { return grade.value; }
      var option = category.options[category.selectedIndex];
      return option ? option.dataset.grade || "" : "";
    }

    function refresh() {
      var option = category.options[category.selectedIndex];
      var fallback = option ? option.dataset.grade || "" : "";
      if (hint) { hint.textContent = fallback ? gradeLabels[fallback] || fallback : "—"; }
      var g = currentGrade();
      if (!deadlineTouched && g && deadlines[g]) { deadline.value = deadlines[g]; }
    }

    category.addEventListener("change", refresh);
    grade.addEventListener("change", refresh);
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-once]").forEach(once);
    document.querySelectorAll("form[data-hazard-form]").forEach(defaults);
    var first = document.querySelector("[data-first-error]");
    if (first) { first.scrollIntoView({ block: "center" }); }
  });
})();
