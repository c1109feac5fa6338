/* The atlas page: how features become markers and popups. Loaded after Leaflet.
 *
 * Every text shown comes from the page data already HTML-escaped (popups of the curated
 * sites, pond, observations and plumes), or from the site data (assets/data/sites.js) set as
 * text (textContent, DOM properties), never concatenated into markup here. No network access.
 */
(function () {
  "use strict";

  function divMarker(latlng, properties, className, sizePx, html, pane) {
    var half = sizePx / 2;
    return L.marker(latlng, {
      pane: pane || "markerPane",
      icon: L.divIcon({
        className: className,
        html: html || "",
        iconSize: [sizePx, sizePx],
        iconAnchor: [half, half],
        popupAnchor: [0, -half]
      }),
      title: properties.label,
      keyboard: true,
      riseOnHover: true
    });
  }

  /* Row ``row`` of the site data (assets/data/sites.js) as an object keyed by column, the
   * shared columns' indices replaced by their values. */
  function siteRecord(data, row) {
    var record = {};
    data.columns.forEach(function (column, k) {
      var value = row[k];
      var shared = data.shared[column.key];
      record[column.key] = shared && value !== null ? shared[value] : value;
    });
    return record;
  }

  /* The popup of a USGS record, built as DOM nodes: every value set as text. */
  function recordPopup(record) {
    var box = document.createElement("div");
    box.className = "popup";
    var heading = document.createElement("h3");
    heading.textContent = record.name;
    box.appendChild(heading);
    var list = document.createElement("dl");
    function fact(label, value, href) {
      if (value === null || value === undefined || value === "") {
        return;
      }
      var term = document.createElement("dt");
      term.textContent = label;
      var detail = document.createElement("dd");
      if (href) {
        var link = document.createElement("a");
        link.href = href;
        link.rel = "noopener noreferrer";
        link.textContent = value;
        detail.appendChild(link);
      } else {
        detail.textContent = value;
      }
      list.appendChild(term);
      list.appendChild(detail);
    }
    fact("Other names", record.other_names);
    fact("Place", record.place);
    fact("Commodity", record.commodity);
    fact("Deposit type", record.kind);
    fact("Source", record.source);
    fact("Record", record.record);
    if (/^https?:\/\//i.test(record.record_url || "")) {
      fact("Record page", "open the USGS record", record.record_url);
    } else {
      fact("Record page", record.record_url);
    }
    if (record.water !== undefined) {
      fact("Nearest river or lake (screening)", record.water);
      fact("Distance to it", record.water_km === null ? null : record.water_km + " km");
    }
    box.appendChild(list);
    return box;
  }

  var records = {};
  var siteMarkers = new Map(); /* curated site markers by name, for the table's "Show" */

  window.atlas = {
    siteRecord: siteRecord,

    /* The offline basemap (assets/data/basemap.js) as non-interactive layers of ``group``,
     * styled by class (atlas-land, atlas-lake, atlas-river; see atlas.css). */
    addBasemap: function (group, data, pane, attribution) {
      ["land", "lake", "river"].forEach(function (key) {
        L.geoJson(data[key], {
          interactive: false,
          pane: pane,
          attribution: attribution,
          style: { className: "atlas-" + key }
        }).addTo(group);
      });
    },

    /* Keep ``map`` within ``bounds`` ([[south, west], [north, east]]), where its detailed
     * layers are drawn: no panning beyond it, and no zooming out past the zoom at which it
     * fills the map (computed again when the map is resized), nor past the view it opened on
     * where that view is wider (a wide map far from the equator). Called once the map has
     * its opening view. */
    keepWithin: function (map, bounds) {
      var box = L.latLngBounds(bounds);
      var floor = map.getMinZoom();
      var opening = map.getBounds();
      map.options.maxBoundsViscosity = 1.0;
      map.setMaxBounds(box);
      function fit() {
        map.options.minZoom = floor; /* getBoundsZoom never answers below the current minimum */
        map.setMinZoom(Math.min(map.getBoundsZoom(box, true), map.getBoundsZoom(opening)));
      }
      fit();
      map.on("resize", fit);
    },

    /* The located USGS records of the site data, as markers in ``cluster`` on ``map``;
     * each popup is built when it opens. */
    addRecords: function (cluster, map, data) {
      var markers = [];
      window.atlas.map = map;
      window.atlas.cluster = cluster;
      data.rows.forEach(function (row, index) {
        var record = siteRecord(data, row);
        if (record.group !== data.usgs || record.lat === null || record.lon === null) {
          return;
        }
        var marker = divMarker(
          [record.lat, record.lon], { label: record.name }, "atlas-record", 12);
        marker.bindPopup(function () { return recordPopup(record); },
          { maxWidth: 340, autoPanPadding: [16, 16] });
        records[index] = marker;
        markers.push(marker);
      });
      cluster.addLayers(markers);
    },

    /* Show row ``index`` of the site data on the map: its marker's popup when it has one,
     * else the place itself. */
    showSite: function (index, lat, lon, name) {
      var map = window.atlas.map;
      var marker = records[index];
      var site = siteMarkers.get(name);
      if (!map) {
        return;
      }
      map.getContainer().scrollIntoView({ block: "start" });
      if (marker) {
        window.atlas.cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
      } else {
        map.setView([lat, lon], 9);
        if (site) {
          site.openPopup();
        }
      }
    },

    /* A curated site: the SVG symbol of its kind (see atlas/publish/legend.py), drawn in
     * its own pane above the clustered USGS records. */
    siteMarker: function (feature, latlng) {
      var p = feature.properties;
      var marker = divMarker(latlng, p, "atlas-site", 22, p.icon, "atlas-sites");
      if (!siteMarkers.has(p.label)) {
        siteMarkers.set(p.label, marker);
      }
      return marker;
    },

    /* An observation: a ring, dashed when its location is approximate. */
    observationMarker: function (feature, latlng) {
      var className = feature.properties.approximate
        ? "atlas-observation atlas-approximate"
        : "atlas-observation";
      return divMarker(latlng, feature.properties, className, 16);
    },

    /* A modelled plume outline: styled by the classes it carries (see atlas.css). */
    plumeStyle: function (feature) {
      return { className: feature.properties.className };
    },

    /* The "outlines shown for" menu: keeps the plume outlines of one output time (their
     * class, see atlas/publish/overlays.py), by a style rule, which also holds for outlines
     * drawn later (a layer switched on). The empty choice shows every time. */
    plumeTimeMenu: function (select) {
      var rule = document.getElementById(select.getAttribute("data-style"));
      function apply() {
        var keep = select.value;
        rule.textContent = /^atlas-plume-[a-z0-9_]+$/.test(keep)
          ? ".atlas-map path.atlas-plume:not(." + keep + ") { display: none; }"
          : "";
      }
      select.addEventListener("change", apply);
      apply();
    },

    /* Bind the feature's (escaped) popup HTML to its layer. */
    bindPopup: function (feature, layer) {
      if (feature.properties.popup) {
        layer.bindPopup(feature.properties.popup, { maxWidth: 340, autoPanPadding: [16, 16] });
      }
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("plume-time");
    if (menu) {
      window.atlas.plumeTimeMenu(menu);
    }
  });
})();
