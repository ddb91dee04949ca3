/* Dead-zone page maps: districts by status (following the year slider's "kasane:year" event),
 * 5G mesh cells for a year, and the area-statistics choropleth. The Leaflet maps themselves are
 * made by folium (webmap/planners/maps.py); each slot names its map in data-map.
 * Every map has a text alternative in the page: a caption and a table. */
(function () {
  "use strict";
  if (!window.L || !window.fetch) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "ja";

  function mapIn(slot) { return slot && window[slot.getAttribute("data-map")]; }
  function styles(slot) { return JSON.parse(slot.getAttribute("data-styles") || "{}"); }
  function fill(template, values) {
    return Object.keys(values).reduce(function (text, key) {
      return text.split("{" + key + "}").join(String(values[key]));
    }, template);
  }
  function withParams(base, params) {
    var url = new URL(base, window.location.href);
    Object.keys(params).forEach(function (key) { url.searchParams.set(key, params[key]); });
    return url.pathname + url.search;
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }
  var replaceRows = window.KasaneTables.replaceRows;
  /* One GeoJSON layer per map, replaced on each redraw; the latest request wins. */
  function redrawer(map) {
    var layer = null;
    var ticket = 0;
    return function (url, makeLayer, after) {
      var mine = ++ticket;
      map.getContainer().setAttribute("aria-busy", "true");
      return getJSON(url).then(function (data) {
        if (mine !== ticket) { return; }
        if (layer) { map.removeLayer(layer); }
        layer = makeLayer(data).addTo(map);
        after(data, layer);
      }).then(function () {
        if (mine === ticket) { map.getContainer().removeAttribute("aria-busy"); }
      });
    };
  }

  /* ---- districts by status as of the chosen year ---- */
  (function () {
    var slot = document.getElementById("deadzone-map");
    var map = mapIn(slot);
    if (!map) { return; }
    var classes = styles(slot);
    var draw = redrawer(map);
    var caption = document.getElementById("dz-map-caption");
    var table = document.getElementById("district-table");
    function look(status) {
      var c = classes[status] || classes.unresolved;
      var unresolved = status !== "resolved";
      return {
        color: c.outline, weight: unresolved ? 3 : 2, dashArray: unresolved ? null : "3 4",
        fillColor: c.color, fillOpacity: unresolved ? 0.6 : 0.25,
        className: "dz-feature dz-" + (unresolved ? "unresolved" : "resolved")
      };
    }
    function label(status) { return (classes[status] || {}).label || status; }
    function show(year) {
      var url = withParams(slot.getAttribute("data-districts-url"), { as_of: year });
      draw(url, function (data) {
        return L.geoJSON(data, {
          style: function (f) { return look(f.properties.status_as_of); },
          pointToLayer: function (f, latlng) {
            var style = look(f.properties.status_as_of);
            style.radius = f.properties.status_as_of === "resolved" ? 6 : 8;
            return L.circleMarker(latlng, style);
          },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(f.properties.district_name + ": " + label(f.properties.status_as_of));
          }
        });
      }, function (data) {
        var counts = { unresolved: 0, resolved: 0 };
        data.features.forEach(function (f) { counts[f.properties.status_as_of] += 1; });
        caption.textContent = fill(slot.getAttribute("data-caption-template"), {
          year: data.as_of, total: data.features.length,
          unresolved: counts.unresolved, resolved: counts.resolved
        });
        replaceRows(table, data.features.map(function (f) {
          var p = f.properties;
          return [p.district_name, p.lg_code, p.households === null ? "—" : p.households,
                  label(p.status_as_of)];
        }));
        slot.setAttribute("data-drawn-year", String(data.as_of));
      }).catch(function () { caption.textContent = slot.getAttribute("data-error-text"); });
    }
    document.addEventListener("kasane:year", function (event) { show(event.detail.year); });
    show(slot.getAttribute("data-as-of"));
  })();

  /* ---- 5G mesh cells: has an advanced station in the chosen year ---- */
  (function () {
    var slot = document.getElementById("mesh-map");
    var map = mapIn(slot);
    if (!map) { return; }
    var classes = styles(slot);
    var draw = redrawer(map);
    var select = document.getElementById("mesh-year");
    var caption = document.getElementById("mesh-map-caption");
    function look(has) {
      var c = classes[has ? "true" : "false"];
      return {
        color: has ? "#003F63" : "#555555", weight: has ? 2 : 1, dashArray: has ? null : "3 4",
        fillColor: c.color, fillOpacity: has ? 0.6 : 0.15,
        className: "mesh-cell mesh-" + (has ? "with" : "without")
      };
    }
    function show(year) {
      var url = withParams(slot.getAttribute("data-cells-url"), { year: year });
      draw(url, function (data) {
        return L.geoJSON(data, {
          style: function (f) { return look(f.properties.has_station); },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(f.properties.mesh_code + ": " +
              classes[f.properties.has_station ? "true" : "false"].label);
          }
        });
      }, function (data) {
        var total = data.features.length;
        var withStation = data.features.filter(function (f) { return f.properties.has_station; }).length;
        caption.textContent = fill(slot.getAttribute("data-caption-template"), {
          year: data.year, total: total, "with": withStation,
          rate: total ? (100 * withStation / total).toFixed(1) + "%" : "—"
        });
        slot.setAttribute("data-drawn-year", String(data.year));
      }).catch(function () { caption.textContent = slot.getAttribute("data-error-text"); });
    }
    select.addEventListener("change", function () { show(select.value); });
    document.getElementById("mesh-year-form").addEventListener("submit", function (event) {
      event.preventDefault();
      show(select.value);
    });
    document.addEventListener("kasane:year", function (event) {
      var year = String(event.detail.year);
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === year; });
      if (known && select.value !== year) { select.value = year; show(year); }
    });
    if (select.value) { show(select.value); }
  })();

  /* ---- area statistics as a choropleth ---- */
  (function () {
    var slot = document.getElementById("stats-map");
    var map = mapIn(slot);
    if (!map) { return; }
    var form = document.getElementById("stats-form");
    var layerSelect = document.getElementById("stats-layer");
    var unitSelect = document.getElementById("stats-unit");
    var caption = document.getElementById("stats-caption");
    var legend = document.getElementById("stats-legend");
    var table = document.getElementById("stats-table");
    var draw = redrawer(map);
    var renderer = L.canvas();
    // colour-blind-safe sequential classes (ColorBrewer YlOrBr) after a "none" class
    var PALETTE = ["#FED98E", "#FE9929", "#D95F0E", "#993404"];
    var NONE = "#F2F2F2";
    var MEASURES = {
      count: { ja: "件数", en: "Count", scale: 1, digits: 0, unit: "" },
      length_m: { ja: "延長 (km)", en: "Length (km)", scale: 1e-3, digits: 2, unit: " km" },
      area_m2: { ja: "面積 (km²)", en: "Area (km²)", scale: 1e-6, digits: 3, unit: " km²" }
    };
    function format(value, measure) {
      var m = MEASURES[measure];
      return (value * m.scale).toLocaleString(lang === "en" ? "en" : "ja",
        { minimumFractionDigits: m.digits, maximumFractionDigits: m.digits });
    }
    /* Classes: one for zero, then up to four quantile classes of the positive values. */
    function breaks(values) {
      var positive = values.filter(function (v) { return v > 0; }).sort(function (a, b) { return a - b; });
      var tops = [];
      for (var i = 1; i <= PALETTE.length; i += 1) {
        var top = positive[Math.ceil(i * positive.length / PALETTE.length) - 1];
        if (top !== undefined && tops.indexOf(top) < 0) { tops.push(top); }
      }
      return tops;
    }
    function classOf(value, tops) {
      if (!(value > 0)) { return -1; }
      for (var i = 0; i < tops.length; i += 1) { if (value <= tops[i]) { return i; } }
      return tops.length - 1;
    }
    function classLabels(tops, measure) {
      var labels = [lang === "en" ? "None (0)" : "なし（0）"];
      var low = 0;
      tops.forEach(function (top) {
        labels.push(format(low, measure) + " < … ≤ " + format(top, measure));
        low = top;
      });
      return labels;
    }
    function show() {
      var base = slot.getAttribute("data-api").replace("LAYER", encodeURIComponent(layerSelect.value));
      var geojson = withParams(base, { by: unitSelect.value, f: "geojson" });
      document.getElementById("stats-csv").href = withParams(base, { by: unitSelect.value, f: "csv" });
      document.getElementById("stats-geojson").href = geojson;
      var layerName = layerSelect.options[layerSelect.selectedIndex].text;
      var unitName = unitSelect.options[unitSelect.selectedIndex].text;
      var tops = [];
      var labels = [];
      draw(geojson, function (data) {
        tops = breaks(data.features.map(function (f) { return f.properties.value; }));
        labels = classLabels(tops, data.measure);
        return L.geoJSON(data, {
          renderer: renderer,
          style: function (f) {
            var k = classOf(f.properties.value, tops);
            return { color: "#555555", weight: 0.6, fillColor: k < 0 ? NONE : PALETTE[k], fillOpacity: 0.75 };
          },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(f.properties.name + ": " + format(f.properties.value, data.measure));
          }
        });
      }, function (data, layer) {
        var m = MEASURES[data.measure];
        var total = data.features.reduce(function (sum, f) { return sum + f.properties.value; }, 0);
        caption.textContent = fill(slot.getAttribute("data-caption-template"), {
          layer: layerName, unit: unitName, n: data.features.length, total: format(total, data.measure) + m.unit
        });
        legend.textContent = "";
        labels.forEach(function (text, i) {
          var li = document.createElement("li");
          var swatch = document.createElement("span");
          swatch.className = "swatch";
          swatch.setAttribute("aria-hidden", "true");
          swatch.style.background = i === 0 ? NONE : PALETTE[i - 1];
          li.appendChild(swatch);
          li.appendChild(document.createTextNode(text + (i === 0 ? "" : m.unit)));
          legend.appendChild(li);
        });
        document.getElementById("stats-measure").textContent = m[lang];
        replaceRows(table, data.features.map(function (f) {
          var k = classOf(f.properties.value, tops);
          return [f.properties.code, f.properties.name, format(f.properties.value, data.measure), labels[k + 1]];
        }));
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
        slot.setAttribute("data-drawn", data.layer + "/" + data.unit);
      }).catch(function () { caption.textContent = slot.getAttribute("data-error-text"); });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
    if (layerSelect.value) { show(); }
  })();
})();
