/* /map, the integrated map (webmap/integrated_map.py): every catalogue layer from our vector
   tiles, switched and faded in the layer panel; a feature's attributes under the layer file's
   field titles (click/tap, or the "features here" list for the map centre); the table of the
   features in view (with CSV) as the text alternative; the URL (layers, opacity, c, z, lang)
   follows the state so a view can be shared. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("integrated-map-config").textContent);
  var T = cfg.text;
  var map = window[cfg.map];
  var byId = {};
  var layers = {};
  var opacity = {};
  var tableSeq = 0;
  var tableTimer = null;
  var Z_ORDER = { polygon: 10, line: 40, point: 70 };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) {
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      }
    });
    return node;
  }
  function classOf(layer, props) {
    if (!layer.property) { return null; }
    var v = String(props[layer.property]);
    for (var i = 0; i < layer.classes.length; i++) {
      if (String(layer.classes[i].value) === v) { return layer.classes[i]; }
    }
    return null;
  }
  function valueText(layer, name, value) {
    if (value === true) { return T.yes; }
    if (value === false) { return T.no; }
    var text = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (name === layer.property) {
      var c = classOf(layer, (function () { var p = {}; p[name] = value; return p; }()));
      if (c) { text += " (" + c.label + ")"; }
    }
    return text;
  }
  function featureName(layer, props, fid) {
    var candidates = ["name", "route_name", "stop_name", "district_name"];
    for (var i = 0; i < candidates.length; i++) {
      if (props[candidates[i]]) { return String(props[candidates[i]]); }
    }
    var c = classOf(layer, props);
    return c ? c.label : T.feature + " " + fid;
  }
  /* the attributes of one feature, under the field titles of its layer file */
  function attributeTable(layer, props, fid) {
    var rows = layer.fields.filter(function (f) {
      return props[f.name] !== null && props[f.name] !== undefined && props[f.name] !== "";
    }).map(function (f) {
      return el("tr", { "data-field": f.name }, [el("th", { scope: "row" }, [f.title]),
        el("td", {}, [valueText(layer, f.name, props[f.name])])]);
    });
    var table = el("table", { "class": "attr-table" }, [
      el("caption", {}, [layer.title + ": " + featureName(layer, props, fid)]), el("tbody", {}, rows)]);
    var api = el("a", { href: layer.items + "/" + fid, "class": "item-link" }, [T.open_item]);
    return el("div", { "class": "feature-popup", "data-layer": layer.id }, [table, el("p", {}, [api])]);
  }

  /* ---- drawing: one VectorGrid per layer, styled from its style classes ---- */
  L.control.zoom({ zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out }).addTo(map);
  map.createPane("kasane-overlays").style.zIndex = "350";

  function styleFor(layer) {
    return function (props, zoom) {
      var c = classOf(layer, props);
      var colour = c ? c.color : layer.color;
      var alpha = layer.shape === "polygon" ? layer.opacity : 0.95;
      // points are thinned to small dots at low zoom, so a prefecture of them stays readable
      var radius = zoom < 10 ? 2.5 : zoom < 13 ? 4 : 6;
      return {
        fill: layer.shape !== "line", fillColor: colour, fillOpacity: alpha,
        stroke: layer.shape !== "polygon" || Boolean(c && c.outline),
        color: layer.shape === "point" ? "#1a1a1a" : (c && c.outline) || colour,
        weight: layer.shape === "line" ? (zoom < 11 ? 2 : 3) : layer.shape === "point" ? (zoom < 10 ? 0.5 : 1) : 1,
        radius: radius
      };
    };
  }
  cfg.layers.forEach(function (layer, i) {
    byId[layer.id] = layer;
    if (!layer.loaded) { return; }
    var styles = {};
    styles[layer.id] = styleFor(layer);
    var grid = L.vectorGrid.protobuf(layer.tiles, {
      rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: true,
      getFeatureId: function (f) { f.properties.__fid = f.id; return f.id; },
      minZoom: layer.min_zoom, maxZoom: 18, pane: "kasane-overlays",
      zIndex: Z_ORDER[layer.shape] + i  // credits are in the layer panel, not over the map
    });
    grid.on("click", function (e) {
      var props = e.layer.properties || {};
      L.popup({ maxWidth: 320 }).setLatLng(e.latlng)
        .setContent(attributeTable(layer, props, props.__fid)).openOn(map);
    });
    grid.on("load", function () { document.body.setAttribute("data-drawn-" + layer.id, "yes"); });
    layers[layer.id] = grid;
    opacity[layer.id] = cfg.opacity[layer.id] !== undefined ? cfg.opacity[layer.id] : 1;
    grid.setOpacity(opacity[layer.id]);
  });

  function enabledIds() {
    return cfg.layers.map(function (l) { return l.id; })
      .filter(function (id) { return layers[id] && map.hasLayer(layers[id]); });
  }
  function zoomNotes() {
    var z = map.getZoom();
    cfg.layers.forEach(function (layer) {
      var note = document.getElementById("zoom-note-" + layer.id);
      if (note) { note.hidden = !(layers[layer.id] && map.hasLayer(layers[layer.id]) && (z < layer.min_zoom || z > layer.max_zoom)); }
    });
  }

  /* ---- the URL follows the state ---- */
  function remember() {
    var q = new URLSearchParams();
    q.set("layers", enabledIds().join(","));
    var faded = Object.keys(opacity).filter(function (id) { return opacity[id] < 1; })
      .map(function (id) { return id + ":" + opacity[id].toFixed(2); });
    if (faded.length) { q.set("opacity", faded.join(",")); }
    var c = map.getCenter();
    q.set("c", c.lat.toFixed(5) + "," + c.lng.toFixed(5));
    q.set("z", String(Math.round(map.getZoom())));
    q.set("lang", cfg.lang);
    window.history.replaceState(null, "", window.location.pathname + "?" + q.toString());
    var share = document.getElementById("share-link");
    if (share) { share.href = window.location.href; }
  }

  /* ---- the panel ---- */
  Object.keys(layers).forEach(function (id) {
    var box = document.getElementById("layer-" + id);
    var range = document.getElementById("opacity-" + id);
    if (cfg.enabled.indexOf(id) >= 0) { layers[id].addTo(map); }
    if (box) {
      box.addEventListener("change", function () {
        if (box.checked) { layers[id].addTo(map); } else { map.removeLayer(layers[id]); }
        zoomNotes(); remember(); scheduleTable();
      });
    }
    if (range) {
      range.addEventListener("input", function () {
        opacity[id] = Number(range.value) / 100;
        layers[id].setOpacity(opacity[id]);
        range.setAttribute("aria-valuetext", range.value + "%");
        remember();
      });
    }
  });

  /* ---- text alternatives: features in view, features at the centre ---- */
  function bboxText(bounds) {
    return [Math.max(bounds.getWest(), -180), Math.max(bounds.getSouth(), -90),
      Math.min(bounds.getEast(), 180), Math.min(bounds.getNorth(), 90)]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }
  function getJSON(url) {
    return fetch(url).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.detail || body.title || String(r.status)); }
        return body;
      });
    });
  }
  function viewTable(layer, doc, bbox) {
    var fields = layer.fields.filter(function (f) { return f.in_tiles; }).slice(0, 6);
    var head = el("tr", {}, fields.map(function (f) { return el("th", { scope: "col" }, [f.title]); })
      .concat([el("th", { scope: "col" }, ["API"])]));
    var rows = doc.features.map(function (f) {
      return el("tr", {}, fields.map(function (field) {
        var v = f.properties[field.name];
        return el("td", {}, [v === null || v === undefined ? "" : valueText(layer, field.name, v)]);
      }).concat([el("td", {}, [el("a", { href: layer.items + "/" + f.id }, [String(f.id)])])]));
    });
    var matched = doc.numberMatched !== undefined ? doc.numberMatched : doc.features.length;
    var count = doc.features.length + " " + T.shown_of + matched + T.shown_of_end;
    var csv = layer.items + "?f=csv&limit=10000&bbox=" + bbox;
    var wrap = el("div", { "class": "table-wrap", role: "region", tabindex: "0", "aria-label": layer.title }, [
      el("table", { "class": "data-table", "data-layer": layer.id }, [
        el("caption", {}, [layer.title + " — " + count]), el("thead", {}, [head]), el("tbody", {}, rows)])]);
    return el("section", { "class": "view-layer" }, [
      doc.features.length ? wrap : el("p", {}, [layer.title + ": " + T.none_in_view]),
      el("p", {}, [el("a", { href: csv, "data-csv": layer.id }, [layer.title + " — " + T.csv])])]);
  }
  function refreshTable() {
    var seq = ++tableSeq;
    var body = document.getElementById("in-view-body");
    var ids = enabledIds();
    if (!ids.length) { body.replaceChildren(el("p", {}, [T.no_layers])); return; }
    var bbox = bboxText(map.getBounds());
    body.setAttribute("aria-busy", "true");
    Promise.all(ids.map(function (id) {
      return getJSON(byId[id].items + "?limit=50&bbox=" + bbox).then(function (doc) {
        return viewTable(byId[id], doc, bbox);
      }, function (err) { return el("p", { "class": "panel-error" }, [byId[id].title + ": " + T.error + err.message]); });
    })).then(function (parts) {
      if (seq !== tableSeq) { return; }
      body.replaceChildren.apply(body, parts);
      body.removeAttribute("aria-busy");
      document.body.setAttribute("data-in-view", String(seq));
    });
  }
  function scheduleTable() {
    window.clearTimeout(tableTimer);
    tableTimer = window.setTimeout(refreshTable, 300);
  }
  function featuresHere() {
    var body = document.getElementById("here-body");
    var centre = map.latLngToContainerPoint(map.getCenter());
    var box = L.latLngBounds(map.containerPointToLatLng(centre.subtract([12, 12])),
      map.containerPointToLatLng(centre.add([12, 12])));
    var bbox = bboxText(box);
    body.replaceChildren(el("p", {}, [T.loading]));
    Promise.all(enabledIds().map(function (id) {
      return getJSON(byId[id].items + "?limit=10&bbox=" + bbox).then(function (doc) {
        return doc.features.map(function (f) {
          var layer = byId[id];
          return el("li", { "data-layer": id }, [el("details", {}, [
            el("summary", {}, [layer.title + ": " + featureName(layer, f.properties, f.id)]),
            attributeTable(layer, f.properties, f.id)])]);
        });
      }, function () { return []; });
    })).then(function (lists) {
      var items = [].concat.apply([], lists);
      body.replaceChildren(items.length ? el("ul", { "class": "here-list" }, items) : el("p", {}, [T.here_none]));
      document.getElementById("here-heading").focus();  // the next Tab reaches the first feature
      document.body.setAttribute("data-here", "ready");
    });
  }
  document.getElementById("features-here").addEventListener("click", featuresHere);
  map.on("keypress", function (e) {
    if (e.originalEvent.key === "Enter" && e.originalEvent.target === map.getContainer()) { featuresHere(); }
  });

  map.on("moveend", function () { zoomNotes(); remember(); scheduleTable(); });
  zoomNotes();
  remember();
  refreshTable();
  var slot = document.getElementById("map-search");
  if (slot && window.KasaneSearch) { window.KasaneSearch.mount(slot, { map: map, lang: cfg.lang, words: cfg.search_words }); }
  window.kasaneIntegratedMap = { map: map, layers: layers };  // for tests and the search box
  document.body.setAttribute("data-integrated-map", "ready");
}());
