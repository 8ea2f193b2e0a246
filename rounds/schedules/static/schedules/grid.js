// The draft rotation grid sends each row's choices once, in a <template id="menu-…">, and each
// cell's <select data-menu="menu-…"> with only its current value: a year of 13 blocks would
// otherwise repeat every rotation in every cell. Here every such menu gets the row's choices,
// on the first page load and on every grid htmx swaps in, keeping the cell's current value.
(function () {
  "use strict";

  function fill(select) {
    var menu = document.getElementById(select.getAttribute("data-menu"));
    if (!menu) return;
    var value = select.value;
    var choices = menu.content.cloneNode(true);
    if (value) {
      choices.querySelectorAll("option").forEach(function (option) {
        if (option.value === value) {
          // The row's own copy keeps the menu in order: the cell's copy goes.
          option.selected = true;
          select.querySelectorAll("option").forEach(function (own) {
            if (own.value === value) own.remove();
          });
        }
      });
    }
    select.appendChild(choices);
    select.value = value;
    select.removeAttribute("data-menu");
  }

  function fillAll(root) {
    root.querySelectorAll("select[data-menu]").forEach(fill);
  }

  if (window.htmx) {
    window.htmx.onLoad(fillAll);
  } else {
    document.addEventListener("DOMContentLoaded", function () { fillAll(document); });
  }
})();
