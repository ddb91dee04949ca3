/* Dead-zone tracker: the year slider updates the figures, tables and chart in place.
 * Without JavaScript the same slider submits its GET form. Kasane's own file, no libraries. */
(function () {
  "use strict";
  var form = document.getElementById("year-form");
  if (!form || !window.fetch) { return; }
  var slider = document.getElementById("as-of");
  var output = document.getElementById("as-of-value");
  var status = document.getElementById("dz-status");
  var chart = document.getElementById("trend-chart");
  var lang = form.getAttribute("data-lang");
  var timer = null;
  var ticket = 0;

  function yearLabel(year) { return lang === "en" ? String(year) : year + "年"; }
  function num(value) {
    if (value === null || value === undefined) { return "—"; }
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }
  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) { el.textContent = text; }
  }
  function fillBody(tableId, rows) {
    window.KasaneTables.replaceRows(document.getElementById(tableId), rows);
  }
  function setQuery(link, year) {
    if (!link) { return; }
    var url = new URL(link.href);
    url.searchParams.set("as_of", year);
    link.href = url.toString();
  }

  function render(data) {
    var year = data.as_of;
    var now = data.current;
    fillBody("trend-table", data.years.map(function (y) {
      return [yearLabel(y.year), y.unresolved_districts, y.unresolved_households,
              y.resolved_districts, num(y.target)];
    }));
    fillBody("muni-table", (data.municipalities || []).map(function (m) {
      return [m.name || m.lg_code, m.lg_code, m.surveyed_districts, m.resolved_districts,
              m.unresolved_districts, m.unresolved_households];
    }));
    setText("fig-districts", now.unresolved_districts);
    setText("fig-households", now.unresolved_households);
    setText("fig-target", num(now.target));
    setText("fig-resolved", now.resolved_districts);
    document.querySelectorAll(".as-of-label").forEach(function (el) { el.textContent = yearLabel(year); });
    status.textContent = form.getAttribute("data-status-template")
      .replace("{year}", String(year))
      .replace("{districts}", now.unresolved_districts)
      .replace("{households}", now.unresolved_households);
    chart.src = form.getAttribute("data-chart") + "?as_of=" + year + "&lang=" + lang;
    ["summary-csv", "summary-json", "districts-geojson"].forEach(function (id) {
      setQuery(document.getElementById(id), year);
    });
    var page = new URL(window.location.href);
    page.searchParams.set("as_of", year);
    window.history.replaceState(null, "", page.toString());
    document.dispatchEvent(new CustomEvent("kasane:year", { detail: { year: year, summary: data } }));
  }

  function load(year) {
    var mine = ++ticket;
    var url = form.getAttribute("data-api") + "?by=municipality&as_of=" + encodeURIComponent(year);
    form.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) { if (mine === ticket) { render(data); } })
      .catch(function () { if (mine === ticket) { status.textContent = form.getAttribute("data-error-text"); } })
      .then(function () { if (mine === ticket) { form.removeAttribute("aria-busy"); } });
  }

  function onSlide() {
    var label = yearLabel(slider.value);
    output.textContent = label;
    slider.setAttribute("aria-valuetext", label);
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { load(slider.value); }, 120);
  }

  slider.addEventListener("input", onSlide);
  slider.addEventListener("change", onSlide);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load(slider.value);
  });
})();
