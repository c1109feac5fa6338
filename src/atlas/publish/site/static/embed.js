/* An embed of the atlas (embed.html): opens its map's key on wide screens, and tells the page
 * around its iframe how tall it is.
 *
 * Posts {"datawrapper-height": {"<embed id>": height in px}} to the parent window, the
 * message Datawrapper's embeds send, whenever the height changes (load, resize, layout);
 * the parent's one-line listener (shown in the embed guide) sets the iframe's height. The id
 * is the data-embed-id of <html>. Posts nothing when the page is not in a frame.
 */
(function () {
  "use strict";
  /* The key under an embedded map opens where there is room for it (600 px and wider); on a
   * phone it starts closed, as it would be taller than the map. */
  var key = document.querySelector("details.embed-legend");
  if (key && window.matchMedia && window.matchMedia("(min-width: 600px)").matches) {
    key.open = true;
  }
  if (window.parent === window) {
    return;
  }
  var id = document.documentElement.getAttribute("data-embed-id") || "atlas";
  var last = -1;

  function post() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) {
      return;
    }
    last = height;
    var sizes = {};
    sizes[id] = height;
    window.parent.postMessage({ "datawrapper-height": sizes }, "*");
  }

  window.addEventListener("load", post);
  window.addEventListener("resize", post);
  if (window.ResizeObserver) {
    new ResizeObserver(post).observe(document.body);
  }
  post();
})();
