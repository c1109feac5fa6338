/* The atlas page: how features become markers and popups. Loaded after Leaflet.
 *
 * Every text shown comes from the page data already HTML-escaped (popups) or is set as a
 * DOM property (marker titles), never concatenated into markup here. No network access.
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

  window.atlas = {
    /* A curated site: the SVG symbol of its kind (see atlas/publish/legend.py), drawn in
     * its own pane above the clustered USGS records. */
    siteMarker: function (feature, latlng) {
      var p = feature.properties;
      return divMarker(latlng, p, "atlas-site", 22, p.icon, "atlas-sites");
    },

    /* A USGS record: a small dot, clustered by Leaflet.markercluster. */
    recordMarker: function (feature, latlng) {
      return divMarker(latlng, feature.properties, "atlas-record", 12);
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
