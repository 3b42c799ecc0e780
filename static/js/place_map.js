// The small map of the municipality file: its area (or point) and the sites of its projects, drawn from the
// page's own data (json_script "place-map-data") with small_map.js; no tile server is needed. Also wires the
// file's print button, and fits the map again to the paper when printing.
(function () {
  "use strict";
  var printButton = document.getElementById("print-file");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  var M = window.TansiqSmallMap;
  var page = M && M.pageData("place-map", "place-map-data");
  if (!page) { return; }
  var el = page.el, data = page.data;
  var map = M.create(el);
  var bounds = L.latLngBounds([]);
  var layers = [];
  if (data.area) {
    var area = L.geoJSON(data.area, {
      style: data.area_is_official
        ? { color: "#1f5f8b", weight: 2, fillOpacity: 0.2 }
        : { color: "#1f5f8b", weight: 2, dashArray: "5 4", fillOpacity: 0.1 }
    });
    if (!data.area_is_official) { area.bindTooltip(el.dataset.labelApproximate); }
    bounds.extend(area.getBounds());
    layers.push(area);
  } else if (data.point) {
    var here = L.latLng(data.point[1], data.point[0]);
    layers.push(L.circleMarker(here, { radius: 7, color: "#1f5f8b", weight: 2, fillOpacity: 0.3 }));
    bounds.extend(here);
  }
  (data.sites || []).forEach(function (site) {
    var at = L.latLng(site.lat, site.lon);
    layers.push(L.circleMarker(at, { radius: 5, color: "#b35900", weight: 1, fillColor: "#f28e2b", fillOpacity: 0.9 })
      .bindPopup(function () { return M.popup([site.name || el.dataset.labelSite, site.project]); }));
    bounds.extend(at);
  });
  var refit = M.show(map, bounds, layers, 0.15);
  function fit() {
    refit();
    el.dataset.fittedWidth = String(el.clientWidth);
  }
  el.dataset.fittedWidth = String(el.clientWidth);
  // The printed map is narrower than the screen's: fit it again to the paper, and back afterwards.
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", fit); }
  }
  el.dataset.loaded = String((data.sites || []).length);
})();
