/* Clinical photographs. Loaded as a static file (the CSP allows no inline script); every
   page works without it: the capture form uploads, the comparison shows side by side. */
(function () {
  "use strict";

  // ---- capture: preview the chosen photo under a half-transparent ghost of the baseline
  function showPreview(input) {
    var card = input.closest(".capture-card");
    if (!card || !input.files || !input.files[0]) { return; }
    var stage = card.querySelector("[data-ghost-stage]");
    var preview = stage && stage.querySelector(".ghost-preview");
    if (!preview) { return; }
    var reader = new FileReader();  // a data: URL (the CSP allows data: images, not blob:)
    reader.onload = function () {
      preview.src = reader.result;
      preview.hidden = false;
      if (stage.querySelector(".ghost-reference")) {
        stage.classList.add("ghosting");
        var control = card.querySelector("[data-ghost-control]");
        if (control) { control.hidden = false; }
      }
    };
    reader.readAsDataURL(input.files[0]);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[data-photo-input]")) {
      showPreview(event.target);
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.closest("[data-ghost-control]")) {
      var card = target.closest(".capture-card");
      var ghost = card && card.querySelector(".ghost-reference img");
      if (ghost) { ghost.style.opacity = String(target.value / 100); }
    }
    if (target.matches("[data-compare-range]")) { reveal(target); }
  });

  // ---- compare: the slider shows the "before" photo left of the handle, "after" right
  function reveal(range) {
    var slider = range.closest("[data-compare-slider]");
    var before = slider && slider.querySelector(".slider-before");
    if (before) { before.style.clipPath = "inset(0 " + (100 - range.value) + "% 0 0)"; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-compare-slider]").forEach(function (slider) {
      slider.hidden = false;
      var range = slider.querySelector("[data-compare-range]");
      if (range) { reveal(range); }
    });
  });
})();
