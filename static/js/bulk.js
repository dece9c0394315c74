// The item list's bulk bar: show only the controls the chosen action needs.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=action]");
  function update() {
    form.querySelectorAll("[data-bulk-for]").forEach(function (element) {
      var wanted = element.getAttribute("data-bulk-for").split(" ").indexOf(select.value) >= 0;
      element.hidden = !wanted;
      element.querySelectorAll("input, select").forEach(function (input) { input.disabled = !wanted; });
    });
  }
  select.addEventListener("change", update);
  update();
})();
