/* Every full page of the atlas: fills in the embed code of the page's embed (its iframe with
 * the embed's absolute address, and the parent-side resize listener) and makes the copy
 * buttons work. Text goes in as values (textarea value, textContent), never as markup.
 */
(function () {
  "use strict";

  function attribute(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/"/g, "&quot;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;");
  }

  /* The embed code: an iframe that fills its column, then the resize listener. */
  function snippet(box) {
    var src = new URL(box.getAttribute("data-embed-src"), window.location.href).href;
    return (
      '<iframe title="' + attribute(box.getAttribute("data-embed-title")) + '"' +
      ' id="' + attribute(box.getAttribute("data-embed-id")) + '"' +
      ' src="' + attribute(src) + '" scrolling="no" frameborder="0"' +
      ' style="width:0;min-width:100%!important;border:none;" height="520"' +
      ' data-external="1"></iframe>' +
      box.getAttribute("data-listener")
    );
  }

  function copy(button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    function done(message) {
      if (status) {
        status.textContent = message;
      }
    }
    box.focus();
    box.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    done(copied ? "Copied." : "Selected: press Ctrl+C (or Cmd+C) to copy.");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea.snippet").forEach(function (box) {
      box.value = snippet(box);
    });
    document.querySelectorAll("button.copy-button").forEach(function (button) {
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
