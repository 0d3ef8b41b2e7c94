/* The visit form: the customer's signature drawn on a canvas (pointer events: finger, pen
   or mouse) into a hidden input as a PNG data URL; the fix and photo controls of an item
   shown when its answer fails; a check before sending so that photos are not lost to an
   avoidable round trip (the server checks everything again); one submit only.
   Plain JavaScript, no framework. Loaded without `defer`: it marks <html> at once. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Once the inspector changes what a message was about, the message goes (the server
  // checks everything again when the form is sent).
  function settle(box) {
    box.classList.remove("has-error");
    box.querySelectorAll("[data-client-error], .invalid-feedback").forEach(function (node) {
      node.hidden = true;
      node.classList.remove("d-block");
    });
  }

  function setupSignature(wrap) {
    var canvas = wrap.querySelector("canvas");
    var input = document.getElementById(canvas.dataset.signatureFor);
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var last = null;
    var shownWidth = 0;

    function style() {
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#1d273b";
      ctx.fillStyle = "#1d273b";
    }

    function restore() {
      if (!input.value) { return; }
      var image = new Image();
      image.onload = function () {
        ctx.drawImage(image, 0, 0, canvas.clientWidth, canvas.clientHeight);
      };
      image.src = input.value;
      wrap.classList.add("is-signed");
    }

    // Size the bitmap to the element (it is 0 wide while the section is hidden); a resize
    // redraws what was signed from the saved PNG.
    function resize() {
      var width = canvas.clientWidth;
      if (!width || width === shownWidth) { return; }
      shownWidth = width;
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, canvas.clientHeight);
      style();
      restore();
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      resize();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = point(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!events.length) { events = [event]; }
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      events.forEach(function (e) {
        last = point(e);
        ctx.lineTo(last.x, last.y);
      });
      ctx.stroke();
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      input.value = canvas.toDataURL("image/png");
      wrap.classList.add("is-signed");
      settle(wrap);
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("lostpointercapture", end);

    wrap.querySelector("[data-signature-clear]").addEventListener("click", function () {
      input.value = "";
      wrap.classList.remove("is-signed");
      shownWidth = 0;
      resize();
    });

    if (window.ResizeObserver) {
      new ResizeObserver(resize).observe(canvas);
    } else {
      window.addEventListener("resize", resize);
    }
    resize();
  }

  function answerOf(item) {
    var type = item.dataset.type;
    if (type === "number") {
      return item.querySelector("input[type=number]").value.trim();
    }
    var checked = item.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  function fails(item) {
    var value = answerOf(item);
    if (value === "") { return false; }
    var type = item.dataset.type;
    if (type === "pass_fail") { return value === "fail"; }
    if (type === "number") {
      var number = parseFloat(value);
      if (isNaN(number)) { return false; }
      var above = item.dataset.failAbove, below = item.dataset.failBelow;
      return (above !== undefined && above !== "" && number > parseFloat(above)) ||
        (below !== undefined && below !== "" && number < parseFloat(below));
    }
    var checked = item.querySelector("input[type=radio]:checked");
    return Boolean(checked && checked.dataset.fails === "1");
  }

  function setupForm(form) {
    var items = Array.prototype.slice.call(form.querySelectorAll(".item[data-item]"));
    var counter = form.querySelector("[data-answered]");

    function refresh(item) {
      item.classList.toggle("is-failed", fails(item));
    }

    function count() {
      if (!counter) { return; }
      var answered = items.filter(function (item) { return answerOf(item) !== ""; }).length;
      counter.textContent = answered + " / " + items.length;
    }

    items.forEach(function (item) {
      refresh(item);
      ["input", "change"].forEach(function (name) {
        item.addEventListener(name, function () { refresh(item); settle(item); count(); });
      });
    });
    count();
    var outcomes = form.querySelector("[data-outcome]");
    outcomes.addEventListener("change", function () { settle(outcomes); });

    function inspected() {
      var outcome = form.querySelector("input[name=outcome]:checked");
      return outcome && outcome.value === "inspected";
    }

    function complain(target, message) {
      var box = target.querySelector("[data-client-error]");
      if (box) {
        box.textContent = message;
        box.hidden = false;
      }
      target.classList.add("has-error");
    }

    form.addEventListener("submit", function (event) {
      var problems = [];
      var outcomeBox = form.querySelector("[data-outcome]");
      if (!form.querySelector("input[name=outcome]:checked")) {
        complain(outcomeBox, form.dataset.msgOutcome);
        problems.push(outcomeBox);
      }
      if (inspected()) {
        items.forEach(function (item) {
          if (item.dataset.required === "1" && answerOf(item) === "") {
            complain(item, form.dataset.msgAnswer);
            problems.push(item);
          } else if (fails(item) && item.dataset.photoOnFail === "1" &&
                     !item.querySelector("input[type=file]").files.length) {
            complain(item, form.dataset.msgPhoto);
            problems.push(item);
          }
        });
        var signature = form.querySelector(".signature-wrap");
        if (signature && !document.getElementById(
          signature.querySelector("canvas").dataset.signatureFor).value) {
          complain(signature, form.dataset.msgSignature);
          problems.push(signature);
        }
      }
      if (problems.length) {
        event.preventDefault();
        problems[0].scrollIntoView({ behavior: "smooth", block: "center" });
        return;
      }
      if (form.dataset.sent) {
        event.preventDefault();  // a second tap while the first is on its way
        return;
      }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.classList.add("btn-loading");
      });
    });
    // Back to a page kept in the browser's memory: it may be sent again (same client_id).
    window.addEventListener("pageshow", function () {
      delete form.dataset.sent;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.classList.remove("btn-loading");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".signature-wrap").forEach(setupSignature);
    document.querySelectorAll("form[data-visit-form]").forEach(setupForm);
    var first = document.querySelector(".has-error, [data-first-error]");
    if (first) { first.scrollIntoView({ block: "center" }); }
  });
})();
