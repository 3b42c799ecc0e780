// The small map of a duplicate pair: the sites of project A and of project B in two colours (or, for a
// project without sites, the points of its municipalities), drawn from the page's own data (json_script
// "pair-map-data") with small_map.js; no tile server is needed.
(function () {
  "use strict";
  var M = window.TansiqSmallMap;
  var page = M && M.pageData("pair-map", "pair-map-data");
  if (!page) { return; }
  var el = page.el, data = page.data;
  var map = M.create(el);
  var styles = {
    a: { radius: 7, color: "#0b4f6c", weight: 2, fillColor: "#1f78b4", fillOpacity: 0.85 },
    b: { radius: 6, color: "#7a2e00", weight: 2, fillColor: "#f28e2b", fillOpacity: 0.85 }
  };
  var bounds = L.latLngBounds([]);
  var layers = [];
  ["a", "b"].forEach(function (key) {
    var side = data[key] || {};
    var label = key === "a" ? el.dataset.labelA : el.dataset.labelB;
    var isPlace = !(side.sites || []).length;
    var points = isPlace ? (side.places || []) : side.sites;
    points.forEach(function (point) {
      var at = L.latLng(point.lat, point.lon);
      var style = isPlace ? Object.assign({}, styles[key], { fillOpacity: 0.25, dashArray: "3 3" }) : styles[key];
      layers.push(L.circleMarker(at, style).bindPopup(function () {
        return M.popup([label, side.title, isPlace ? point.name + " · " + el.dataset.labelPlace : point.name]);
      }));
      bounds.extend(at);
    });
  });
  M.show(map, bounds, layers, 0.3);
  el.dataset.loaded = String(layers.length);
})();
