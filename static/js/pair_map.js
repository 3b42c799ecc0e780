// The small map of a duplicate pair: the sites of project A and of project B in two colours (or, for a
// project without sites, the points of its municipalities), drawn from the page's own data (json_script
// "pair-map-data"); no tile server is needed. Names are data, never markup: popups are text nodes.
(function () {
  "use strict";
  var el = document.getElementById("pair-map");
  var source = document.getElementById("pair-map-data");
  if (!el || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function popup(label, title, name) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var strong = document.createElement("strong");
    strong.textContent = label;
    box.appendChild(strong);
    [title, name].forEach(function (text) {
      if (!text) { return; }
      box.appendChild(document.createElement("br"));
      var line = document.createElement("span");
      line.dir = "auto";
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  // No animation: the map is drawn at its final view at once (screenshots straight after loading).
  var map = L.map(el, { scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false });
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  var styles = {
    a: { radius: 7, color: "#0b4f6c", weight: 2, fillColor: "#1f78b4", fillOpacity: 0.85 },
    b: { radius: 6, color: "#7a2e00", weight: 2, fillColor: "#f28e2b", fillOpacity: 0.85 }
  };
  var bounds = L.latLngBounds([]);
  var layers = [];
  var drawn = 0;
  ["a", "b"].forEach(function (key) {
    var side = data[key] || {};
    var label = key === "a" ? el.dataset.labelA : el.dataset.labelB;
    var points = (side.sites || []).length ? side.sites : (side.places || []);
    var isPlace = !(side.sites || []).length;
    points.forEach(function (point) {
      var at = L.latLng(point.lat, point.lon);
      var style = isPlace ? Object.assign({}, styles[key], { fillOpacity: 0.25, dashArray: "3 3" }) : styles[key];
      layers.push(L.circleMarker(at, style).bindPopup(function () {
        return popup(label, side.title, isPlace ? point.name + " · " + el.dataset.labelPlace : point.name);
      }));
      bounds.extend(at);
      drawn += 1;
    });
  });
  map.invalidateSize({ animate: false, pan: false });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.3), { maxZoom: 12, animate: false });
  } else {
    map.setView([27.0, 17.0], 5, { animate: false });
  }
  layers.forEach(function (layer) { layer.addTo(map); });
  el.dataset.loaded = String(drawn);
})();
