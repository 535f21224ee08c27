// Campaign composer: live recipient count (server) and SMS character/segment counter.
// The server's count, shown after saving, is authoritative.
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXT = "\f^{}\\[~]|€";

  // Mirrors parvis.newsletter.sms.encoding.segments(): GSM-7 (160, then 153 septets per
  // segment, an extension character costs 2) or UCS-2 (70, then 67 UTF-16 code units, a
  // character outside the BMP costs 2); a 2-unit character is never split across segments.
  function count(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (c) {
      return GSM.indexOf(c) !== -1 || EXT.indexOf(c) !== -1;
    });
    var costs = chars.map(function (c) {
      if (gsm) { return EXT.indexOf(c) !== -1 ? 2 : 1; }
      return c.length > 1 ? 2 : 1;
    });
    var length = costs.reduce(function (sum, cost) { return sum + cost; }, 0);
    var encoding = gsm ? "GSM-7" : "UCS-2";
    if (length <= (gsm ? 160 : 70)) {
      return { encoding: encoding, chars: length, segments: length ? 1 : 0 };
    }
    var perSegment = gsm ? 153 : 67, segments = 1, filled = 0;
    costs.forEach(function (cost) {
      if (filled + cost > perSegment) { segments += 1; filled = 0; }
      filled += cost;
    });
    return { encoding: encoding, chars: length, segments: segments };
  }

  function init(root) {
    var form = root.closest("form");
    var countUrl = root.getAttribute("data-count-url");
    var output = root.querySelector("[data-recipient-count]");
    var smsOutput = root.querySelector("[data-sms-count]");
    var sms = root.querySelector("[data-sms-counter]");
    var timer = null;
    var latest = 0;
    // The server's text: trailing blanks dropped, then a new line and the STOP mention.
    var stopMention = sms ? sms.getAttribute("data-stop-mention") || "STOP" : "";

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
      var request = ++latest;
      fetch(countUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          // An answer overtaken by a later request must not replace the newer count.
          if (!data || request !== latest) { return; }
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
      var result = count(sms.value.replace(/\s+$/, "") + "\n" + stopMention);
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
