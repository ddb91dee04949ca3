/* Kasane search box: addresses and place names from GET /api/search, as an ARIA 1.2 combobox.
 *
 * One call mounts it in any element (the map pages, the integrated map's search slot):
 *
 *   KasaneSearch.mount(element, { map: leafletMap, lang: "ja", onChoose: function (feature) {} });
 *
 * Every option is optional. With `map`, searches prefer results near the map centre and choosing
 * a result moves the map there (unless `onChoose` returns false). `onChoose` gets the GeoJSON
 * Feature of the result. Keyboard: type, Down/Up to move through the suggestions, Enter to
 * choose (the first one when none is highlighted), Escape to close (again to clear). The focus
 * stays in the input (aria-activedescendant names the highlighted option) and a polite live
 * region says how many suggestions there are. Self-contained: no library, its own CSS
 * (css/search-box.css), its own words in Japanese and English, or `opts.words` from the page's
 * catalogue (label, help, list, found with {n}, none, failed, chosen with {label}, searching). */
(function () {
  "use strict";
  var WORDS = {
    ja: {
      label: "住所・地名で探す",
      help: "例: 中央2-3、湯田温泉、避難所の名前。↓↑で候補を選び Enter で決定します。",
      list: "検索の候補",
      found: function (n) { return "候補が " + n + " 件あります。↓キーで選べます。"; },
      none: "見つかりませんでした。別の書き方（町名だけ、番地なし）でお試しください。",
      failed: "検索できませんでした。しばらくしてからお試しください。",
      chosen: function (label) { return "「" + label + "」を選びました。"; },
      searching: "検索中…"
    },
    en: {
      label: "Search an address or place",
      help: "E.g. 中央2-3, 湯田温泉, a shelter's name. Use Down/Up to pick a suggestion, Enter to choose.",
      list: "Search suggestions",
      found: function (n) { return n + (n === 1 ? " suggestion" : " suggestions") + ". Use the down arrow to choose."; },
      none: "Nothing found. Try another spelling (the town only, without numbers).",
      failed: "Search failed. Please try again shortly.",
      chosen: function (label) { return "Chose " + label + "."; },
      searching: "Searching…"
    }
  };
  /* words handed over by the page (any language of its catalogue): {n} and {label} filled in */
  function fromServer(w) {
    var fill = function (text, key, value) { return text.split("{" + key + "}").join(value); };
    return {
      label: w.label, help: w.help, list: w.list, none: w.none, failed: w.failed, searching: w.searching,
      found: function (n) { return fill(w.found, "n", String(n)); },
      chosen: function (label) { return fill(w.chosen, "label", label); }
    };
  }
  var ZOOM = { block: 17, town: 15, municipality: 12, place: 16 };
  var counter = 0;

  function make(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function mount(host, options) {
    var opts = options || {};
    var lang = opts.lang || (document.documentElement.lang === "en" ? "en" : "ja");
    var W = WORDS[lang] || (opts.words ? fromServer(opts.words) : WORDS.en);
    var endpoint = opts.endpoint || "/api/search";
    var id = "ksearch-" + (++counter);
    var box = make("div", { "class": "ksearch" });
    var label = make("label", { "for": id + "-input", "class": "ksearch-label" }, opts.label || W.label);
    var input = make("input", {
      id: id + "-input", type: "text", role: "combobox", "aria-autocomplete": "list",
      "aria-expanded": "false", "aria-controls": id + "-list", "aria-describedby": id + "-help",
      autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "search",
      "class": "ksearch-input"
    });
    var help = make("p", { id: id + "-help", "class": "ksearch-help" }, W.help);
    var list = make("ul", { id: id + "-list", role: "listbox", "aria-label": W.list, "class": "ksearch-list" });
    var status = make("p", { "class": "ksearch-status", role: "status", "aria-live": "polite" });
    list.hidden = true;
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(help);
    box.appendChild(list);
    box.appendChild(status);
    host.appendChild(box);

    var results = [];
    var active = -1;
    var seq = 0;
    var timer = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(i) {
      var items = list.children;
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = i;
      if (i < 0 || !items[i]) { input.removeAttribute("aria-activedescendant"); return; }
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      if (items[i].scrollIntoView) { items[i].scrollIntoView({ block: "nearest" }); }
    }
    function show(features) {
      results = features;
      list.replaceChildren();
      features.forEach(function (f, i) {
        var p = f.properties;
        var item = make("li", { id: id + "-opt-" + i, role: "option", "aria-selected": "false", "class": "ksearch-option" });
        item.appendChild(make("span", { "class": "ksearch-main" }, p.label));
        item.appendChild(make("span", { "class": "ksearch-sub" }, p.precision_label + " · " + p.layer_title));
        item.addEventListener("mousedown", function (e) { e.preventDefault(); });
        item.addEventListener("click", function () { choose(i); });
        list.appendChild(item);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (features.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = W.found(features.length);
      } else {
        close();
        status.textContent = W.none;
      }
    }
    function choose(i) {
      var f = results[i];
      if (!f) { return; }
      input.value = f.properties.label;
      close();
      status.textContent = W.chosen(f.properties.label);
      var moved = opts.onChoose ? opts.onChoose(f) : undefined;
      if (opts.map && moved !== false) {
        var c = f.geometry.coordinates;
        opts.map.setView([c[1], c[0]], Math.max(opts.map.getZoom(), ZOOM[f.properties.precision] || 15));
      }
    }
    function near() {
      if (!opts.map) { return ""; }
      var c = opts.map.getCenter();
      return "&near=" + c.lng.toFixed(5) + "," + c.lat.toFixed(5);
    }
    function search(text) {
      var mine = ++seq;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?q=" + encodeURIComponent(text) + "&limit=" + (opts.limit || 8) + "&lang=" + lang + near();
      box.setAttribute("aria-busy", "true");
      fetch(url, controller ? { signal: controller.signal } : {})
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (body) { if (mine === seq) { box.removeAttribute("aria-busy"); show(body.features || []); } })
        .catch(function (err) {
          if (mine !== seq || (err && err.name === "AbortError")) { return; }
          box.removeAttribute("aria-busy");
          close();
          status.textContent = W.failed;
        });
    }

    input.addEventListener("input", function () {
      var text = input.value.trim();
      window.clearTimeout(timer);
      if (!text) { seq++; results = []; list.replaceChildren(); close(); status.textContent = ""; return; }
      timer = window.setTimeout(function () { search(text); }, opts.delayMs === undefined ? 150 : opts.delayMs);
    });
    input.addEventListener("keydown", function (e) {
      var n = results.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden && n) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (n) { highlight((active + 1) % n); }
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        if (n && !list.hidden) { highlight(active <= 0 ? n - 1 : active - 1); }
      } else if (e.key === "Enter") {
        if (!list.hidden && n) { e.preventDefault(); choose(active >= 0 ? active : 0); }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); } else if (input.value) { input.value = ""; status.textContent = ""; }
      } else if (e.key === "Home" || e.key === "End") {
        if (!list.hidden) { close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
    return { input: input, element: box, close: close };
  }

  window.KasaneSearch = { mount: mount };
}());
