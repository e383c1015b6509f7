// The settings screens (profile, account, pipelines, fields). Every form
// works without this script; it only keeps the keyboard where it was: a
// "move up" press reloads the page, and focus returns to the same button
// (or its twin when the item reached the end), so pressing it again keeps
// moving the same pipeline or stage.
(function () {
  "use strict";
  var key = "crmd.settings.focus";
  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }
  ready(function () {
    document.addEventListener("submit", function (e) {
      var b = e.submitter;
      if (b && b.hasAttribute("data-keep-focus") && b.id) {
        try { sessionStorage.setItem(key, b.id); } catch (err) { /* storage off: focus is a nicety */ }
      }
    });
    var id = null;
    try { id = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (err) { return; }
    if (!id) { return; }
    var b = document.getElementById(id);
    if (b && b.disabled) {
      b = document.getElementById(id.replace(/-(up|down)$/, function (m, d) { return d === "up" ? "-down" : "-up"; }));
    }
    if (!b || b.disabled) { return; }
    // After the load, once the browser has scrolled to the address's
    // fragment (the moved item), which would otherwise reset the focus.
    function focus() { setTimeout(function () { b.focus(); }, 0); }
    if (document.readyState === "complete") { focus(); } else { window.addEventListener("load", focus); }
  });
})();
