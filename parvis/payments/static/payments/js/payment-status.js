/* Payment return page: while the server still waits for the provider, ask it every few
   seconds (it queries the provider itself) and reload the page once the state is known. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-payment-status-url]");
  if (!holder || !window.fetch) { return; }
  var url = holder.getAttribute("data-payment-status-url");
  var tries = 0;
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && !data.open) { window.location.reload(); return; }
        if (tries < 40) { window.setTimeout(check, Math.min(3000 + tries * 1000, 15000)); }
      })
      .catch(function () { if (tries < 40) { window.setTimeout(check, 10000); } });
  }
  window.setTimeout(check, 3000);
})();
