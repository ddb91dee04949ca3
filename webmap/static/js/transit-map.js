/* Transit page map: routes and stops (each feature's color/radius_px), coverage, blank areas and
 * the population mesh as toggles, and a draft route drawn with Leaflet-Geoman (or entered as
 * GeoJSON, for keyboard users) evaluated by POST /api/transit/drafts/evaluate. The Leaflet map is
 * made by folium (webmap/transit/maps.py); its variable is named by the map container's id. */
(function () {
  "use strict";
  var slot = document.getElementById("transit-map");
  if (!slot || !window.L || !window.fetch) { return; }
  var container = slot.querySelector(".folium-map");
  var map = container && window[container.id];
  if (!map) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "ja";
  var searchSlot = document.getElementById("transit-search");
  if (searchSlot && window.KasaneSearch) { window.KasaneSearch.mount(searchSlot, { lang: lang, map: map }); }
  var data = function (name) { return slot.getAttribute("data-" + name); };
  var draftColor = data("draft-color");
  var overlays = {};
  var extent = L.latLngBounds([]);

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }
  function num(value, digits) {
    if (value === null || value === undefined) { return "—"; }
    return Number(value).toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function escapeText(text) {
    var span = document.createElement("span");
    span.textContent = text === null || text === undefined ? "—" : String(text);
    return span.innerHTML;
  }
  function toggle(id, layer) {
    var box = document.getElementById(id);
    overlays[id] = layer;
    function apply() { if (box.checked) { layer.addTo(map); } else { map.removeLayer(layer); } }
    box.addEventListener("change", apply);
    apply();
  }
  function grow(layer) {
    var bounds = layer.getBounds && layer.getBounds();
    if (bounds && bounds.isValid()) { extent.extend(bounds); map.fitBounds(extent); }
  }

  /* ---- the network and the areas ---- */
  var loads = [
    getJSON(data("coverage-url")).then(function (geojson) {
      var layer = L.geoJSON(geojson, { interactive: false, style: {
        color: data("coverage-color"), weight: 1, fillColor: data("coverage-color"), fillOpacity: 0.25 } });
      toggle("show-coverage", layer);
      grow(layer);
    }),
    getJSON(data("blank-url")).then(function (geojson) {
      var layer = L.geoJSON(geojson, { interactive: false, style: {
        color: data("blank-color"), weight: 1, fillColor: data("blank-color"), fillOpacity: 0.45 } });
      toggle("show-blank", layer);
    }),
    getJSON(data("routes-url")).then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        style: function (f) { return { color: f.properties.color || "#0072B2", weight: 3, opacity: 0.9, className: "transit-route" }; },
        onEachFeature: function (f, l) { l.bindTooltip(escapeText(f.properties.name || f.properties.route_id)); }
      });
      toggle("show-routes", layer);
      slot.setAttribute("data-routes", String(geojson.features.length));
    }),
    getJSON(data("stops-url")).then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        pointToLayer: function (f, latlng) {
          var p = f.properties;
          return L.circleMarker(latlng, { radius: p.radius_px || 4, color: "#333333", weight: 1,
            fillColor: p.color || "#888888", fillOpacity: 0.9, className: "transit-stop" });
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindPopup("<strong>" + escapeText(p.name) + "</strong><br>" +
            (lang === "en" ? "Departures: " : "発車本数：") + escapeText(p.departures) + "<br>" +
            (lang === "en" ? "First/last: " : "始発／終発：") + escapeText(p.first_departure) + " / " +
            escapeText(p.last_departure) + "<br>" +
            (lang === "en" ? "Mean headway (min): " : "平均間隔（分）：") + escapeText(p.mean_headway_min));
        }
      });
      toggle("show-stops", layer);
      slot.setAttribute("data-stops", String(geojson.features.length));
      if (!extent.isValid()) { grow(layer); }
    })
  ];
  Promise.all(loads).then(function () {
    slot.setAttribute("data-loaded", "true");
  }, function () {
    document.getElementById("map-caption").textContent =
      lang === "en" ? "Some map layers could not be loaded." : "地図の一部を読み込めませんでした。";
  });

  /* ---- population mesh: loaded the first time it is switched on ---- */
  (function () {
    var box = document.getElementById("show-population");
    var layer = null;
    box.addEventListener("change", function () {
      if (layer) { if (box.checked) { layer.addTo(map); } else { map.removeLayer(layer); } return; }
      if (!box.checked) { return; }
      var b = extent.isValid() ? extent : map.getBounds();
      var url = data("items-url") + "?limit=10000&bbox=" +
        [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      getJSON(url).then(function (geojson) {
        var most = geojson.features.reduce(function (m, f) { return Math.max(m, f.properties.population || 0); }, 1);
        layer = L.geoJSON(geojson, { interactive: false, style: function (f) {
          return { stroke: false, fillColor: "#6A3D9A", fillOpacity: 0.08 + 0.6 * (f.properties.population || 0) / most };
        } });
        layer.addTo(map);
        layer.bringToBack();
        slot.setAttribute("data-population", String(geojson.features.length));
      });
    });
  })();

  /* ---- drafting: Geoman drawing or GeoJSON, evaluated in the side panel ---- */
  var form = document.getElementById("draft-form");
  var status = document.getElementById("draft-status");
  var textarea = document.getElementById("draft-geojson");
  var typed = L.geoJSON(null, { style: { color: draftColor, weight: 4, dashArray: "8 6" },
    pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 7, color: draftColor, weight: 3 }); }
  }).addTo(map);
  /* Geoman's toolbar buttons are icon-only links titled on their wrapper: give them names. */
  function nameButtons() {
    container.querySelectorAll(".button-container").forEach(function (wrapper) {
      var button = wrapper.querySelector(".leaflet-buttons-control-button");
      var title = wrapper.getAttribute("title");
      if (button && title && button.getAttribute("aria-label") !== title) { button.setAttribute("aria-label", title); }
    });
  }
  if (map.pm) {
    map.pm.setPathOptions({ color: draftColor, weight: 4, dashArray: "8 6" });
    map.pm.setLang(lang === "en" ? "en" : "ja");
    nameButtons();
    new MutationObserver(nameButtons).observe(container.querySelector(".leaflet-control-container"),
      { childList: true, subtree: true, attributes: true, attributeFilter: ["title"] });
  }
  function drawnFeatures() {
    if (!map.pm) { return []; }
    return map.pm.getGeomanDrawLayers().map(function (layer) { return layer.toGeoJSON(); })
      .filter(function (f) { return f.geometry.type === "LineString" || f.geometry.type === "Point"; });
  }
  function describeDrawing() {
    var features = drawnFeatures();
    var count = function (type) { return features.filter(function (f) { return f.geometry.type === type; }).length; };
    status.textContent = status.getAttribute("data-drawn-text")
      .replace("{lines}", count("LineString")).replace("{stops}", count("Point"));
  }
  map.on("pm:create", describeDrawing);
  map.on("pm:remove", describeDrawing);
  document.getElementById("draft-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (file) { file.text().then(function (text) { textarea.value = text; }); }
  });
  document.getElementById("draft-clear").addEventListener("click", function () {
    if (map.pm) { map.pm.getGeomanDrawLayers().forEach(function (layer) { layer.remove(); }); }
    typed.clearLayers();
    textarea.value = "";
    document.getElementById("draft-result").hidden = true;
    describeDrawing();
  });
  function draftBody() {
    var features;
    if (textarea.value.trim()) {
      var parsed = JSON.parse(textarea.value);
      features = parsed.type === "FeatureCollection" ? parsed.features : [parsed];
      typed.clearLayers();
      typed.addData(features);
      if (typed.getBounds().isValid()) { map.fitBounds(typed.getBounds(), { maxZoom: 15 }); }
    } else {
      features = drawnFeatures();
    }
    return {
      type: "FeatureCollection",
      name: document.getElementById("draft-name").value,
      departures_per_day: Number(document.getElementById("draft-departures").value),
      features: features
    };
  }
  function showResult(result) {
    document.getElementById("gain-population").textContent = num(result.population_newly_covered, 0) +
      (lang === "en" ? " people" : " 人");
    document.getElementById("gain-blank").textContent = num(result.blank_area_removed_m2 / 1e6, 3) + " km²";
    document.getElementById("gain-overlap").textContent = num(result.overlap_m, 0) + " m (" +
      num((result.overlap_share || 0) * 100, 1) + "%)";
    document.getElementById("gain-length").textContent = num(result.length_m, 0) + " m";
    var list = document.getElementById("gain-routes");
    list.textContent = "";
    (result.overlapping_routes || []).forEach(function (o) {
      var li = document.createElement("li");
      li.textContent = (o.name || o.route) + (o.overlap_m !== undefined ? " (" + num(o.overlap_m, 0) + " m)" : "");
      list.appendChild(li);
    });
    document.getElementById("draft-result").hidden = false;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body;
    try { body = draftBody(); } catch (err) {
      status.textContent = status.getAttribute("data-error-text") + err.message;
      return;
    }
    form.setAttribute("aria-busy", "true");
    fetch(data("draft-evaluate-url"), {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.detail || json.title || ("HTTP " + response.status)); }
        return json;
      });
    }).then(function (json) {
      showResult(json.result);
      status.textContent = status.getAttribute("data-done-text");
      slot.setAttribute("data-evaluated", String(Number(slot.getAttribute("data-evaluated") || 0) + 1));
    }).catch(function (err) {
      status.textContent = status.getAttribute("data-error-text") + err.message;
    }).then(function () { form.removeAttribute("aria-busy"); });
  });
})();
