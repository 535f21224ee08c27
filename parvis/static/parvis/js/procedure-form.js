/* Parvis — the pages of a procedure's form.

   1. Conditional fields: an element with data-show-if-name / data-show-if-value /
      data-show-if-type is shown only while the input named data-show-if-name has that
      value (empty value: « has any value »; for a checkbox « oui » / « non »). A hidden
      field's inputs are disabled, so they are not sent; its note « À remplir seulement
      si … » (data-condition-note) is only for visitors without script and is hidden here.
   2. A local copy: what is typed in a form marked data-procedure-form with a
      data-storage-key is kept in localStorage (per procedure and version), with the
      data-saved-at of the page it was typed on. When the page comes back with the same
      data-saved-at (the server has not saved anything newer: an expired session, a lost
      connection), the copy is put back in the empty page and the form gets
      data-restored="<number of fields>" and the note [data-restored-note] is shown.
      An element with data-procedure-clear="<key>" (the confirmation page) removes it.
   3. Address with a point: [data-point-map] becomes a Leaflet map when Leaflet and a
      tile URL are present; a click fills the [data-point-lat] / [data-point-lon] inputs.
   The form works without any of this. */
(function () {
  "use strict";

  var TRUE_WORDS = ["oui", "yes", "true", "1", "vrai", "coché", "cochée", "x", "on"];
  var SKIPPED = ["csrfmiddlewaretoken", "action"];

  function storage() {
    try {
      var probe = "__parvis__";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function inputsNamed(form, name) {
    var found = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name === name) {
        found.push(element);
      }
    });
    return found;
  }

  function isShown(element) {
    var node = element;
    while (node && node !== document.body) {
      if (node.hidden) {
        return false;
      }
      node = node.parentElement;
    }
    return true;
  }

  function currentValues(form, name) {
    var values = [];
    inputsNamed(form, name).forEach(function (input) {
      if (input.disabled || !isShown(input)) {
        return;
      }
      if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) {
          values.push(input.type === "checkbox" && input.value === "on" ? "oui" : input.value);
        }
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function matches(form, element) {
    var name = element.getAttribute("data-show-if-name");
    var expected = (element.getAttribute("data-show-if-value") || "").trim().toLowerCase();
    var type = element.getAttribute("data-show-if-type");
    var values = currentValues(form, name).map(function (value) {
      return value.toLowerCase();
    });
    if (type === "checkbox") {
      var checked = values.length > 0;
      var wanted = TRUE_WORDS.indexOf(expected) !== -1;
      return expected === "" ? checked : checked === wanted;
    }
    if (expected === "") {
      return values.length > 0;
    }
    return values.indexOf(expected) !== -1;
  }

  function setControlsDisabled(element, disabled) {
    element.querySelectorAll("input, select, textarea, button").forEach(function (control) {
      if (disabled) {
        if (!control.disabled) {
          control.disabled = true;
          control.setAttribute("data-disabled-by-condition", "");
        }
      } else if (control.hasAttribute("data-disabled-by-condition")) {
        control.disabled = false;
        control.removeAttribute("data-disabled-by-condition");
      }
    });
  }

  function applyConditions(form) {
    var conditional = form.querySelectorAll("[data-show-if-name]");
    // Conditions point backwards: one pass in document order settles chains.
    conditional.forEach(function (element) {
      var show = matches(form, element);
      element.hidden = !show;
      setControlsDisabled(element, !show);
    });
  }

  function setupConditions(form) {
    var conditional = form.querySelectorAll("[data-show-if-name]");
    if (!conditional.length) {
      return;
    }
    form.querySelectorAll("[data-condition-note]").forEach(function (note) {
      note.hidden = true;
    });
    applyConditions(form);
    form.addEventListener("change", function () {
      applyConditions(form);
    });
    form.addEventListener("input", function () {
      applyConditions(form);
    });
  }

  function collect(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || SKIPPED.indexOf(name) !== -1 || element.type === "file") {
        return;
      }
      if (element.type === "hidden" || element.type === "submit" || element.type === "button") {
        return;
      }
      if (/__remove$/.test(name)) {
        return;
      }
      if (!(name in values)) {
        values[name] = [];
      }
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked) {
          values[name].push(element.value);
        }
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          values[name].push(option.value);
        });
      } else {
        values[name].push(element.value);
      }
    });
    return values;
  }

  function restore(form, values) {
    var restored = 0;
    Object.keys(values).forEach(function (name) {
      var wanted = values[name] || [];
      var inputs = inputsNamed(form, name);
      if (!inputs.length) {
        return;
      }
      var changed = false;
      inputs.forEach(function (input, index) {
        if (input.type === "checkbox" || input.type === "radio") {
          var checked = wanted.indexOf(input.value) !== -1;
          if (input.checked !== checked) {
            input.checked = checked;
            changed = true;
          }
        } else if (input.type !== "file") {
          var value = wanted[index] !== undefined ? wanted[index] : "";
          if (input.value !== value) {
            input.value = value;
            changed = true;
          }
        }
      });
      if (changed) {
        restored += 1;
      }
    });
    return restored;
  }

  function setupLocalCopy(form, store) {
    var key = form.getAttribute("data-storage-key");
    if (!key || !store) {
      return;
    }
    var savedAt = form.getAttribute("data-saved-at") || "0";
    var page = form.getAttribute("data-page") || "1";
    var copy = null;
    try {
      copy = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      copy = null;
    }
    if (!copy || typeof copy !== "object" || !copy.pages) {
      copy = { pages: {} };
    }
    var entry = copy.pages[page];
    if (entry && entry.base === savedAt && entry.values) {
      var count = restore(form, entry.values);
      form.setAttribute("data-restored", String(count));
      if (count) {
        var note = document.querySelector("[data-restored-note]");
        if (note) {
          note.hidden = false;
        }
      }
    } else {
      form.setAttribute("data-restored", "0");
    }
    function save() {
      copy.pages[page] = { base: savedAt, values: collect(form), at: Date.now() };
      try {
        store.setItem(key, JSON.stringify(copy));
      } catch (error) {
        /* storage full or refused: the server copy remains */
      }
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.setAttribute("data-local-copy", "on");
  }

  function setupMap(container) {
    if (typeof window.L === "undefined") {
      return;
    }
    var tiles = container.getAttribute("data-tile-url");
    var fieldset = container.closest("fieldset");
    if (!tiles || !fieldset) {
      return;
    }
    var lat = fieldset.querySelector("[data-point-lat]");
    var lon = fieldset.querySelector("[data-point-lon]");
    if (!lat || !lon) {
      return;
    }
    var L = window.L;
    container.hidden = false;
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", container.getAttribute("data-label") || "");
    var center = (container.getAttribute("data-center") || "46.6,2.4").split(",").map(Number);
    var map = L.map(container, { scrollWheelZoom: false, maxZoom: 19 });
    L.tileLayer(tiles, {
      attribution: container.getAttribute("data-tile-attribution") || "",
    }).addTo(map);
    var marker = null;
    function place(latitude, longitude, move) {
      if (marker) {
        marker.setLatLng([latitude, longitude]);
      } else {
        marker = L.marker([latitude, longitude], { keyboard: true }).addTo(map);
      }
      if (move) {
        map.setView([latitude, longitude], 17);
      }
    }
    var start = [parseFloat(lat.value.replace(",", ".")), parseFloat(lon.value.replace(",", "."))];
    if (!isNaN(start[0]) && !isNaN(start[1])) {
      place(start[0], start[1], true);
    } else {
      map.setView(center, center.length === 2 && center[0] !== 46.6 ? 15 : 5);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      place(event.latlng.lat, event.latlng.lng, false);
    });
  }

  function init() {
    var store = storage();
    document.querySelectorAll("[data-procedure-clear]").forEach(function (element) {
      var key = element.getAttribute("data-procedure-clear");
      if (store && key) {
        store.removeItem(key);
        element.setAttribute("data-cleared", "on");
      }
    });
    document.querySelectorAll("form[data-procedure-form]").forEach(function (form) {
      setupLocalCopy(form, store);
      setupConditions(form);
    });
    document.querySelectorAll("[data-point-map]").forEach(setupMap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
