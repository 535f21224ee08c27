/* Parvis — /api/docs: what Swagger UI's markup lacks for keyboard and screen-reader users,
   added as it draws: its scrollable code blocks become reachable with Tab, and its
   parameter selects get the parameter's name as label, its icon-only copy buttons a name.
   No dependency. */
(function () {
  "use strict";

  var root = document.getElementById("swagger-ui");
  if (!root || !window.MutationObserver) {
    return;
  }

  var COPY_LABEL = document.documentElement.lang === "fr" ? "Copier" : "Copy";

  function fix() {
    Array.prototype.forEach.call(
      root.querySelectorAll(".copy-to-clipboard > button:not([aria-label])"),
      function (button) {
        if (!button.textContent.trim()) {
          button.setAttribute("aria-label", COPY_LABEL);
        }
      }
    );
    Array.prototype.forEach.call(root.querySelectorAll("pre.microlight:not([tabindex])"), function (pre) {
      pre.setAttribute("tabindex", "0");
    });
    Array.prototype.forEach.call(
      root.querySelectorAll("tr[data-param-name] select:not([aria-label])"),
      function (select) {
        select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
      }
    );
  }

  var pending = false;
  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fix();
      });
    }
  }).observe(root, { childList: true, subtree: true });
})();
