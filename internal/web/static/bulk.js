// crmd web workspace: bulk actions on the deal table. The table is a form
// that works without this script (POST, redirect back); with it the
// selection is counted, "select all on the page" ticks the rows, the
// action runs through fetch with its button marked busy, and the table is
// read again afterwards, which clears the selection.
'use strict';
(function () {
  function form() { return document.querySelector('form[data-bulk]'); }

  function fmt(n) { return Number(n).toLocaleString(document.documentElement.lang); }

  // update counts the selection and enables the actions when there is one.
  function update() {
    var f = form();
    if (!f) { return; }
    var rows = f.querySelectorAll('input[name="id"]');
    var ticked = f.querySelectorAll('input[name="id"]:checked').length;
    var all = f.querySelector('[data-bulk-all]');
    var n = all && all.checked ? parseInt(f.getAttribute('data-total'), 10) : ticked;
    var page = f.querySelector('[data-bulk-page]');
    if (page) {
      page.checked = rows.length > 0 && ticked === rows.length;
      page.indeterminate = ticked > 0 && ticked < rows.length;
    }
    var count = f.querySelector('[data-bulk-count]');
    if (count) { count.textContent = f.getAttribute('data-selected').replace('%n', fmt(n)); }
    f.classList.toggle('has-selection', n > 0);
    f.querySelectorAll('[data-bulk-action]').forEach(function (b) { b.disabled = n === 0 || f.hasAttribute('data-busy'); });
  }

  function say(text, ok) {
    var s = document.getElementById('bulk-status');
    if (!s) { return; }
    s.textContent = text;
    s.className = 'bulk-status ' + (ok ? 'ok' : 'error');
  }

  // refresh reads the table again (the same address) and puts its rows in
  // place of the old ones: what the change moved out of the filter is gone.
  function refresh() {
    return fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var fresh = doc.getElementById('deals-table');
        var old = document.getElementById('deals-table');
        if (fresh && old) { old.replaceWith(document.importNode(fresh, true)); }
        update();
      });
  }

  document.addEventListener('change', function (e) {
    var f = form();
    if (!f || !f.contains(e.target)) { return; }
    var t = e.target;
    if (t.matches('[data-bulk-page]')) {
      f.querySelectorAll('input[name="id"]').forEach(function (c) { c.checked = t.checked; });
    } else if (t.matches('[data-bulk-all]')) {
      // "All N matching" covers the page's rows too.
      f.querySelectorAll('input[name="id"]').forEach(function (c) { c.checked = t.checked || c.checked; });
    } else if (t.matches('input[name="id"]') && !t.checked) {
      var all = f.querySelector('[data-bulk-all]');
      if (all) { all.checked = false; }
    }
    update();
  });

  // Enter in the tag box adds the tag rather than pressing the bar's
  // first button.
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' || !e.target.matches || !e.target.matches('[data-bulk-tag]')) { return; }
    e.preventDefault();
    var add = e.target.form.querySelector('[data-bulk-action][value="tag_add"]');
    if (add && !add.disabled) { add.click(); }
  });

  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (!f.matches || !f.matches('form[data-bulk]')) { return; }
    e.preventDefault();
    if (f.hasAttribute('data-busy')) { return; }
    var button = e.submitter;
    // URL-encoded, as the form itself posts: the server reads PostForm.
    var body = new URLSearchParams(new FormData(f));
    if (button && button.name) { body.set(button.name, button.value); }
    var all = f.querySelector('[data-bulk-all]');
    var n = all && all.checked ? parseInt(f.getAttribute('data-total'), 10) : f.querySelectorAll('input[name="id"]:checked').length;
    f.setAttribute('data-busy', '');
    f.setAttribute('aria-busy', 'true');
    if (button) { button.setAttribute('aria-busy', 'true'); }
    update();
    say(f.getAttribute('data-working').replace('%n', fmt(n)), true);
    // getAttribute: the buttons named "action" shadow the form's action property.
    fetch(f.getAttribute('action'), {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch', 'Accept': 'application/json' }
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) { throw new Error(data.error || ('HTTP ' + resp.status)); }
        return data;
      });
    }).then(function (data) {
      return refresh().then(function () { say(data.message || '', true); });
    }).catch(function (err) {
      f.removeAttribute('data-busy');
      f.removeAttribute('aria-busy');
      if (button) { button.removeAttribute('aria-busy'); }
      update();
      var msg = err.message || '';
      say(/^(Nothing was changed|Ничего не изменено)/.test(msg) ? msg : f.getAttribute('data-failed').replace('%s', msg), false);
    });
  });

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', update); } else { update(); }
})();
