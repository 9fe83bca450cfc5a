/* Session charting: the clickable face map and the consent signature pad.
   Loaded as a static file (the CSP allows no inline script). Works with htmx swaps:
   the face map uses event delegation, so a swapped zone panel needs no re-binding. */
(function () {
  "use strict";

  // ---- face map: clicking a zone picks it in the chart form
  function pickZone(shape) {
    var panel = shape.closest("#zone-panel");
    if (!panel) { return; }
    var select = panel.querySelector("select[name=zone]");
    if (!select) { return; }
    select.value = shape.dataset.zone;
    panel.querySelectorAll(".zone.selected").forEach(function (other) {
      other.classList.remove("selected");
    });
    panel.querySelectorAll('.zone[data-zone="' + shape.dataset.zone + '"]').forEach(function (same) {
      same.classList.add("selected");
    });
    var hint = panel.querySelector("#zone-hint");
    if (hint) {
      hint.textContent = shape.dataset.title + ": " + shape.dataset.min + "–" + shape.dataset.max +
        " mm in this clinic's profile.";
    }
    var depth = panel.querySelector("input[name=depth_mm]");
    if (depth) { depth.focus(); }
  }

  // Zones are links (?zone=<id>#zone-form) so they work without script; with it, the zone
  // is picked in place and the page does not reload.
  document.addEventListener("click", function (event) {
    var shape = event.target.closest && event.target.closest(".face-map .zone");
    if (shape) { event.preventDefault(); pickZone(shape); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    var shape = event.target.closest && event.target.closest(".face-map .zone");
    if (shape) { event.preventDefault(); pickZone(shape); }
  });
  // Choosing from the list highlights the zone on the map too.
  document.addEventListener("change", function (event) {
    if (event.target.name !== "zone") { return; }
    var panel = event.target.closest("#zone-panel");
    var shape = panel && panel.querySelector('.zone[data-zone="' + event.target.value + '"]');
    if (shape) { pickZone(shape); }
  });

  // After "Save zone" the panel is swapped: focus goes to the status line that says what was
  // saved, or to the first field with an error, never back to the top of the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail && event.detail.target;
    if (!panel || !document.body.contains(panel)) { panel = document.getElementById("zone-panel"); }
    if (!panel || panel.id !== "zone-panel") { return; }
    var target = panel.querySelector("[data-focus-after-swap]") ||
      panel.querySelector(".has-error input, .has-error select") ||
      panel.querySelector("#zone-status");
    if (target) { target.focus(); }
  });

  // ---- consent: signature pad and the drawn / typed switch
  function setUpConsent(form) {
    var canvas = form.querySelector("canvas.signature-pad");
    var hidden = form.querySelector("input[name=drawn_signature]");
    var strokes = 0;
    var drawing = false;
    var context = canvas.getContext("2d");
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#1d2330";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * canvas.width / box.width,
        y: (event.clientY - box.top) * canvas.height / box.height
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      strokes += 1;
      var at = point(event);
      context.beginPath();
      context.moveTo(at.x, at.y);
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var at = point(event);
      context.lineTo(at.x, at.y);
      context.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      strokes = 0;
      hidden.value = "";
    });

    function chosenMethod() {
      var checked = form.querySelector("input[name=method]:checked");
      return checked ? checked.value : "drawn";
    }
    function showMethod() {
      var method = chosenMethod();
      form.querySelectorAll("[data-method-panel]").forEach(function (panel) {
        panel.hidden = panel.dataset.methodPanel !== method;
      });
    }
    form.querySelectorAll("input[name=method]").forEach(function (radio) {
      radio.addEventListener("change", showMethod);
    });
    showMethod();

    form.addEventListener("submit", function () {
      hidden.value = chosenMethod() === "drawn" && strokes > 0 ? canvas.toDataURL("image/png") : "";
    });
  }

  function ready() {
    document.querySelectorAll("form.consent-form").forEach(setUpConsent);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
