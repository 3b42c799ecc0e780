// Renders the municipality layer on its own: no tile server is needed (the ministry's
// network may be closed). A tile layer is added only when TANSIQ_MAP_TILES_URL is set.
(function () {
  "use strict";
  var el = document.getElementById("municipality-map");
  if (!el) { return; }
  var map = L.map(el).setView([27.0, 17.0], 5);
  var lang = document.documentElement.lang || "ar";
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  fetch(el.dataset.layerUrl, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (f) {
          return f.properties.area_is_official
            ? { color: "#1f5f8b", weight: 1, fillOpacity: 0.35 }
            : { color: "#1f5f8b", weight: 1, dashArray: "4 3", fillOpacity: 0.12 };
        },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4 }); },
        onEachFeature: function (f, l) {
          var p = f.properties;
          var name = lang.indexOf("ar") === 0 ? (p.name_ar || p.name_en) : (p.name_en || p.name_ar);
          var html = "<strong>" + name + "</strong><br>" + (p.pcode || "");
          if (p.population) { html += "<br>" + el.dataset.labelPopulation + ": " + p.population.toLocaleString(lang); }
          if (!p.area_is_official) { html += "<br><em>" + el.dataset.labelApproximate + "</em>"; }
          l.bindPopup(html);
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      el.dataset.loaded = String(data.features.length);
    });
})();
