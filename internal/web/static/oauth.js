// The amoCRM consent page's popup mode (amocrm-v4-core.md §11.2): the
// consent window closes and the window that opened it goes to the
// integration's redirect URI. A file, not inline script: the workspace's
// Content-Security-Policy allows scripts from crmd only.
(function () {
  "use strict";
  var link = document.getElementById("oauth-target");
  if (!link) {
    return;
  }
  var target = link.getAttribute("data-oauth-target");
  if (window.opener && !window.opener.closed) {
    window.opener.location.href = target;
    window.close();
    return;
  }
  window.location.replace(target);
})();
