// The small map of the municipality file: its area (or point) and the sites of its projects, drawn
// from the page's own data (json_script "place-map-data"); no tile server is needed. Names are data,
// never markup: popups are built from text nodes. Also wires the file's print button.
(function () {
  "use strict";
  var printButton = document.getElementById("print-file");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }

  var el = document.getElementById("place-map");
  var source = document.getElementById("place-map-data");
  if (!el || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function popup(title, subtitle) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var strong = document.createElement("strong");
    strong.dir = "auto";
    strong.textContent = title;
    box.appendChild(strong);
    if (subtitle) {
      box.appendChild(document.createElement("br"));
      var small = document.createElement("span");
      small.dir = "auto";
      small.textContent = subtitle;
      box.appendChild(small);
    }
    return box;
  }

  // No zoom animation: the map is drawn at its final view at once (a screenshot or a print taken
  // straight after loading would otherwise catch the layers scaled mid-animation).
  var map = L.map(el, { scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false });
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  // The layers are built first, the view set from their bounds, then they are added.
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
      .bindPopup(function () { return popup(site.name || el.dataset.labelSite, site.project); }));
    bounds.extend(at);
  });
  function fit() {
    map.invalidateSize({ animate: false, pan: false });
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.15), { maxZoom: 12, animate: false });
    } else {
      map.setView([27.0, 17.0], 5, { animate: false });
    }
    el.dataset.fittedWidth = String(el.clientWidth);
  }
  fit();
  layers.forEach(function (layer) { layer.addTo(map); });
  // The printed map is narrower than the screen's: fit it again to the paper, and back afterwards.
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", fit); }
  }
  el.dataset.loaded = String((data.sites || []).length);
})();
