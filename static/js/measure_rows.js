// An item's measure rows (templates/ledger/_measure_rows.html): add a row from the template,
// remove one (its DELETE box is ticked and the row hidden, so the server drops it), and keep
// the visible rows numbered 1. 2. … as they will be saved.
(function () {
  "use strict";
  document.querySelectorAll("[data-measure-rows]").forEach(function (box) {
    var prefix = box.getAttribute("data-prefix");
    var list = box.querySelector("[data-measure-list]");
    var template = box.querySelector("template[data-measure-template]");
    var total = box.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");

    function renumber() {
      var number = 0;
      list.querySelectorAll("[data-measure-row]").forEach(function (row) {
        if (row.hidden) { return; }
        number += 1;
        row.querySelector("[data-measure-number]").textContent = number + ".";
        row.querySelector("textarea").setAttribute("aria-label", "第" + number + "条整改措施");
      });
    }

    box.querySelector("[data-action='add-measure']").addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("ol");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      list.appendChild(row);
      total.value = String(index + 1);
      renumber();
      row.querySelector("textarea").focus();
    });

    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action='remove-measure']");
      if (!button) { return; }
      var row = button.closest("[data-measure-row]");
      var flag = row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (flag) { flag.checked = true; }
      row.hidden = true;
      renumber();
    });

    renumber();
  });
})();
