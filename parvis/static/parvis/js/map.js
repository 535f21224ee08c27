/* Parvis — maps of the directory (Leaflet, with markercluster when loaded).

   Every element marked [data-map] becomes a map:
   - data-places-url: a JSON address answering {"places": [{id, name, url, lat, lon,
     kind_label, address, open, state}]}; one marker per place, grouped in clusters;
   - or data-lat, data-lon, data-name: one marker;
   - data-tile-url, data-tile-attribution: the tile layer (none when the URL is empty:
     the markers still show); data-center: "lat,lon" when there is nothing to show;
   - data-label and the data-text-* attributes: the (translated) words the map says.
   The page's list of places stays the primary content: the map only adds to it.
   When the markers are placed, the element gets data-map-ready="<number of markers>". */
(function () {
  "use strict";

  if (typeof window.L === "undefined") {
    return;
  }
  var L = window.L;

  function text(el, name, fallback) {
    return el.getAttribute("data-text-" + name) || fallback;
  }

  function popup(el, place) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("p");
    title.className = "map-popup__title";
    var link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    title.appendChild(link);
    box.appendChild(title);
    var details = [place.kind_label, place.address, place.state];
    details.forEach(function (value) {
      if (value) {
        var line = document.createElement("p");
        line.className = "map-popup__line";
        line.textContent = value;
        box.appendChild(line);
      }
    });
    return box;
  }

  function clusterIcon(el) {
    var word = text(el, "places", "lieux");
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var inner = document.createElement("div");
      var span = document.createElement("span");
      span.textContent = String(count);
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + word;
      span.appendChild(hidden);
      inner.appendChild(span);
      return L.divIcon({
        html: inner.outerHTML,
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40),
      });
    };
  }

  function marker(el, lat, lon, name) {
    return L.marker([lat, lon], { title: name, alt: name, keyboard: true });
  }

  function setup(el) {
    var label = el.getAttribute("data-label");
    el.textContent = "";
    el.setAttribute("role", "region");
    if (label) {
      el.setAttribute("aria-label", label);
    }
    var map = L.map(el, { zoomControl: false, scrollWheelZoom: false, maxZoom: 19 });
    L.control
      .zoom({
        zoomInTitle: text(el, "zoom-in", "Zoom avant"),
        zoomOutTitle: text(el, "zoom-out", "Zoom arrière"),
      })
      .addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var tiles = el.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, {
        attribution: el.getAttribute("data-tile-attribution") || "",
        maxZoom: 19,
      }).addTo(map);
    }
    var center = (el.getAttribute("data-center") || "").split(",").map(parseFloat);
    if (center.length === 2 && !isNaN(center[0]) && !isNaN(center[1])) {
      map.setView(center, 14);
    } else {
      map.setView([46.6, 2.4], 5);
    }
    return map;
  }

  function single(el) {
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) {
      return;
    }
    var map = setup(el);
    map.setView([lat, lon], 16);
    marker(el, lat, lon, el.getAttribute("data-name") || "").addTo(map);
    el.setAttribute("data-map-ready", "1");
  }

  function many(el) {
    var url = el.getAttribute("data-places-url");
    var map = setup(el);
    var group = L.markerClusterGroup
      ? L.markerClusterGroup({
          iconCreateFunction: clusterIcon(el),
          showCoverageOnHover: false,
          maxClusterRadius: 40,
        })
      : L.featureGroup();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var places = data.places || [];
        places.forEach(function (place) {
          marker(el, place.lat, place.lon, place.name)
            .bindPopup(popup(el, place))
            .addTo(group);
        });
        group.addTo(map);
        if (places.length) {
          map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 17, animate: false });
        }
        el.setAttribute("data-map-ready", String(places.length));
      })
      .catch(function (error) {
        el.setAttribute("data-map-error", String((error && error.message) || error));
        el.setAttribute("data-map-ready", "error");
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), function (el) {
    if (el.hasAttribute("data-places-url")) {
      many(el);
    } else {
      single(el);
    }
  });
})();
