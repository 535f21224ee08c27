/* Parvis — the poster's "print" button (hidden without JavaScript: the browser's own
   print command does the same). */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
