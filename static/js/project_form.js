// The project form's site picker: a click on the map fills the latitude and longitude of the next empty
// site row; the points typed in the rows are drawn on the map as they change. No tile server is needed
// (a tile layer is added only when the deployment configures one). No markup is built from data.
(function () {
  "use strict";
  var el = document.getElementById("site-picker");
  if (!el || typeof L === "undefined") { return; }
  var status = document.getElementById("site-picker-status");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-site-row]"));

  function field(row, name) { return row.querySelector("input[name$='-" + name + "']"); }
  function value(input) { return input && input.value.trim() !== "" ? parseFloat(input.value) : NaN; }

  var map = L.map(el, { scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false });
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  map.setView([27.0, 17.0], 5, { animate: false });
  var markers = L.layerGroup().addTo(map);

  function redraw() {
    markers.clearLayers();
    var bounds = L.latLngBounds([]);
    rows.forEach(function (row) {
      var lat = value(field(row, "lat")), lon = value(field(row, "lon"));
      if (isFinite(lat) && isFinite(lon)) {
        var at = L.latLng(lat, lon);
        L.circleMarker(at, { radius: 6, color: "#b35900", weight: 1, fillColor: "#f28e2b", fillOpacity: 0.9,
                             className: "tansiq-picked-site" }).addTo(markers);
        bounds.extend(at);
      }
    });
    el.dataset.points = String(markers.getLayers().length);
    return bounds;
  }

  map.on("click", function (event) {
    var empty = rows.filter(function (row) {
      return field(row, "lat").value.trim() === "" && field(row, "lon").value.trim() === "";
    })[0];
    if (!empty) {
      if (status) { status.textContent = el.dataset.labelFull; }
      return;
    }
    field(empty, "lat").value = event.latlng.lat.toFixed(6);
    field(empty, "lon").value = event.latlng.lng.toFixed(6);
    var name = empty.querySelector("input[name$='-name_ar']");
    if (name && name.value.trim() === "") { name.focus(); }
    redraw();
  });
  // A typed point: draw it and bring every point into view (a click keeps the view the user chose).
  function typed() {
    var bounds = redraw();
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 11, animate: false }); }
  }
  rows.forEach(function (row) {
    ["lat", "lon"].forEach(function (name) { field(row, name).addEventListener("change", typed); });
  });
  var first = redraw();
  if (first.isValid()) { map.fitBounds(first.pad(0.3), { maxZoom: 11, animate: false }); }
  el.dataset.loaded = "true";
})();
