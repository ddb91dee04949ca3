/* /map/hazard: overlays (our vector tiles), shelter markers (our API, fetched fresh), and the
   text panel for a point chosen by click/tap, the lat/lon form, the map centre or the device
   location. The page URL (lat, lon, z, c, layers, lang) follows the state and restores it. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("hazard-map-config").textContent);
  var T = cfg.text;
  var map = window[cfg.map];
  if (cfg.static && window.KasaneStatic) { window.KasaneStatic.restore(cfg, map); }
  var panelBody = document.getElementById("panel-body");
  var heading = document.getElementById("panel-heading");
  var statusLine = document.getElementById("locate-status");
  var latInput = document.getElementById("check-lat");
  var lonInput = document.getElementById("check-lon");
  var layers = {};
  var current = null;
  var pointMarker = null;
  var checkSeq = 0;
  var shelterSeq = 0;
  var SHAPES = {
    emergency_site: '<circle cx="12" cy="12" r="10"/>',
    shelter: '<rect x="2.5" y="2.5" width="19" height="19"/>',
    both: '<polygon points="12,1 23,12 12,23 1,12"/>',
    welfare: '<polygon points="12,1.5 23,22 1,22"/>'
  };
  var OPEN = { open: true, permanent: true };
  /* where answers come from: our API, or (static edition) hazardmap-static.js's files */
  var api = cfg.static && window.KasaneStatic ? window.KasaneStatic.api(cfg) : {
    markers: function (bbox) {
      return fetch("/api/shelters/map?bbox=" + bbox.join(","), { cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; });
    },
    hazardsAt: function (q) { return getJSON("/api/hazards/at?" + q); },
    nearest: function (q, hazard) {
      return getJSON("/api/shelters/nearest?" + q + "&hazard=" + hazard + "&open=true&n=5");
    }
  };

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
  /* a text of the layer files or the API ({ja, en, vi, ...}) in this page's language */
  function pick(text) {
    if (!text) { return ""; }
    for (var i = 0; i < cfg.fallbacks.length; i++) {
      if (text[cfg.fallbacks[i]]) { return text[cfg.fallbacks[i]]; }
    }
    return text.ja || "";
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function distanceText(m) {
    var fmt = new Intl.NumberFormat(cfg.locale, { maximumFractionDigits: m < 1000 ? 0 : 1, minimumFractionDigits: m < 1000 ? 0 : 1 });
    return m < 1000 ? fmt.format(Math.round(m)) + " m" : fmt.format(m / 1000) + " km";
  }
  function wayText(s) {
    var dir = cfg.directions[s.direction.en] || pick(s.direction);
    return fill(T.way, { direction: dir, distance: distanceText(s.distance_m) });
  }
  function badge(status, id) {
    var attrs = { "class": "badge status-" + status, "aria-hidden": "true" };
    if (id) { attrs["data-shelter-id"] = id; attrs["data-status"] = status; }
    return el("span", attrs, [cfg.badges[status] || "?"]);
  }

  /* ---- layers ---- */
  L.control.zoom({ zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out }).addTo(map);

  function styleFor(o) {
    var byValue = {};
    o.classes.forEach(function (c) { byValue[String(c.value)] = c; });
    return function (props) {
      var c = byValue[String(props[o.property])];
      var outline = c && c.outline;
      return {
        fill: true, fillColor: c ? c.color : o.color, fillOpacity: o.opacity,
        stroke: Boolean(outline), color: outline || o.color, weight: outline ? 1 : 0
      };
    };
  }
  // hazard areas sit under the checked-point ring and the markers (overlayPane is 400)
  map.createPane("hazards").style.zIndex = "350";
  cfg.overlays.forEach(function (o, i) {
    var styles = {};
    styles[o.layer] = styleFor(o);
    layers[o.key] = L.vectorGrid.protobuf(o.tiles, {
      rendererFactory: L.canvas.tile, vectorTileLayerStyles: styles, interactive: false,
      minZoom: o.min_zoom, maxNativeZoom: o.max_zoom, maxZoom: 18, zIndex: 10 + i,
      pane: "hazards",
      bounds: o.bounds ? L.latLngBounds([o.bounds[1], o.bounds[0]], [o.bounds[3], o.bounds[2]]) : undefined
    });
  });
  if (cfg.shelters) { layers.shelters = L.layerGroup(); }

  function enabledKeys() {
    return Object.keys(layers).filter(function (k) { return map.hasLayer(layers[k]); });
  }
  function zoomNotes() {
    var z = map.getZoom();
    cfg.overlays.forEach(function (o) {
      var note = document.getElementById("zoom-note-" + o.key);
      if (note) { note.hidden = !(map.hasLayer(layers[o.key]) && z < o.min_zoom); }
    });
    var sn = document.getElementById("zoom-note-shelters");
    if (sn && cfg.shelters) { sn.hidden = !(map.hasLayer(layers.shelters) && z < cfg.shelters.min_zoom); }
  }
  Object.keys(layers).forEach(function (key) {
    var box = document.getElementById("layer-" + key);
    if (cfg.layers.indexOf(key) >= 0) { layers[key].addTo(map); }
    if (!box) { return; }
    box.addEventListener("change", function () {
      if (box.checked) { layers[key].addTo(map); } else { map.removeLayer(layers[key]); }
      if (key === "shelters") { refreshShelters(); }
      zoomNotes();
      remember();
    });
  });

  /* ---- shelter markers: always fetched fresh (no-store), so staff changes show at once ---- */
  function popup(p) {
    var kind = cfg.kinds[p.kind] || p.kind || "";
    var served = (p.hazards || []).map(function (h) { return cfg.hazards[h]; }).join(T.list_sep);
    return el("div", { "class": "shelter-popup" }, [
      el("p", {}, [el("strong", { lang: "ja" }, [p.name])]),
      el("p", {}, [kind]),
      el("p", {}, [badge(p.open_state), cfg.statuses[p.open_state] + " · " + T.crowding + ": " + cfg.crowding[p.crowding]]),
      el("p", {}, [T.served + ": " + (served || "—")])
    ]);
  }
  function icon(p) {
    var kind = SHAPES[p.kind] ? p.kind : "welfare";
    var html = '<svg class="shelter-shape" width="22" height="22" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
      SHAPES[kind] + "</svg>" + badge(p.open_state, p.shelter_id).outerHTML;
    return L.divIcon({
      className: "shelter-marker kind-" + kind + (OPEN[p.open_state] ? "" : " is-closed"),
      html: html, iconSize: [30, 28], iconAnchor: [11, 11], popupAnchor: [0, -10]
    });
  }
  function refreshShelters() {
    var group = layers.shelters;
    var seq = ++shelterSeq;
    var note = document.getElementById("shelters-note");
    if (!group || !map.hasLayer(group) || map.getZoom() < cfg.shelters.min_zoom) {
      if (group) { group.clearLayers(); }
      document.body.setAttribute("data-shelters-loaded", String(seq));
      return;
    }
    var b = map.getBounds();
    var bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
      Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)].map(function (v) { return v.toFixed(6); });
    api.markers(bbox)
      .then(function (fc) {
        if (!fc || seq !== shelterSeq) { return; }
        group.clearLayers();
        fc.features.forEach(function (f) {
          var p = f.properties;
          var c = f.geometry.coordinates;
          var title = p.name + " — " + (cfg.kinds[p.kind] || "") + " — " + cfg.statuses[p.open_state];
          L.marker([c[1], c[0]], { icon: icon(p), keyboard: false, title: title, zIndexOffset: OPEN[p.open_state] ? 1000 : 0 })
            .bindPopup(popup(p)).addTo(group);
        });
        if (note) { note.hidden = !fc.truncated; note.textContent = fc.truncated ? T.shelters_truncated : ""; }
        document.body.setAttribute("data-shelters-loaded", String(seq));
      });
  }

  /* ---- the URL follows the state ---- */
  function stateQuery(withCentre) {
    var q = new URLSearchParams();
    if (current) {
      q.set("lat", current.lat.toFixed(6));
      q.set("lon", current.lon.toFixed(6));
    }
    q.set("z", String(Math.round(map.getZoom())));
    if (withCentre) {
      var c = map.getCenter();
      q.set("c", c.lat.toFixed(6) + "," + c.lng.toFixed(6));
    }
    q.set("layers", enabledKeys().join(","));
    q.set("lang", cfg.lang);
    return window.location.pathname + "?" + q.toString();
  }
  function remember() { window.history.replaceState(null, "", stateQuery(true)); }

  /* ---- the panel ---- */
  function getJSON(url) {
    return fetch(url, { cache: "no-store" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.detail || body.title || String(r.status)); }
        return body;
      });
    });
  }
  function hazardItem(h) {
    var text;
    if (!h.inside) {
      text = pick(h.title) + ": " + T.outside;
    } else if (h.kind === "flood_depth") {
      text = pick(h.title) + ": " + pick(h.label) + " (" + T.rank + " " + h.depth_rank + ")";
    } else {
      text = pick(h.title) + ": " + pick(h.label);
    }
    var attrs = { "class": h.inside ? "hazard-in" : "hazard-out", "data-kind": h.kind };
    if (h.kind === "flood_depth" && h.inside) { attrs["data-depth-rank"] = String(h.depth_rank); }
    var swatch = h.inside ? el("span", { "class": "swatch", "aria-hidden": "true" }) : null;
    if (swatch) { swatch.style.background = h.color; }
    return el("li", attrs, [swatch, " ", text]);
  }
  function shelterItem(s) {
    var details = [cfg.kinds[s.kind] || s.kind, cfg.statuses[s.status] || s.status,
      T.crowding + ": " + (cfg.crowding[s.crowding] || pick(s.crowding_label))];
    if (s.capacity !== null && s.capacity !== undefined) {
      details.push(fill(T.capacity_n, { n: new Intl.NumberFormat(cfg.locale).format(s.capacity) }));
    }
    return el("li", { "data-shelter-id": s.shelter_id, "data-distance-m": String(s.distance_m), "data-status": s.status }, [
      badge(s.status), " ", el("strong", { lang: "ja" }, [s.name]), " — ",
      el("span", { "class": "way" }, [wayText(s)]),
      el("br"), details.join(" · "),
      s.address ? el("br") : null, s.address ? el("span", { lang: "ja" }, [s.address]) : null
    ]);
  }
  function render(point, at, lists) {
    var body = [];
    var where = T.point + ": " + T.lat + " " + point.lat.toFixed(6) + T.list_sep +
      T.lon + " " + point.lon.toFixed(6);
    var place = at.municipality ? el("span", { lang: "ja" }, [at.municipality.name]) : null;
    body.push(el("p", { id: "panel-point" }, place ? [where + " (", place, ")"] : [where]));
    body.push(el("h3", {}, [T.hazards_here]));
    body.push(el("ul", { id: "panel-hazards" }, at.hazards.map(hazardItem)));
    var anyInside = lists.some(function (entry) { return entry.hazard.inside; });
    lists.forEach(function (entry, i) {
      var h = entry.hazard;
      var id = "nearest-" + h.hazard + "-heading";
      var title = cfg.hazards[h.hazard] + T.nearest_for + (h.inside ? T.inside_first : "");
      var part = [];
      if (entry.result.shelters.length) {
        part.push(el("ol", { "class": "nearest", "data-hazard": h.hazard, "aria-labelledby": id },
          entry.result.shelters.map(shelterItem)));
      } else {
        part.push(el("p", { "class": "nearest-none", "data-hazard": h.hazard }, [T.none_open]));
      }
      if (!cfg.static) {
        var list = el("a", { href: "/shelters?hazard=" + h.hazard + "&open=true&lang=" + cfg.lang }, [T.list_link]);
        part.push(el("p", {}, [list]));
      }
      // hazards this place is inside come first and open; the others (or all but the first,
      // when the place is inside none) fold away so the panel stays short on a phone
      if (h.inside || (!anyInside && i === 0)) {
        body.push(el("h3", { id: id }, [title]));
        part.forEach(function (node) { body.push(node); });
      } else {
        body.push(el("details", { "data-hazard": h.hazard }, [el("summary", {}, [el("h3", { id: id }, [title])])].concat(part)));
      }
    });
    var share = window.location.origin + stateQuery(false);
    body.push(el("p", {}, [el("a", { id: "share-link", href: share }, [T.share])]));
    panelBody.replaceChildren.apply(panelBody, body);
    panelBody.removeAttribute("aria-busy");
  }
  function check(lat, lon, focus) {
    var seq = ++checkSeq;
    current = { lat: lat, lon: lon };
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (pointMarker) { map.removeLayer(pointMarker); }
    pointMarker = L.circleMarker([lat, lon], {
      radius: 9, color: "#1a1a1a", weight: 3, fillColor: "#ffffff", fillOpacity: 0.6, interactive: false
    }).addTo(map);
    remember();
    panelBody.setAttribute("aria-busy", "true");
    panelBody.replaceChildren(el("p", {}, [T.loading]));
    if (focus) { heading.focus(); }
    refreshShelters();
    var q = "lat=" + lat.toFixed(6) + "&lon=" + lon.toFixed(6);
    api.hazardsAt(q).then(function (at) {
      var ordered = at.hazards.slice().sort(function (a, b) { return Number(b.inside) - Number(a.inside); });
      return Promise.all(ordered.map(function (h) {
        return api.nearest(q, h.hazard)
          .then(function (result) { return { hazard: h, result: result }; });
      })).then(function (lists) {
        if (seq === checkSeq) { render({ lat: lat, lon: lon }, at, lists); }
      });
    }).catch(function (err) {
      if (seq !== checkSeq) { return; }
      panelBody.replaceChildren(el("p", { "class": "panel-error" }, [T.error + err.message]));
      panelBody.removeAttribute("aria-busy");
    });
  }

  /* ---- ways to choose a point ---- */
  map.on("click", function (e) { check(e.latlng.lat, e.latlng.lng, true); });
  map.on("keypress", function (e) {
    if (e.originalEvent.key === "Enter" && e.originalEvent.target === map.getContainer()) {
      var c = map.getCenter();
      check(c.lat, c.lng, true);
    }
  });
  document.getElementById("check-centre").addEventListener("click", function () {
    var c = map.getCenter();
    check(c.lat, c.lng, true);
  });
  document.getElementById("check-place").addEventListener("submit", function (e) {
    e.preventDefault();
    var lat = parseFloat(latInput.value.replace(",", "."));
    var lon = parseFloat(lonInput.value.replace(",", "."));
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      statusLine.textContent = T.error + T.lat + " / " + T.lon;
      return;
    }
    statusLine.textContent = "";
    map.setView([lat, lon], Math.max(map.getZoom(), 15));
    check(lat, lon, true);
  });
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation || !window.isSecureContext) {
      statusLine.textContent = T.geo_unavailable;
      return;
    }
    statusLine.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      statusLine.textContent = T.geo_found;
      map.setView([pos.coords.latitude, pos.coords.longitude], Math.max(map.getZoom(), 15));
      check(pos.coords.latitude, pos.coords.longitude, true);
    }, function (err) {
      statusLine.textContent = err.code === 1 ? T.geo_denied : T.geo_unavailable;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  /* the search box: choosing an address or a place moves the map and checks that place */
  if (window.KasaneSearch) {
    window.KasaneSearch.mount(document.getElementById("place-search"), {
      lang: cfg.lang,
      words: cfg.search_words,
      map: map,
      onChoose: function (f) {
        var c = f.geometry.coordinates;
        map.setView([c[1], c[0]], Math.max(map.getZoom(), f.properties.precision === "municipality" ? 12 : 16));
        check(c[1], c[0], true);
        return false;
      }
    });
  }

  map.on("moveend", function () { zoomNotes(); refreshShelters(); remember(); });
  zoomNotes();
  if (cfg.point) { check(cfg.point.lat, cfg.point.lon, false); } else { refreshShelters(); }
  window.setInterval(function () { if (!document.hidden) { refreshShelters(); } }, 60000);
  document.body.setAttribute("data-hazard-map", "ready");
}());
