// The project's map: its municipalities (area, dashed when approximate, else a point) and its sites, drawn
// from the page's own data (json_script "project-map-data") with small_map.js; no tile server is needed. A
// municipality's popup links to its file.
(function () {
  "use strict";
  var M = window.TansiqSmallMap;
  var page = M && M.pageData("project-map", "project-map-data");
  if (!page) { return; }
  var el = page.el, data = page.data;
  var map = M.create(el);
  var fileUrl = el.dataset.fileUrl || "";  // ".../municipalities/SLUG/" with SLUG replaced per place
  var bounds = L.latLngBounds([]);
  var layers = [];
  (data.places || []).forEach(function (place) {
    var href = place.slug && fileUrl ? fileUrl.replace("SLUG", encodeURIComponent(place.slug)) : "";
    var subtitle = place.share !== null && place.share !== undefined ? el.dataset.labelShare + " " + place.share_text : "";
    var layer = null;
    if (place.area) {
      layer = L.geoJSON(place.area, {
        style: place.area_is_official
          ? { color: "#1f5f8b", weight: 2, fillOpacity: 0.15 }
          : { color: "#1f5f8b", weight: 2, dashArray: "5 4", fillOpacity: 0.08 }
      });
      bounds.extend(layer.getBounds());
    } else if (place.point) {
      var here = L.latLng(place.point[1], place.point[0]);
      layer = L.circleMarker(here, { radius: 7, color: "#1f5f8b", weight: 2, fillOpacity: 0.3 });
      bounds.extend(here);
    }
    if (layer) {
      layer.bindPopup(function () { return M.popup([place.name, subtitle], href); });
      layers.push(layer);
    }
  });
  (data.sites || []).forEach(function (site) {
    var at = L.latLng(site.lat, site.lon);
    var marker = L.circleMarker(at, { radius: 6, color: "#b35900", weight: 1, fillColor: "#f28e2b", fillOpacity: 0.9,
                                      className: "tansiq-project-site" });
    marker.bindPopup(function () { return M.popup([site.name || el.dataset.labelSite, site.municipality]); });
    layers.push(marker);
    bounds.extend(at);
  });
  M.show(map, bounds, layers, 0.2);
  el.dataset.sites = String((data.sites || []).length);
  el.dataset.places = String((data.places || []).length);
  el.dataset.loaded = "true";
})();
