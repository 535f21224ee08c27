// Campaign composer: live recipient count (server) and SMS character/segment counter.
// The server's count, shown after saving, is authoritative.
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXT = "\f^{}\\[~]|€";

  function count(text) {
    var septets = 0, gsm = true, units = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (GSM.indexOf(c) !== -1) { septets += 1; }
      else if (EXT.indexOf(c) !== -1) { septets += 2; }
      else { gsm = false; }
    }
    units = text.length; // UTF-16 code units: an emoji counts 2
    if (gsm) {
      return { encoding: "GSM-7", chars: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
    }
    return { encoding: "UCS-2", chars: units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
  }

  function init(root) {
    var form = root.closest("form");
    var countUrl = root.getAttribute("data-count-url");
    var output = root.querySelector("[data-recipient-count]");
    var smsOutput = root.querySelector("[data-sms-count]");
    var sms = root.querySelector("[data-sms-counter]");
    var timer = null;

    function channel() {
      var checked = form.querySelector("input[name=channel]:checked");
      return checked ? checked.value : root.getAttribute("data-channel") || "email";
    }

    function showParts() {
      var current = channel();
      root.querySelectorAll("[data-channel-part]").forEach(function (part) {
        part.hidden = part.getAttribute("data-channel-part") !== current;
      });
    }

    function refresh() {
      var params = new URLSearchParams();
      params.append("channel", channel());
      ["topics", "neighbourhoods", "lists"].forEach(function (name) {
        form.querySelectorAll("input[name=" + name + "]:checked").forEach(function (box) {
          params.append(name, box.value);
        });
      });
      if (sms) { params.append("sms_text", sms.value); }
      fetch(countUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var text = "Nombre de destinataires : " + data.recipients + ".";
          if (data.sms) {
            text += " Coût : " + data.sms.total + " segments SMS, il en reste " +
              data.sms.remaining + " sur " + data.sms.limit + " ce mois-ci.";
            if (data.sms.over_quota) { text += " Quota insuffisant."; }
          }
          output.textContent = text;
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    }

    function smsCount() {
      if (!sms || !smsOutput) { return; }
      var result = count(sms.value + "\nSTOP");
      smsOutput.textContent = result.encoding + " : " + result.chars + " caractères, " +
        result.segments + " segment(s) par SMS (estimation, mention STOP comprise).";
    }

    form.addEventListener("change", function () { showParts(); schedule(); });
    if (sms) { sms.addEventListener("input", function () { smsCount(); schedule(); }); }
    showParts();
    smsCount();
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-newsletter-composer]").forEach(init);
  });
})();
