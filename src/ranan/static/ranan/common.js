// Behaviour every page shares, in a file rather than inline handlers: the
// Content-Security-Policy runs no inline script (settings.CONTENT_SECURITY_POLICY).
//   <select data-autosubmit>      submits its form when the choice changes;
//   <form data-confirm="question"> asks the question before it submits.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
