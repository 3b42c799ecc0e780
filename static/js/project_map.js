// The project's map: its municipalities (area, dashed when approximate, else a point) and its sites, drawn
// from the page's own data (json_script "project-map-data"); no tile server is needed. Names are data,
// never markup: popups are built from text nodes, and a municipality's popup links to its file.
(function () {
  "use strict";
  var el = document.getElementById("project-map");
  var source = document.getElementById("project-map-data");
  if (!el || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);

  function popup(title, subtitle, href) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var head = document.createElement(href ? "a" : "strong");
    head.dir = "auto";
    head.textContent = title;
    if (href) { head.href = href; }
    box.appendChild(head);
    if (subtitle) {
      box.appendChild(document.createElement("br"));
      var small = document.createElement("span");
      small.dir = "auto";
      small.textContent = subtitle;
      box.appendChild(small);
    }
    return box;
  }

  var map = L.map(el, { scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false });
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
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
      layer.bindPopup(function () { return popup(place.name, subtitle, href); });
      layers.push(layer);
    }
  });
  (data.sites || []).forEach(function (site) {
    var at = L.latLng(site.lat, site.lon);
    var marker = L.circleMarker(at, { radius: 6, color: "#b35900", weight: 1, fillColor: "#f28e2b", fillOpacity: 0.9,
                                      className: "tansiq-project-site" });
    marker.bindPopup(function () { return popup(site.name || el.dataset.labelSite, site.municipality, ""); });
    layers.push(marker);
    bounds.extend(at);
  });
  map.invalidateSize({ animate: false, pan: false });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.2), { maxZoom: 12, animate: false });
  } else {
    map.setView([27.0, 17.0], 5, { animate: false });
  }
  layers.forEach(function (layer) { layer.addTo(map); });
  el.dataset.sites = String((data.sites || []).length);
  el.dataset.places = String((data.places || []).length);
  el.dataset.loaded = "true";
})();
