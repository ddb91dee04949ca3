/* The static edition of /map/hazard (kasane export static): the answers the live page asks
   Kasane's API for are computed here from the exported files, so the page works from any
   static web server with no Kasane and no database behind it.
   - shelter markers and "nearest open shelter": data/shelters.json (status as exported);
   - "hazards here": point-in-polygon on the hazard areas of the one chunk file
     (areas/{layer}/{x}/{y}.json, tiles of cfg.static.chunk_zoom) that holds the point.
   The answers have the shape of /api/shelters/map, /api/hazards/at and /api/shelters/nearest,
   so hazardmap.js draws them the same way. */
window.KasaneStatic = (function () {
  "use strict";
  var OPEN = { open: true, permanent: true };
  var EARTH_M = 6371008.8;
  var REFRESH_MS = 30000;

  function getJSON(url, missingOk) {
    return fetch(url, { cache: "no-cache" }).then(function (r) {
      if (r.status === 404 && missingOk) { return null; }
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.json();
    });
  }
  function chunkOf(lat, lon, z) {
    var n = Math.pow(2, z);
    var rad = lat * Math.PI / 180;
    var x = Math.floor((lon + 180) / 360 * n);
    var y = Math.floor((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2 * n);
    return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
  }
  /* even-odd rule over every ring: holes count once more, so a point in a hole is outside */
  function inRings(rings, lon, lat) {
    var inside = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) {
          inside = !inside;
        }
      }
    });
    return inside;
  }
  function contains(geom, lon, lat) {
    if (!geom) { return false; }
    if (geom.type === "Polygon") { return inRings(geom.coordinates, lon, lat); }
    if (geom.type === "MultiPolygon") {
      return geom.coordinates.some(function (p) { return inRings(p, lon, lat); });
    }
    if (geom.type === "GeometryCollection") {
      return geom.geometries.some(function (g) { return contains(g, lon, lat); });
    }
    return false;
  }
  function distanceAndBearing(lat1, lon1, lat2, lon2) {
    var r = Math.PI / 180;
    var p1 = lat1 * r, p2 = lat2 * r, dp = (lat2 - lat1) * r, dl = (lon2 - lon1) * r;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    var d = 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(a)));
    var y = Math.sin(dl) * Math.cos(p2);
    var x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
    return { m: d, deg: (Math.atan2(y, x) / r + 360) % 360 };
  }

  /* as the server words a time (webmap.stale.as_of_text): Japan time, to the minute */
  function japanTime(iso, lang) {
    var t = new Date(new Date(iso).getTime() + 9 * 3600 * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    var hm = two(t.getUTCHours()) + ":" + two(t.getUTCMinutes());
    if (lang === "ja") {  // the era calendar, as gis.platform.era (Reiwa: from 2019-05-01)
      var y = t.getUTCFullYear() - 2018;
      return "令和" + (y === 1 ? "元" : y) + "年" + (t.getUTCMonth() + 1) + "月" + t.getUTCDate() + "日 " + hm;
    }
    var day = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" }).format(t);
    return day + " " + hm + " (Japan time)";
  }

  function api(cfg) {
    var S = cfg.static;
    var shelters = null;
    var fetchedAt = 0;

    function allShelters() {
      if (shelters && Date.now() - fetchedAt < REFRESH_MS) { return shelters; }
      fetchedAt = Date.now();
      shelters = getJSON(S.shelters).then(function (fc) {
        var when = document.getElementById("status-as-of");
        if (when && fc.status_as_of) {
          when.setAttribute("datetime", fc.status_as_of);
          when.textContent = japanTime(fc.status_as_of, cfg.lang);
        }
        return fc;
      });
      shelters.catch(function () { shelters = null; });
      return shelters;
    }
    function point(q) {
      var p = new URLSearchParams(q);
      return { lat: parseFloat(p.get("lat")), lon: parseFloat(p.get("lon")) };
    }
    function featuresAt(layer, pt) {
      var b = S.bounds[layer];
      if (!b || pt.lon < b[0] || pt.lon > b[2] || pt.lat < b[1] || pt.lat > b[3]) { return Promise.resolve([]); }
      var c = chunkOf(pt.lat, pt.lon, S.chunk_zoom);
      var url = S.areas.replace("{layer}", layer).replace("{x}", c.x).replace("{y}", c.y);
      return getJSON(url, true).then(function (features) {
        return (features || []).filter(function (f) { return contains(f.geometry, pt.lon, pt.lat); })
          .map(function (f) { return f.properties; });
      });
    }
    function classOf(spec, value) {
      for (var i = 0; i < spec.classes.length; i++) {
        if (String(spec.classes[i].value) === String(value)) { return spec.classes[i]; }
      }
      return null;
    }
    function hazardOf(spec, rows) {
      var red = S.red_zones;
      var flood = spec.kind === "flood_depth";
      rows.sort(flood ? function (a, b) { return (b.depth_rank || 0) - (a.depth_rank || 0); } : function (a, b) {
        var ra = red.indexOf(a.zone_class) < 0 ? 1 : 0, rb = red.indexOf(b.zone_class) < 0 ? 1 : 0;
        return ra - rb || a.fid - b.fid;
      });
      var worst = rows[0] || null;
      var cls = worst ? classOf(spec, worst[spec.property]) : null;
      return {
        layer: spec.layer, kind: spec.kind, hazard: spec.hazard, title: spec.title, inside: rows.length > 0,
        depth_rank: flood && worst ? worst.depth_rank : null, zone_class: !flood && worst ? worst.zone_class : null,
        label: cls ? cls.label : null, color: cls ? cls.color : null
      };
    }
    allShelters();  // says from the start when the status was exported
    return {
      markers: function (bbox) {
        var b = bbox.map(Number);
        return allShelters().then(function (fc) {
          var inside = fc.features.filter(function (f) {
            var c = f.geometry.coordinates;
            return c[0] >= b[0] && c[0] <= b[2] && c[1] >= b[1] && c[1] <= b[3];
          });
          return { type: "FeatureCollection", features: inside.slice(0, S.marker_limit), truncated: inside.length > S.marker_limit };
        }).catch(function () { return null; });
      },
      hazardsAt: function (q) {
        var pt = point(q);
        var asked = S.hazard_layers.map(function (spec) {
          return featuresAt(spec.layer, pt).then(function (rows) { return hazardOf(spec, rows); });
        });
        var admin = S.admin_layer ? featuresAt(S.admin_layer, pt) : Promise.resolve([]);
        return Promise.all([Promise.all(asked), admin]).then(function (both) {
          var m = both[1][0];
          return {
            lat: pt.lat, lon: pt.lon, hazards: both[0],
            municipality: m ? { lg_code: m.lg_code, name: m.name, pref_name: m.pref_name } : null
          };
        });
      },
      nearest: function (q, hazard) {
        var pt = point(q);
        return allShelters().then(function (fc) {
          var found = [];
          fc.features.forEach(function (f, order) {
            var p = f.properties;
            if (!OPEN[p.open_state] || (p.hazards || []).indexOf(hazard) < 0) { return; }
            var c = f.geometry.coordinates;
            var db = distanceAndBearing(pt.lat, pt.lon, c[1], c[0]);
            found.push({ order: order, p: p, d: db });
          });
          found.sort(function (a, b) { return a.d.m - b.d.m || a.order - b.order; });
          return {
            lat: pt.lat, lon: pt.lon, hazard: hazard, open: true, n: 5,
            shelters: found.slice(0, 5).map(function (s) {
              var p = s.p;
              return {
                shelter_id: p.shelter_id, name: p.name, address: p.address, kind: p.kind,
                capacity: p.capacity, hazards: p.hazards, distance_m: Math.round(s.d.m * 10) / 10,
                bearing_deg: Math.round(s.d.deg * 10) / 10, direction: S.directions[Math.round(s.d.deg / 45) % 8],
                status: p.open_state, status_label: p.open_state_label, crowding: p.crowding,
                crowding_label: p.crowding_label
              };
            })
          };
        });
      }
    };
  }
  /* the live page reads lat, lon, z, c and layers from its URL on the server; here, the
     page's own script does (values it cannot read are ignored) */
  function restore(cfg, map) {
    var q = new URLSearchParams(window.location.search);
    function num(text, limit) {
      var v = parseFloat(text);
      return isFinite(v) && Math.abs(v) <= limit ? v : null;
    }
    var lat = num(q.get("lat"), 90), lon = num(q.get("lon"), 180);
    var point = lat !== null && lon !== null ? { lat: lat, lon: lon } : null;
    var c = (q.get("c") || "").split(",");
    var centre = c.length === 2 && num(c[0], 90) !== null && num(c[1], 180) !== null ? [num(c[0], 90), num(c[1], 180)] : null;
    var z = parseInt(q.get("z") || "", 10);
    if (!(z >= map.getMinZoom() && z <= map.getMaxZoom())) { z = null; }
    if (point) { cfg.point = point; }
    if (q.has("layers")) {
      cfg.layers = q.get("layers").split(",").filter(function (k) { return k; });
      document.querySelectorAll("#layer-switch input[name=layers]").forEach(function (box) {
        box.checked = cfg.layers.indexOf(box.value) >= 0;
      });
    }
    if (centre || point || z !== null) {
      map.setView(centre || (point ? [point.lat, point.lon] : map.getCenter()), z !== null ? z : centre || point ? 15 : map.getZoom());
    }
  }
  return { api: api, restore: restore };
}());
