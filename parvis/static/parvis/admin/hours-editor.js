/* Opening-hours editor of the back office (see parvis/core/widgets.py).
 * The weekly grid writes the OpenStreetMap value into the raw input; the raw input,
 * when edited by hand, is sent to the server preview which answers the grid (or null
 * when the value is too complex for it) and the preview of the next seven days.
 * grid -> value follows parvis.core.hours.grid.grid_to_value exactly. */
(function () {
  "use strict";

  var DAY_CODES = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

  function minutes(text) {
    var parts = text.split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }

  function clock(total) {
    var hours = Math.floor(total / 60);
    var rest = total % 60;
    return (hours < 10 ? "0" : "") + hours + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function runs(indexes) {
    var result = [];
    indexes.forEach(function (index) {
      var last = result[result.length - 1];
      if (last && last[1] === index - 1) {
        last[1] = index;
      } else {
        result.push([index, index]);
      }
    });
    return result;
  }

  function gridToValue(grid) {
    var groups = [];
    var byKey = {};
    grid.days.forEach(function (spans, index) {
      if (!spans.length) {
        return;
      }
      var key = spans.map(function (span) { return span[0] + "-" + span[1]; }).join(",");
      if (!(key in byKey)) {
        byKey[key] = { key: key, indexes: [] };
        groups.push(byKey[key]);
      }
      byKey[key].indexes.push(index);
    });
    var rules = groups.map(function (group) {
      var parts = [];
      runs(group.indexes).forEach(function (run) {
        if (run[1] - run[0] >= 2) {
          parts.push(DAY_CODES[run[0]] + "-" + DAY_CODES[run[1]]);
        } else {
          for (var day = run[0]; day <= run[1]; day += 1) {
            parts.push(DAY_CODES[day]);
          }
        }
      });
      return parts.join(",") + " " + group.key;
    });
    if (!rules.length) {
      return "";
    }
    if (grid.ph_closed) {
      rules.push("PH off");
    }
    return rules.join("; ");
  }

  function init(root) {
    if (root.dataset.hoursReady) {
      return;
    }
    var editor = root.querySelector("[data-grid-editor]");
    var raw = root.querySelector(".parvis-hours__raw");
    var unsupported = root.querySelector("[data-unsupported]");
    var gridError = root.querySelector("[data-grid-error]");
    var preview = root.querySelector("[data-preview]");
    var template = root.querySelector("[data-range-template]");
    var phSelect = root.querySelector("[data-ph]");
    if (!editor || !raw || !unsupported || !gridError || !preview || !template || !phSelect) {
      return; // not complete yet (still being parsed or inserted): a later pass sets it up
    }
    root.dataset.hoursReady = "1";
    var url = root.dataset.previewUrl;
    var timer = null;
    var request = 0;

    function dayRows() {
      return Array.prototype.slice.call(editor.querySelectorAll("[data-day]"));
    }

    function updateClosed(row) {
      var empty = !row.querySelector("[data-ranges] li");
      row.classList.toggle("parvis-hours__day--closed", empty);
      row.querySelector("[data-close]").hidden = empty;
    }

    function addRange(row, start, end, focus) {
      var item = template.content.firstElementChild.cloneNode(true);
      var startInput = item.querySelector("[data-start]");
      var endInput = item.querySelector("[data-end]");
      startInput.value = start || "";
      endInput.value = end || "";
      startInput.setAttribute("aria-describedby", row.querySelector(".parvis-hours__day-name").id);
      endInput.setAttribute("aria-describedby", row.querySelector(".parvis-hours__day-name").id);
      row.querySelector("[data-ranges]").appendChild(item);
      updateClosed(row);
      if (focus) {
        startInput.focus();
      }
    }

    function fillGrid(grid) {
      dayRows().forEach(function (row, index) {
        row.querySelector("[data-ranges]").innerHTML = "";
        grid.days[index].forEach(function (span) {
          addRange(row, span[0], span[1], false);
        });
        updateClosed(row);
      });
      phSelect.value = grid.ph_closed ? "off" : "open";
    }

    function readGrid() {
      var valid = true;
      var days = dayRows().map(function (row) {
        var spans = [];
        row.querySelectorAll("[data-ranges] li").forEach(function (item) {
          var startInput = item.querySelector("[data-start]");
          var endInput = item.querySelector("[data-end]");
          var start = startInput.value;
          var end = endInput.value === "00:00" ? "24:00" : endInput.value;
          var ok = start && end && minutes(start) < minutes(end);
          startInput.setAttribute("aria-invalid", ok ? "false" : "true");
          endInput.setAttribute("aria-invalid", ok ? "false" : "true");
          if (ok) {
            spans.push([start, end]);
          } else {
            valid = false;
          }
        });
        spans.sort(function (a, b) { return minutes(a[0]) - minutes(b[0]); });
        for (var i = 1; i < spans.length; i += 1) {
          if (minutes(spans[i][0]) <= minutes(spans[i - 1][1])) {
            valid = false;
          }
        }
        return spans;
      });
      return valid ? { days: days, ph_closed: phSelect.value === "off" } : null;
    }

    function showGrid(grid) {
      if (grid) {
        editor.hidden = false;
        unsupported.hidden = true;
        fillGrid(grid);
      } else {
        editor.hidden = true;
        unsupported.hidden = false;
      }
    }

    function refreshPreview(fromRaw) {
      if (!url) {
        return;
      }
      var number = ++request;
      var query = url + "?value=" + encodeURIComponent(raw.value);
      fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || number !== request) {
            return;
          }
          preview.innerHTML = data.html;
          if (fromRaw && data.valid) {
            showGrid(data.grid || (raw.value.trim() ? null : { days: [[], [], [], [], [], [], []], ph_closed: true }));
          }
          raw.setAttribute("aria-invalid", data.valid ? "false" : "true");
        })
        .catch(function () { /* the preview is a comfort: the form still validates on save */ });
    }

    function schedule(fromRaw) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { refreshPreview(fromRaw); }, 300);
    }

    function gridChanged() {
      var grid = readGrid();
      gridError.hidden = Boolean(grid);
      if (!grid) {
        return;
      }
      raw.value = gridToValue(grid);
      raw.dispatchEvent(new Event("change", { bubbles: true }));
      schedule(false);
    }

    editor.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) {
        return;
      }
      var row = button.closest("[data-day]");
      if (button.hasAttribute("data-add")) {
        var last = row.querySelector("[data-ranges] li:last-child [data-end]");
        var start = "09:00";
        var end = "12:00";
        if (last) {
          var from = last.value ? minutes(last.value) + 60 : 24 * 60;
          start = from <= 22 * 60 ? clock(from) : "";
          end = start ? clock(Math.min(from + 180, 24 * 60 - 5)) : "";
        }
        addRange(row, start, end, true);
        if (start) {
          gridChanged();
        }
      } else if (button.hasAttribute("data-remove")) {
        var item = button.closest("li");
        item.parentNode.removeChild(item);
        updateClosed(row);
        row.querySelector("[data-add]").focus();
        gridChanged();
      } else if (button.hasAttribute("data-close")) {
        row.querySelector("[data-ranges]").innerHTML = "";
        updateClosed(row);
        row.querySelector("[data-add]").focus();
        gridChanged();
      }
    });
    editor.addEventListener("change", gridChanged);
    raw.addEventListener("input", function () { schedule(true); });

    var initial = root.dataset.grid;
    if (initial) {
      showGrid(JSON.parse(initial));
    } else if (!raw.value.trim()) {
      showGrid({ days: [[], [], [], [], [], [], []], ph_closed: true });
    } else {
      showGrid(null);
    }
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-hours-editor]").forEach(init);
  }

  // Editors added later (inline forms of the admin) are set up when they appear; the
  // observer starts once the page is parsed, so that no editor is set up half-parsed.
  function start() {
    initAll();
    new MutationObserver(function () { initAll(); }).observe(document.documentElement, {
      childList: true,
      subtree: true,
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
