// The import screens (/settings/import): the header toggle re-reads the
// columns at once (its Re-read button, for pages without script, is
// hidden by app.css under html.js), and a running dry run or import draws its progress
// from the job's status until it ends, then the page shows the result.
(function () {
  "use strict";
  var toggle = document.getElementById("import-header-toggle");
  if (toggle) {
    toggle.addEventListener("change", function () {
      toggle.form.submit();
    });
  }
  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var bar = document.getElementById("import-bar");
  var text = document.getElementById("import-progress-text");
  var url = box.getAttribute("data-status");
  function poll() {
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (resp) { return resp.json(); })
      .then(function (s) {
        if (s.error) {
          text.textContent = s.error;
          return;
        }
        if (s.state !== box.getAttribute("data-state")) {
          window.location.reload();
          return;
        }
        bar.max = s.total > 0 ? s.total : 1;
        bar.value = s.done;
        text.textContent = s.text;
        window.setTimeout(poll, 500);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
