// The settings screens' copy buttons: a button with data-copy="<input id>"
// copies that input's value (a secret shown once) and says so.
(function () {
  'use strict';
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest && ev.target.closest('button[data-copy]');
    if (!btn) { return; }
    var input = document.getElementById(btn.getAttribute('data-copy'));
    if (!input) { return; }
    input.select();
    var done = function () {
      var text = btn.textContent;
      btn.textContent = btn.getAttribute('data-copied') || text;
      setTimeout(function () { btn.textContent = text; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand('copy'); done(); });
    } else {
      document.execCommand('copy');
      done();
    }
  });
})();

// The webhook form shows the events (and filters) of the chosen format
// only; without script both lists show, and each is sent under its own name.
(function () {
  'use strict';
  var form = document.getElementById('webhook-form');
  if (!form) { return; }
  var sync = function () {
    var chosen = form.querySelector('input[name="format"]:checked');
    var format = chosen ? chosen.value : 'crmd';
    form.querySelectorAll('[data-format]').forEach(function (el) {
      el.hidden = el.getAttribute('data-format') !== format;
    });
  };
  form.addEventListener('change', function (ev) {
    if (ev.target.name === 'format') { sync(); }
  });
  sync();
})();
