// What the page's small maps (a project's, a municipality file's, a duplicate pair's) share: a Leaflet map with no
// animation (drawn at its final view at once, so a screenshot or a print straight after loading is right), the
// optional tile layer the page names, popups built from text nodes (names are data, never markup), and the fit of
// the view to the layers' bounds (Libya when there is nothing to show) before the layers are added.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  // lines: [text, ...] (empty ones left out); the first is the heading, a link when href is given.
  function popup(lines, href) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var first = true;
    lines.forEach(function (text) {
      if (!text) { return; }
      if (!first) { box.appendChild(document.createElement("br")); }
      var node = document.createElement(first ? (href ? "a" : "strong") : "span");
      node.dir = "auto";
      node.textContent = text;
      if (first && href) { node.href = href; }
      box.appendChild(node);
      first = false;
    });
    return box;
  }

  function create(el) {
    var map = L.map(el, { scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false });
    if (el.dataset.tilesUrl) {
      L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
    }
    return map;
  }

  function fit(map, bounds, pad) {
    map.invalidateSize({ animate: false, pan: false });
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(pad), { maxZoom: 12, animate: false });
    } else {
      map.setView([27.0, 17.0], 5, { animate: false });
    }
  }

  // Fits the view, then adds the layers; returns a function that fits again (e.g. for printing).
  function show(map, bounds, layers, pad) {
    fit(map, bounds, pad);
    layers.forEach(function (layer) { layer.addTo(map); });
    return function () { fit(map, bounds, pad); };
  }

  function pageData(mapId, dataId) {
    var el = document.getElementById(mapId);
    var source = document.getElementById(dataId);
    if (!el || !source) { return null; }
    return { el: el, data: JSON.parse(source.textContent) };
  }

  window.TansiqSmallMap = { popup: popup, create: create, show: show, pageData: pageData };
})();
