// "Add another" on the questionnaire: with JavaScript a new empty row appears in place
// (the button otherwise posts the answers so far and the page returns with one more row).
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var name = section.getAttribute("data-formset");
    var button = section.querySelector("[data-add-row]");
    var template = section.querySelector("template[data-empty-row]");
    var rows = section.querySelector("[data-rows]");
    var total = section.querySelector('input[name="' + name + '-TOTAL_FORMS"]');
    if (!button || !template || !rows || !total) return;
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });
  });
})();
