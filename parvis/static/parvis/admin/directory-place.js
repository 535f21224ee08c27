/* Place form of the admin: « Géocoder l'adresse » and a Leaflet map whose pin fills the
 * latitude and longitude fields (click to place, drag to move). */
(function () {
  "use strict";

  function field(name) {
    return document.getElementById("id_" + name);
  }

  function readNumber(input) {
    if (!input || input.value.trim() === "") return null;
    var value = parseFloat(input.value.replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var status = root.querySelector("[data-directory-map-status]");
    var canvas = root.querySelector("[data-directory-map-canvas]");
    var lat = field("latitude");
    var lon = field("longitude");
    var map = null;
    var marker = null;

    function say(message, isError) {
      status.textContent = message;
      status.classList.toggle("directory-map__status--error", Boolean(isError));
    }

    function writeInputs(latLng) {
      lat.value = latLng.lat.toFixed(6);
      lon.value = latLng.lng.toFixed(6);
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      lon.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function placeMarker(latLng, zoom) {
      if (!map) return;
      if (!marker) {
        marker = window.L.marker(latLng, { draggable: true, keyboard: true }).addTo(map);
        marker.on("dragend", function () {
          writeInputs(marker.getLatLng());
        });
      } else {
        marker.setLatLng(latLng);
      }
      map.setView(latLng, zoom || map.getZoom());
    }

    if (window.L && canvas) {
      var startLat = readNumber(lat);
      var startLon = readNumber(lon);
      var centre = [
        startLat !== null ? startLat : parseFloat(root.dataset.centreLat),
        startLon !== null ? startLon : parseFloat(root.dataset.centreLon),
      ];
      map = window.L.map(canvas).setView(centre, startLat !== null ? 17 : 14);
      if (root.dataset.tileUrl) {
        window.L.tileLayer(root.dataset.tileUrl, {
          maxZoom: 19,
          attribution: root.dataset.tileAttribution || "",
        }).addTo(map);
      }
      if (startLat !== null && startLon !== null) placeMarker(centre, 17);
      map.on("click", function (event) {
        placeMarker(event.latlng);
        writeInputs(event.latlng);
      });
      [lat, lon].forEach(function (input) {
        if (!input) return;
        input.addEventListener("input", function () {
          var a = readNumber(lat);
          var b = readNumber(lon);
          if (a !== null && b !== null) placeMarker([a, b]);
        });
      });
      // The map may start in a hidden tab: recompute its size when it becomes visible.
      document.addEventListener("click", function () {
        window.setTimeout(function () {
          if (canvas.offsetParent !== null) map.invalidateSize();
        }, 50);
      });
    }

    var button = root.querySelector("[data-directory-geocode]");
    button.addEventListener("click", function () {
      var params = new URLSearchParams();
      ["street_number", "street", "postcode", "city"].forEach(function (name) {
        var input = field(name);
        params.set(name, input ? input.value : "");
      });
      button.disabled = true;
      say("…");
      fetch(root.dataset.geocodeUrl + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().catch(function () {
            return { ok: false, message: root.dataset.msgError };
          });
        })
        .then(function (data) {
          if (!data.ok) {
            say(data.message || root.dataset.msgError, true);
            return;
          }
          lat.value = data.latitude;
          lon.value = data.longitude;
          var insee = field("insee_code");
          if (insee && !insee.value && data.insee_code) insee.value = data.insee_code;
          placeMarker([parseFloat(data.latitude), parseFloat(data.longitude)], 18);
          say(
            root.dataset.msgFound.replace("%s", data.label) +
              (data.warning ? " " + data.warning : ""),
            Boolean(data.warning)
          );
        })
        .catch(function () {
          say(root.dataset.msgError, true);
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  function init() {
    document.querySelectorAll("[data-directory-map]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
