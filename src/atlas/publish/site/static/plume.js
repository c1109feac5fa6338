/* A scenario page's modelled plume (atlas/publish/site/scenario_pages.py): the filled
 * concentration image and the isochrones of one output time on the map, the receptors, and
 * the time slider (a range input, a play/pause button and the year shown) that swaps them.
 *
 * The data come from the page's data file (window.atlasPlumeData, written by
 * scenario_view.py): the images' corners in degrees, one frame per output time (label,
 * image file beside the page, isochrones as GeoJSON) and the receptors. Every text from the
 * data goes into the page as text (textContent, tooltips built from text nodes), never as
 * markup.
 */
(function () {
  "use strict";

  var PLAY_MS = 1200;

  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function isochrones(collection) {
    return L.geoJSON(collection, {
      interactive: true,
      style: function (feature) {
        var p = feature.properties;
        return {
          className: "atlas-isochrone",
          color: p.colour,
          weight: 2,
          fill: false,
          dashArray: p.lowest ? "5 4" : null
        };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(textNode(feature.properties.label), { sticky: true });
      }
    });
  }

  function receptors(collection) {
    return L.geoJSON(collection, {
      style: function (feature) {
        var point = feature.geometry.type.indexOf("Point") !== -1;
        return { className: point ? "atlas-receptor-point" : "atlas-receptor", weight: 4 };
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { className: "atlas-receptor-point", radius: 6 });
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(textNode(feature.properties.label), { sticky: true });
      }
    });
  }

  window.atlasPlume = {
    /* Draw the plume of ``data`` on ``map`` and wire the slider of the page. */
    attach: function (map, data) {
      var slider = document.getElementById("plume-slider");
      var year = document.getElementById("plume-year");
      var play = document.getElementById("plume-play");
      var frames = data.frames;
      var index = data.start;
      var overlay = L.imageOverlay(frames[index].image, data.bounds, {
        className: "atlas-plume-image",
        alt: "",
        interactive: false
      }).addTo(map);
      var outlines = isochrones(frames[index].isochrones).addTo(map);
      receptors(data.receptors).addTo(map);
      var timer = null;
      var opening = true; /* the page's first frame, untouched: Play then plays the whole run */

      function show(k) {
        index = k;
        var frame = frames[k];
        overlay.setUrl(frame.image);
        overlay.getElement().setAttribute("data-label", frame.label);
        map.removeLayer(outlines);
        outlines = isochrones(frame.isochrones).addTo(map);
        if (slider) {
          slider.value = String(k);
          slider.setAttribute("aria-valuetext", frame.label);
        }
        if (year) {
          year.textContent = frame.label;
        }
      }

      function pause() {
        if (timer !== null) {
          window.clearInterval(timer);
          timer = null;
        }
        if (play) {
          play.textContent = "Play";
          play.setAttribute("aria-pressed", "false");
        }
      }

      function start() {
        if (opening || index >= frames.length - 1) {
          show(0);
        }
        opening = false;
        play.textContent = "Pause";
        play.setAttribute("aria-pressed", "true");
        timer = window.setInterval(function () {
          if (index >= frames.length - 1) {
            pause();
          } else {
            show(index + 1);
          }
        }, PLAY_MS);
      }

      show(index);
      if (slider) {
        slider.addEventListener("input", function () {
          opening = false;
          pause();
          show(Number(slider.value));
        });
      }
      if (play) {
        play.addEventListener("click", function () {
          if (timer === null) {
            start();
          } else {
            pause();
          }
        });
      }
    }
  };
})();
