// The users, limits and widget settings: copy buttons for a secret shown
// once and the widget's snippet, and a confirmation before deactivating a
// user. A file, not inline script: the Content-Security-Policy allows
// scripts from crmd only. Without it the pages still work: the secret and
// the snippet are selectable text, the forms post as they are.
(function () {
  "use strict";

  function announce(text) {
    var live = document.getElementById("announce");
    if (live) {
      live.textContent = text;
    }
  }

  // selectAndCopy copies the field's text through the selection, the way
  // that needs no permission.
  function selectAndCopy(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  // copyText puts the field's text on the clipboard: the Clipboard API
  // where the page may use it (HTTPS or localhost), else, or when it is
  // refused, the selection.
  function copyText(field) {
    var fallback = function () {
      return selectAndCopy(field) ? Promise.resolve() : Promise.reject(new Error("copy refused"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(field.value).then(null, fallback);
    }
    return fallback();
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.textContent;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) {
        return;
      }
      copyText(field).then(function () {
        var done = button.getAttribute("data-copied") || label;
        button.textContent = done;
        announce(done);
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      }, function () {
        // Copying was refused: leave the text selected for Ctrl+C.
        field.focus();
        field.select();
      });
    });
  });

  // A secret's field selects itself whole when focused, for Ctrl+C.
  document.querySelectorAll("input.secret-value, textarea.code").forEach(function (field) {
    field.addEventListener("focus", function () {
      field.select();
    });
  });

  document.querySelectorAll("button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        e.preventDefault();
      }
    });
  });
})();
