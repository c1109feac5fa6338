/* The table of every site on the index: built from the site data (assets/data/sites.js),
 * searchable and sortable in the browser, operable by keyboard. Every value is set as text
 * (textContent), never parsed as HTML. Links are made only to http(s) record pages and to
 * the atlas's own site pages.
 */
(function () {
  "use strict";

  var SHOWN = ["name", "group", "place", "commodity", "kind", "water", "water_km", "p50",
    "p100", "p500"];
  var NUMERIC = { water_km: true, p50: true, p100: true, p500: true };
  var PAGE_SIZE = 100;

  function start() {
    var data = window.atlasSites;
    var table = document.getElementById("site-table");
    if (!data || !table) {
      return;
    }
    var root = table.getAttribute("data-root") || "";
    var search = document.getElementById("site-search");
    var status = document.getElementById("site-count");
    var more = document.getElementById("site-more");
    var records = data.rows.map(function (row, index) {
      var record = window.atlas.siteRecord(data, row);
      record.index = index;
      record.text = [record.name, record.other_names, record.place, record.commodity,
        record.kind, record.source, record.group, record.water]
        .filter(function (v) { return v !== null && v !== undefined; })
        .join(" ").toLowerCase();
      return record;
    });
    var columns = SHOWN.map(function (key) {
      return data.columns.filter(function (c) { return c.key === key; })[0];
    }).filter(Boolean);
    var sortKey = null;
    var ascending = true;
    var limit = PAGE_SIZE;

    var headRow = table.querySelector("thead tr");
    var headers = {};
    columns.forEach(function (column) {
      var th = document.createElement("th");
      th.scope = "col";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = column.label;
      button.addEventListener("click", function () {
        ascending = sortKey === column.key ? !ascending : true;
        sortKey = column.key;
        limit = PAGE_SIZE;
        draw();
      });
      th.appendChild(button);
      headers[column.key] = th;
      headRow.appendChild(th);
    });
    var mapHead = document.createElement("th");
    mapHead.scope = "col";
    mapHead.textContent = "Map";
    headRow.appendChild(mapHead);

    function compare(a, b) {
      var x = a[sortKey];
      var y = b[sortKey];
      if (x === null || x === undefined) { return y === null || y === undefined ? 0 : 1; }
      if (y === null || y === undefined) { return -1; }
      var order = NUMERIC[sortKey] ? x - y : String(x).localeCompare(String(y));
      return ascending ? order : -order;
    }

    function cell(row, column, record) {
      var td = document.createElement(column.key === "name" ? "th" : "td");
      var value = record[column.key];
      if (column.key === "name") {
        td.scope = "row";
      }
      if (NUMERIC[column.key]) {
        td.className = "number";
      }
      if (column.key === "name" && record.page) {
        var link = document.createElement("a");
        link.href = root + record.page;
        link.textContent = value;
        td.appendChild(link);
      } else if (value !== null && value !== undefined) {
        td.textContent = column.key.charAt(0) === "p" && NUMERIC[column.key]
          ? Math.round(value * 100) + "%"
          : String(value);
      }
      row.appendChild(td);
    }

    function draw() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      var found = records.filter(function (record) {
        return words.every(function (word) { return record.text.indexOf(word) >= 0; });
      });
      if (sortKey) {
        found.sort(compare);
      }
      var body = table.querySelector("tbody");
      var rows = document.createDocumentFragment();
      found.slice(0, limit).forEach(function (record) {
        var row = document.createElement("tr");
        columns.forEach(function (column) { cell(row, column, record); });
        var td = document.createElement("td");
        if (record.lat !== null && record.lon !== null) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "show-on-map";
          button.textContent = "Show";
          button.setAttribute(
            "aria-label", "Show " + record.name + " (" + record.group + ") on the map");
          button.addEventListener("click", function () {
            window.atlas.showSite(record.index, record.lat, record.lon, record.name);
          });
          td.appendChild(button);
        } else {
          td.textContent = "no location";
        }
        row.appendChild(td);
        rows.appendChild(row);
      });
      body.replaceChildren(rows);
      Object.keys(headers).forEach(function (key) {
        if (key === sortKey) {
          headers[key].setAttribute("aria-sort", ascending ? "ascending" : "descending");
        } else {
          headers[key].removeAttribute("aria-sort");
        }
      });
      var shown = Math.min(limit, found.length);
      status.textContent = found.length === records.length
        ? "Showing " + shown + " of " + records.length + " sites."
        : found.length + " of " + records.length + " sites match; showing " + shown + ".";
      more.hidden = shown >= found.length;
    }

    search.addEventListener("input", function () { limit = PAGE_SIZE; draw(); });
    more.addEventListener("click", function () { limit += 5 * PAGE_SIZE; draw(); });
    draw();
  }

  document.addEventListener("DOMContentLoaded", start);
})();
