/* The basemap under every Kasane map (webmap/basemap.py). The local basemap (land, municipal
   borders and names from the admin_boundaries layer; the sea is the map's background colour)
   is drawn beneath everything, so a map is never blank in a closed network; an imported
   archive (raster or vector tiles served by Kasane) or the online tiles go on top of it.
   Labels are HTML text, so Japanese names use the device's own fonts: no glyph files needed. */
window.KasaneBasemap = (function () {
  "use strict";
  // Leaflet.VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.8 removed: without it a
  // click on an interactive vector tile throws. Stopping the event keeps the map's own click
  // (which would close the popup just opened) from firing as well.
  if (window.L && L.DomEvent && !L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { L.DomEvent.stopPropagation(e); };
  }
  // ... and hands its features to Leaflet 1.9's map._fireDOMEvent, which takes a point feature
  // (a CircleMarker without a position) for a marker and throws: fire the event on the
  // feature itself, with the position of the pointer (it reaches the grid's own listeners).
  if (window.L && L.Canvas && L.Canvas.Tile) {
    L.Canvas.Tile.include({
      _fireEvent: function (features, e, type) {
        var map = this._map;
        var latlng = map.mouseEventToLatLng(e);
        features.forEach(function (feature) {
          feature.fire(type || e.type, {
            latlng: latlng, layerPoint: map.latLngToLayerPoint(latlng),
            containerPoint: map.latLngToContainerPoint(latlng), originalEvent: e, layer: feature
          }, true);
        });
      }
    });
  }
  var LAND = { fill: true, fillColor: "#f4f2ec", fillOpacity: 1, stroke: true, color: "#8c8c8c", weight: 1 };
  var LOCAL_CREDIT = {
    ja: "背景: 行政区域（国土数値情報）から重ねが描画",
    en: "Background drawn by Kasane from municipal boundaries (MLIT N03)"
  };
  // plain styles for the layers of a vector archive, by what their names suggest
  var VECTOR_RULES = [
    [/water|ocean|sea|lake|river|wtr/i, { fill: true, fillColor: "#c9dff0", fillOpacity: 1, stroke: true, color: "#9cc3e0", weight: 1 }],
    [/road|street|transport|rail|highway|rd/i, { fill: false, stroke: true, color: "#b0a89a", weight: 1.2 }],
    [/building|bldg/i, { fill: true, fillColor: "#e2ddd3", fillOpacity: 1, stroke: false }],
    [/park|landuse|landcover|green|wood|forest/i, { fill: true, fillColor: "#e3eed8", fillOpacity: 1, stroke: false }],
    [/boundary|admin|border/i, { fill: false, stroke: true, color: "#8c8c8c", weight: 1, dashArray: "4 3" }],
    [/earth|land|coast/i, { fill: true, fillColor: "#f4f2ec", fillOpacity: 1, stroke: false }]
  ];
  var OTHER = { fill: false, stroke: true, color: "#c4beb2", weight: 0.8 };

  function styleOf(name) {
    for (var i = 0; i < VECTOR_RULES.length; i++) {
      if (VECTOR_RULES[i][0].test(name)) { return VECTOR_RULES[i][1]; }
    }
    return OTHER;
  }
  function labelMinZoom(km2) {
    return km2 >= 300 ? 8 : km2 >= 100 ? 9 : km2 >= 30 ? 10 : 11;
  }
  function addLocal(map, lang, labelsUrl) {
    map.createPane("kasane-labels").style.zIndex = "450";
    map.getPane("kasane-labels").style.pointerEvents = "none";
    var labels = L.layerGroup();
    var shown = [];
    function showLabels() {
      var z = map.getZoom();
      labels.clearLayers();
      shown.forEach(function (l) { if (z >= l.minZoom) { labels.addLayer(l.marker); } });
    }
    return fetch(labelsUrl || "/basemap/labels.json").then(function (r) { return r.ok ? r.json() : null; }).then(function (doc) {
      if (!doc || !doc.tiles) { return; }
      var styles = {};
      styles[doc.layer] = LAND;
      L.vectorGrid.protobuf(doc.tiles, {
        rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: false,
        pane: "kasane-basemap", maxNativeZoom: doc.max_zoom || 18, maxZoom: 19,
        bounds: doc.bounds ? L.latLngBounds([doc.bounds[1], doc.bounds[0]], [doc.bounds[3], doc.bounds[2]]) : undefined,
        attribution: LOCAL_CREDIT[lang] || LOCAL_CREDIT.ja
      }).addTo(map);
      doc.labels.forEach(function (l) {
        var icon = L.divIcon({ className: "basemap-label", html: "", iconSize: null });
        var marker = L.marker([l.lat, l.lon], { icon: icon, interactive: false, keyboard: false, pane: "kasane-labels" });
        marker.on("add", function () {
          var node = marker.getElement();
          if (node) { node.textContent = l.name; node.setAttribute("lang", "ja"); node.setAttribute("aria-hidden", "true"); }
        });
        shown.push({ marker: marker, minZoom: labelMinZoom(l.km2) });
      });
      labels.addTo(map);
      showLabels();
      map.on("zoomend", showLabels);
    });
  }
  function addArchive(map, a) {
    if (a.vector) {
      var styles = {};
      a.layers.forEach(function (name) { styles[name] = styleOf(name); });
      return L.vectorGrid.protobuf(a.tiles, {
        rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: false,
        pane: "kasane-basemap", minNativeZoom: a.min_zoom, maxNativeZoom: a.max_zoom, maxZoom: 19,
        attribution: a.attribution
      }).addTo(map);
    }
    return L.tileLayer(a.tiles, {
      pane: "kasane-basemap", minNativeZoom: a.min_zoom, maxNativeZoom: a.max_zoom, maxZoom: 19,
      attribution: a.attribution
    }).addTo(map);
  }
  function add(map, cfg) {
    var lang = /^ja/.test(document.documentElement.lang || "ja") ? "ja" : "en";  // credits: ja or en
    if (cfg.mode === "none") { return; }
    map.getContainer().classList.add("kasane-sea");
    map.createPane("kasane-basemap").style.zIndex = "150";
    if (cfg.local) { addLocal(map, lang, cfg.labels); }
    if (cfg.mode === "archive" && cfg.archive) { addArchive(map, cfg.archive); }
  }
  return { add: add, styleOf: styleOf };
}());
