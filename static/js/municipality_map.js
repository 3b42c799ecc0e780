// The map of municipalities: shapes coloured by the measure the user picks, layers they switch (project
// sites, duplicate pairs, unreached municipalities, official vs approximate areas), filters that change the
// map, the legend and the counts together, and the address (so a view can be shared and reloads the same).
//
// No tile server is needed (the ministry's network may be closed): the page draws its own layers, and adds
// a tile layer only when TANSIQ_MAP_TILES_URL is set.
//
// Every figure and label comes formatted from the server; this script places text, it formats nothing.
// Names come from the database and from imported boundary files, so they are data, never markup: popups,
// the legend and the counts are built from elements and text nodes (Leaflet appends a node as it is; a
// string it would parse as HTML).
(function () {
  "use strict";
  var el = document.getElementById("municipality-map");
  if (!el) { return; }
  var form = document.getElementById("map-filters");
  var lang = document.documentElement.lang || "ar";
  var labels = el.dataset;
  var figures = null;  // the last answer of the figures endpoint
  var shapeLayers = {};  // municipality slug -> its Leaflet layer
  var shapeProps = {};  // municipality slug -> its shape's properties
  var request = 0;  // answers to an older request are dropped

  function showError(text) {
    var alert = document.getElementById("municipality-map-error");
    if (!alert) {
      alert = document.createElement("div");
      alert.id = "municipality-map-error";
      alert.className = "alert alert-danger";
      alert.setAttribute("role", "alert");
      el.parentNode.insertBefore(alert, el);
    }
    alert.textContent = typeof text === "string" ? text : labels.labelError;
    el.dataset.failed = "true";
    el.setAttribute("aria-busy", "false");
  }

  function clearError() {
    var alert = document.getElementById("municipality-map-error");
    if (alert && el.dataset.failed !== "layer") { alert.remove(); }
    delete el.dataset.failed;
  }

  // A bad filter is answered 400 with the server's own words; anything else that is not JSON (a login page
  // once the session has expired, a server error, the network gone) reads as "could not be loaded".
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (response.status === 400) {
          return response.json().then(function (body) {
            var err = new Error("bad filters");
            err.userText = (body && body.error) || labels.labelBadFilters;
            var fields = (body && body.fields) || {};
            Object.keys(fields).forEach(function (name) { err.userText += " " + fields[name].join(" "); });
            throw err;
          });
        }
        if (!response.ok) { throw new Error("answered " + response.status); }
        return response.json();  // rejects on a body that is not JSON (e.g. the login page)
      });
  }

  function query() {
    var q = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") { q.append(key, value); } });
    return q;
  }

  function layerOn(name) {
    var box = form.querySelector("input[name='layer'][value='" + name + "']");
    return Boolean(box && box.checked);
  }

  function textLine(parent, text, tag) {
    var node = document.createElement(tag || "div");
    node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function link(parent, href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    parent.appendChild(a);
    return a;
  }

  function municipalityPopup(slug) {
    var p = shapeProps[slug] || {};
    var row = figures && figures.municipalities[slug];
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var name = document.createElement("strong");
    name.dir = "auto";  // a name in the other script keeps its own direction
    name.textContent = row ? row.name
      : (lang.indexOf("ar") === 0 ? (p.name_ar || p.name_en || "") : (p.name_en || p.name_ar || ""));
    box.appendChild(name);
    if (p.pcode) { textLine(box, String(p.pcode), "div").className = "text-muted"; }
    if (row) {
      textLine(box, figures.measure_label + ": " + row.value_text).className = "map-popup-value";
      if (row.unreached) { textLine(box, labels.labelUnreached, "em"); }
    }
    if (p.area_is_official === false) { textLine(box, labels.labelApproximate, "div").className = "fst-italic"; }
    var url = row ? row.url : null;
    if (url) { link(textLine(box, "", "div"), url, labels.labelOpenFile).className = "map-open-file"; }
    return box;
  }

  if (typeof L === "undefined") { showError(); return; }  // Leaflet's own file did not load
  // the clusters need the map's zoom range (LEAFLET_CONFIG's MIN_ZOOM and MAX_ZOOM)
  var map = L.map(el, { minZoom: 4, maxZoom: 18 }).setView([27.0, 17.0], 5);
  if (el.dataset.tilesUrl) {
    L.tileLayer(el.dataset.tilesUrl, { attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  var districts = L.layerGroup().addTo(map);
  var unreached = L.layerGroup();
  var sites = typeof L.markerClusterGroup === "function"
    ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }) : L.layerGroup();
  var siteCells = L.layerGroup();
  var duplicates = L.layerGroup();

  function setFill(layer, css) {
    var path = layer.getElement && layer.getElement();
    if (!path) { return; }
    Array.prototype.slice.call(path.classList).forEach(function (name) {
      if (name.indexOf("map-fill-") === 0) { path.classList.remove(name); }
    });
    path.classList.add(css);
  }

  function drawLegend() {
    var title = document.getElementById("map-legend-title");
    var list = document.getElementById("map-legend");
    title.textContent = figures.measure_label;
    list.replaceChildren();
    figures.legend.forEach(function (item) {
      var li = document.createElement("li");
      li.dataset.key = item.key;
      var swatch = document.createElement("span");
      swatch.className = "legend-swatch map-swatch " + item.css;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(" " + item.label + " "));
      var count = document.createElement("span");
      count.className = "text-muted map-legend-count";
      count.textContent = "(" + item.count_text + ")";
      li.appendChild(count);
      list.appendChild(li);
    });
    var summary = document.getElementById("map-summary");
    summary.replaceChildren();
    figures.summary.forEach(function (item) {
      var span = document.createElement("span");
      span.dataset.key = item.key;
      span.appendChild(document.createTextNode(item.label + ": "));
      var value = document.createElement("strong");
      value.textContent = item.text;
      span.appendChild(value);
      summary.appendChild(span);
    });
    document.getElementById("map-notes").textContent = figures.notes.join(" ");
  }

  function drawUnreached() {
    unreached.clearLayers();
    Object.keys(figures.municipalities).forEach(function (slug) {
      var p = shapeProps[slug];
      if (!figures.municipalities[slug].unreached || !p || !p.center) { return; }
      var mark = L.circleMarker([p.center[1], p.center[0]], { radius: 7, className: "map-unreached-mark" });
      mark.bindPopup(function () { return municipalityPopup(slug); });
      unreached.addLayer(mark);
    });
  }

  function applyFigures() {
    Object.keys(shapeLayers).forEach(function (slug) {
      var row = figures.municipalities[slug];
      setFill(shapeLayers[slug], row ? row.css : "map-fill-none");
    });
    drawLegend();
    drawUnreached();
  }

  function sitePopup(p) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    var name = document.createElement("strong");
    name.dir = "auto";
    name.textContent = p.name || p.project;
    box.appendChild(name);
    if (p.name) { textLine(box, p.project).dir = "auto"; }
    link(textLine(box, "", "div"), p.url, labels.labelOpenProject);
    return box;
  }

  function pairPopup(p) {
    var box = document.createElement("div");
    box.className = "tansiq-popup";
    textLine(box, p.title_a, "strong").dir = "auto";
    textLine(box, p.title_b, "strong").dir = "auto";
    textLine(box, labels.labelPairScore + ": " + p.score_text);
    link(textLine(box, "", "div"), p.url, labels.labelOpenPair).className = "map-open-pair";
    return box;
  }

  // The server lists the sites in view one by one, or, when there are too many, sends grid cells with their
  // count (properties.count): those are drawn as numbered circles that zoom in when clicked.
  function sitesQuery(q) {
    var v = new URLSearchParams(q.toString());
    var b = map.getBounds();
    v.set("zoom", String(map.getZoom()));
    v.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) {
      return n.toFixed(4);
    }).join(","));
    return v;
  }

  function cellMarker(f) {
    var c = f.geometry.coordinates;
    var n = f.properties.count;
    var mark = L.circleMarker([c[1], c[0]], { radius: Math.min(24, 8 + 3 * Math.log10(n + 1) * 2),
                                              className: "map-site map-site-cell" });
    mark.bindTooltip(f.properties.count_text, { permanent: true, direction: "center", className: "map-site-count" });
    mark.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getMaxZoom(), map.getZoom() + 2)); });
    return mark;
  }

  function loadSites(q, ticket) {
    return getJSON(el.dataset.sitesUrl + "?" + sitesQuery(q).toString()).then(function (data) {
      if (ticket !== request) { return; }
      sites.clearLayers();
      siteCells.clearLayers();
      var markers = [];
      data.features.forEach(function (f) {
        if (f.properties.count) { siteCells.addLayer(cellMarker(f)); return; }
        var c = f.geometry.coordinates;
        var mark = L.circleMarker([c[1], c[0]], { radius: 5, className: "map-site" });
        mark.bindPopup(function () { return sitePopup(f.properties); });
        markers.push(mark);
      });
      if (sites.addLayers) { sites.addLayers(markers); } else { markers.forEach(function (m) { sites.addLayer(m); }); }
      el.dataset.sites = String(typeof data.total === "number" ? data.total : markers.length);
      el.dataset.sitesClustered = data.clustered ? "1" : "0";
    });
  }

  function loadDuplicates(q, ticket) {
    return getJSON(el.dataset.duplicatesUrl + "?" + q.toString()).then(function (data) {
      if (ticket !== request) { return; }
      duplicates.clearLayers();
      L.geoJSON(data, {
        style: function () { return { className: "map-duplicate", weight: 3 }; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9, className: "map-duplicate" }); },
        onEachFeature: function (f, l) { l.bindPopup(function () { return pairPopup(f.properties); }); }
      }).eachLayer(function (l) { duplicates.addLayer(l); });
      el.dataset.duplicates = String(data.features.length);
    });
  }

  function toggle(layer, on) {
    if (on && !map.hasLayer(layer)) { map.addLayer(layer); }
    if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
  }

  function update() {
    var q = query();
    var address = q.toString();
    history.replaceState(null, "", address ? "?" + address : window.location.pathname);
    el.classList.toggle("map-show-boundaries", layerOn("boundaries"));
    document.querySelectorAll(".map-layer-key").forEach(function (key) {
      var name = key.className.replace(/.*map-key-(\w+).*/, "$1");
      key.classList.toggle("d-none", !layerOn(name));
    });
    toggle(unreached, layerOn("unreached"));
    toggle(sites, layerOn("sites"));
    toggle(siteCells, layerOn("sites"));
    toggle(duplicates, layerOn("duplicates"));
    request += 1;
    var ticket = request;
    el.setAttribute("aria-busy", "true");
    var work = [getJSON(el.dataset.figuresUrl + "?" + address).then(function (data) {
      if (ticket !== request) { return; }
      figures = data;
      applyFigures();
    })];
    if (layerOn("sites")) { work.push(loadSites(q, ticket)); }
    if (layerOn("duplicates")) { work.push(loadDuplicates(q, ticket)); }
    return Promise.all(work).then(function () {
      if (ticket !== request) { return; }
      clearError();
      el.setAttribute("aria-busy", "false");
      el.dataset.figures = String(ticket);
      el.dataset.measure = figures.measure;
    }).catch(function (err) { showError(err && err.userText); });
  }

  function drawShapes(data) {
    (data.districts || []).forEach(function (f) {
      districts.addLayer(L.geoJSON(f, { interactive: false, style: { className: "map-district", fill: false } }));
    });
    var layer = L.geoJSON(data, {
      style: function (f) {
        var p = f.properties || {};
        var kind = p.area_is_official ? "map-official" : "map-approximate";
        return { className: "map-area map-fill-none " + kind, weight: 1, fillOpacity: 0.75 };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, className: "map-area map-point map-fill-none" });
      },
      onEachFeature: function (f, l) {
        var p = f.properties || {};
        var slug = p.slug || f.id;
        shapeLayers[slug] = l;
        shapeProps[slug] = p;
        // built when the popup opens: one country's worth of popups is not built up front
        l.bindPopup(function () { return municipalityPopup(slug); });
      }
    }).addTo(map);
    if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
    return data.features.length;
  }

  el.setAttribute("aria-busy", "true");
  getJSON(el.dataset.layerUrl)
    .then(function (data) {
      if (!data || data.type !== "FeatureCollection" || !Array.isArray(data.features)) {
        throw new Error("layer is not a FeatureCollection");
      }
      var count = drawShapes(data);
      return update().then(function () { el.dataset.loaded = String(count); });
    })
    .catch(function () { showError(); el.dataset.failed = "layer"; });

  form.addEventListener("change", function () { update(); });
  // The sites depend on the view: read them again when it moves (the rest of the map does not).
  map.on("moveend", function () {
    if (el.dataset.loaded && layerOn("sites")) { loadSites(query(), request).catch(function (err) { showError(err && err.userText); }); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
})();
