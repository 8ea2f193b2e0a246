// Behaviour every page may use, wired by data attributes: the Content-Security-Policy forbids
// inline scripts and on...= handlers, so pages say what they need and this file does it.
(function () {
  "use strict";

  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // <form data-action-from="NAME">: go to the URL chosen in the form's field NAME.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.actionFrom) {
      return;
    }
    var field = form.elements.namedItem(form.dataset.actionFrom);
    if (field && field.value) {
      form.action = field.value;
    }
  });
})();
