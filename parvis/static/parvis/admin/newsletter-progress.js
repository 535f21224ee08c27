// Progress bar of a campaign being sent: polls the JSON endpoint every 3 seconds.
(function () {
  "use strict";
  function init(root) {
    var url = root.getAttribute("data-url");
    var bar = root.querySelector("progress");
    var label = root.querySelector("[data-progress-label]");
    function poll() {
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var stats = data.stats || {};
          var progress = Math.round(stats.progress || 0);
          bar.value = progress;
          bar.textContent = progress + " %";
          label.textContent = progress + " % – " + data.status_label;
          Object.keys(stats).forEach(function (key) {
            var cell = root.querySelector("[data-stat=" + key + "]");
            if (cell) { cell.textContent = stats[key]; }
          });
          if (data.status === "sending") { window.setTimeout(poll, 3000); }
        });
    }
    if (root.hasAttribute("data-poll")) { window.setTimeout(poll, 1000); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-newsletter-progress]").forEach(init);
  });
})();
