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

  // ---- live camera (where the browser has one): the baseline ghost lies over the video,
  // so the patient is lined up before the photo is taken; the frame goes into the file input.
  function buttons(card, live) {
    card.querySelector("[data-camera-start]").hidden = live;
    card.querySelector("[data-camera-take]").hidden = !live;
    card.querySelector("[data-camera-stop]").hidden = !live;
  }

  function stopCamera(card) {
    if (card.cameraStream) {
      card.cameraStream.getTracks().forEach(function (track) { track.stop(); });
      card.cameraStream = null;
    }
    if (card.cameraVideo) { card.cameraVideo.remove(); card.cameraVideo = null; }
    buttons(card, false);
  }

  function startCamera(card) {
    var stage = card.querySelector("[data-ghost-stage]");
    var status = card.querySelector(".camera-status");
    status.textContent = "";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        var video = document.createElement("video");
        video.className = "ghost-live";
        video.muted = true;
        video.playsInline = true;
        video.setAttribute("aria-label", "Live camera");
        video.srcObject = stream;
        stage.insertBefore(video, stage.firstChild);
        video.play();
        card.cameraStream = stream;
        card.cameraVideo = video;
        var preview = stage.querySelector(".ghost-preview");
        if (preview) { preview.hidden = true; }
        if (stage.querySelector(".ghost-reference")) {
          stage.classList.add("ghosting");
          var control = card.querySelector("[data-ghost-control]");
          if (control) { control.hidden = false; }
        }
        buttons(card, true);
      })
      .catch(function () {
        status.textContent = "The camera could not be opened; choose or take a photo with the file button.";
      });
  }

  function takePhoto(card) {
    var video = card.cameraVideo;
    if (!video || !video.videoWidth) { return; }
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(function (blob) {
      var input = card.querySelector("input[data-photo-input]");
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], "camera.jpg", { type: "image/jpeg" }));
      input.files = transfer.files;
      stopCamera(card);
      showPreview(input);
      card.querySelector(".camera-status").textContent = "Photo taken: check it, then save.";
    }, "image/jpeg", 0.92);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-live-camera] button");
    if (!button) { return; }
    var card = button.closest(".capture-card");
    if (button.hasAttribute("data-camera-start")) { startCamera(card); }
    if (button.hasAttribute("data-camera-take")) { takePhoto(card); }
    if (button.hasAttribute("data-camera-stop")) { stopCamera(card); }
  });

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
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.DataTransfer) {
      document.querySelectorAll("[data-live-camera]").forEach(function (panel) {
        panel.hidden = false;
      });
    }
    document.querySelectorAll("[data-compare-slider]").forEach(function (slider) {
      slider.hidden = false;
      var range = slider.querySelector("[data-compare-range]");
      if (range) { reveal(range); }
    });
  });
})();
