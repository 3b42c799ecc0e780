// Renders the municipality layer on its own: no tile server is needed (the ministry's
// network may be closed). A tile layer is added only when TANSIQ_MAP_TILES_URL is set.
//
// Names come from the database and from imported boundary files, so they are data, never markup:
// popups are built from elements and text nodes (Leaflet appends a node as it is; a string it would
// parse as HTML).
(function () {
  "use strict";
  var el = document.getElementById("municipality-map");
  if (!el) { return; }
  var lang = document.documentElement.lang || "ar";

  // The page says so when the layer cannot be shown (server error, a login page instead of the
  // layer once the session has expired, the network gone): an empty map would read as "no data".
  function showError() {
    if (document.getElementById("municipality-map-error")) { return; }
    var alert = document.createElement("div");
    alert.id = "municipality-map-error";
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = el.dataset.labelError;
    el.parentNode.insertBefore(alert, el);
    el.dataset.failed = "true";
    el.setAttribute("aria-busy", "false");
  }

  function line(parent, text) {
    parent.appendChild(document.createElement("br"));
    parent.appendChild(document.createTextNode(text));
  }

  function popupContent(p) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var name = document.createElement("strong");
    name.dir = "auto";  // a name in the other script keeps its own direction
    name.textContent = lang.indexOf("ar") === 0 ? (p.name_ar || p.name_en || "") : (p.name_en || p.name_ar || "");
    box.appendChild(name);
    if (p.pcode) { line(box, String(p.pcode)); }
    if (typeof p.population === "number") {
      line(box, el.dataset.labelPopulation + ": " + p.population.toLocaleString(lang));
    }
    if (!p.area_is_official) {
      box.appendChild(document.createElement("br"));
      var approximate = document.createElement("em");
      approximate.textContent = el.dataset.labelApproximate;
      box.appendChild(approximate);
    }
    return box;
  }

  if (typeof L === "undefined") { showError(); return; }  // Leaflet's own file did not load
  var map = L.map(el).setView([27.0, 17.0], 5);
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  el.setAttribute("aria-busy", "true");
  fetch(el.dataset.layerUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("layer answered " + response.status); }
      return response.json();  // rejects on a body that is not JSON (e.g. the login page)
    })
    .then(function (data) {
      if (!data || data.type !== "FeatureCollection" || !Array.isArray(data.features)) {
        throw new Error("layer is not a FeatureCollection");
      }
      var layer = L.geoJSON(data, {
        style: function (f) {
          return f.properties && f.properties.area_is_official
            ? { color: "#1f5f8b", weight: 1, fillOpacity: 0.35 }
            : { color: "#1f5f8b", weight: 1, dashArray: "4 3", fillOpacity: 0.12 };
        },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4 }); },
        onEachFeature: function (f, l) {
          var p = f.properties || {};
          // built when the popup opens: one country's worth of popups is not built up front
          l.bindPopup(function () { return popupContent(p); });
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      el.setAttribute("aria-busy", "false");
      el.dataset.loaded = String(data.features.length);
    })
    .catch(showError);
})();
