/* Parvis — bookings pages. Enhancements only: everything works without this script.
   - Calendar: arrow keys move between the days that have something free
     (left/right: previous/next day, up/down: same weekday a week before/after,
     Home/End: first/last free day of the month).
   - Participants: the name fields show only when « Une autre personne » is chosen.
   - Enter in a participant field submits the registration, not the « update the number
     of participants » button that comes first in the form. */
(function () {
  "use strict";

  // --- Calendar keyboard ------------------------------------------------------------------
  function dateOf(link) {
    var parts = link.getAttribute("data-date").split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]);
  }

  var DAY = 86400000;

  Array.prototype.forEach.call(document.querySelectorAll("[data-calendar]"), function (list) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a[data-date]"));
    if (!links.length) {
      return;
    }
    list.addEventListener("keydown", function (event) {
      var index = links.indexOf(event.target);
      if (index < 0) {
        return;
      }
      var target = null;
      var here = dateOf(links[index]);
      switch (event.key) {
        case "ArrowRight":
          target = links[index + 1];
          break;
        case "ArrowLeft":
          target = links[index - 1];
          break;
        case "ArrowDown":
          target = links.filter(function (link) { return dateOf(link) >= here + 7 * DAY; })[0];
          break;
        case "ArrowUp":
          target = links.filter(function (link) { return dateOf(link) <= here - 7 * DAY; }).pop();
          break;
        case "Home":
          target = links[0];
          break;
        case "End":
          target = links[links.length - 1];
          break;
        default:
          return;
      }
      if (target) {
        target.focus();
      }
      event.preventDefault();
    });
  });

  // --- Participants: names only for someone else ----------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-participant]"), function (block) {
    var names = block.querySelector("[data-other-names]");
    var radios = block.querySelectorAll(".choices--who input[type=radio]");
    if (!names || !radios.length) {
      return;
    }
    function sync() {
      var other = block.querySelector(".choices--who input[type=radio][value=other]");
      var hasErrors = names.querySelector(".field--error");
      names.hidden = !(other && other.checked) && !hasErrors;
    }
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", sync);
    });
    sync();
  });

  // --- Enter submits the registration -----------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("[data-participants-form]"), function (form) {
    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (event.key !== "Enter" || field.tagName !== "INPUT" || field.type === "submit") {
        return;
      }
      var main = form.querySelector(".actions button[type=submit]");
      if (main) {
        event.preventDefault();
        main.click();
      }
    });
  });
})();
