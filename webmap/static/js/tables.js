/* Table helpers shared by Kasane's page scripts (no libraries). */
(function () {
  "use strict";
  /* Replace a table's body with rows of cell texts; the first cell of a row is its header. */
  function replaceRows(table, rows) {
    var body = table.querySelector("tbody");
    var fresh = document.createElement("tbody");
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (value, i) {
        var cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) { cell.setAttribute("scope", "row"); }
        cell.textContent = value;
        tr.appendChild(cell);
      });
      fresh.appendChild(tr);
    });
    table.replaceChild(fresh, body);
  }
  window.KasaneTables = { replaceRows: replaceRows };
})();
