// crmd web workspace: the little script the pages use. Every page works
// without it; with it, forms submit themselves, cards drag between
// columns, columns load more cards in place, edits save in place, and live
// lists (the inbox) take new rows from the server as they arrive.
'use strict';
(function () {
  document.documentElement.classList.add('js');

  var announceEl = null;
  function announce(text) {
    announceEl = announceEl || document.getElementById('announce');
    if (announceEl) { announceEl.textContent = text; }
  }

  // post sends a form as the page's own request and resolves with the
  // parsed JSON answer; a refusal rejects with the server's message.
  function post(url, body) {
    return fetch(url, {
      method: 'POST', body: body, credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch', 'Accept': 'application/json' }
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        if (!resp.ok) { throw new Error(data.error || ('HTTP ' + resp.status)); }
        return data;
      });
    });
  }

  function ready(fn) {
    if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', fn); } else { fn(); }
  }

  ready(function () {
    // A select marked data-autosubmit submits its form when changed.
    document.addEventListener('change', function (e) {
      var el = e.target;
      if (el.matches && el.matches('select[data-autosubmit]') && el.form) { el.form.requestSubmit(); }
    });

    // Stage colours come as data attributes: the CSP forbids inline styles.
    document.querySelectorAll('[data-color]').forEach(function (el) {
      var c = el.getAttribute('data-color');
      if (c) { el.style.setProperty('--stage-color', c); }
    });

    // "/" focuses the page's search box.
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
      var box = document.querySelector('[data-shortcut="/"]');
      if (box) { e.preventDefault(); box.focus(); }
    });

    // Filters fold away on a phone unless some are on.
    if (window.matchMedia('(max-width: 768px)').matches) {
      document.querySelectorAll('details[data-close-on-phone]:not([data-filtered])').forEach(function (d) { d.open = false; });
    }

    initBoard();
    initInline();
    initLive();
  });

  // ---- Board -------------------------------------------------------------

  function column(el) { return el && el.closest ? el.closest('.column') : null; }

  function adjustTotals(col, dCount, dSum) {
    var count = col.querySelector('[data-count]');
    if (count) {
      var n = parseInt(count.getAttribute('data-count'), 10) + dCount;
      count.setAttribute('data-count', String(n));
      count.textContent = n.toLocaleString(document.documentElement.lang);
    }
    var sum = col.querySelector('[data-sum]');
    if (sum && dSum) {
      var s = parseInt(sum.getAttribute('data-sum'), 10) + dSum;
      sum.setAttribute('data-sum', String(s));
      // Keep the server's currency formatting: replace only the digits.
      sum.textContent = sum.textContent.replace(/-?[\d\s\u00a0,]*\d/, s.toLocaleString(document.documentElement.lang));
    }
  }

  function cardID(el) { return el ? el.getAttribute('data-id') : ''; }

  // siblingCard is the nearest card before (dir -1) or after (dir 1) el
  // in its list, skipping the drag's placeholder.
  function siblingCard(el, dir) {
    var n = dir < 0 ? el.previousElementSibling : el.nextElementSibling;
    while (n && !n.classList.contains('card')) { n = dir < 0 ? n.previousElementSibling : n.nextElementSibling; }
    return n;
  }

  // placeCard tells the server where a card now is — its column and the
  // cards above and below it — after the page has already moved it;
  // origin ({list, next, col}) is where it was, to go back to on a refusal.
  function placeCard(card, origin) {
    var toCol = column(card);
    var fromCol = origin.col;
    var price = parseInt(card.getAttribute('data-price') || '0', 10);
    var stageID = toCol.getAttribute('data-stage');
    var moved = fromCol !== toCol;
    var select = card.querySelector('select[name="stage_id"]');
    var previous = select ? select.value : null;
    if (moved) {
      adjustTotals(fromCol, -1, -price);
      adjustTotals(toCol, 1, price);
      if (select) { select.value = stageID; }
    }
    var body = new FormData();
    body.set('stage_id', stageID);
    body.set('above', cardID(siblingCard(card, -1)));
    body.set('below', cardID(siblingCard(card, 1)));
    return post('/deals/' + card.getAttribute('data-id') + '/place', new URLSearchParams(body)).then(function (data) {
      card.setAttribute('data-stage', stageID);
      announce(data.message || '');
    }, function (err) {
      origin.list.insertBefore(card, origin.next && origin.next.parentNode === origin.list ? origin.next : null);
      if (moved) {
        adjustTotals(fromCol, 1, price);
        adjustTotals(toCol, -1, -price);
        if (select) { select.value = previous; }
      }
      var board = card.closest('.board') || document.querySelector('.board');
      var msg = (board && board.getAttribute('data-place-failed') || '%s').replace('%s', err.message);
      announce(msg);
      window.alert(msg);
    });
  }

  function originOf(card) { return { list: card.parentNode, next: card.nextSibling, col: column(card) }; }

  // moveCard moves a card to the top of another column (the move menu).
  function moveCard(card, toCol) {
    if (!column(card) || column(card) === toCol) { return; }
    var origin = originOf(card);
    var list = toCol.querySelector('.cards');
    list.insertBefore(card, list.firstChild);
    placeCard(card, origin);
  }

  // dropSlot puts the placeholder where the pointer is in a column's list:
  // before the first card whose middle is below the pointer.
  function dropSlot(col, placeholder, y) {
    var list = col.querySelector('.cards');
    var cards = list.querySelectorAll('.card:not(.dragging)');
    for (var i = 0; i < cards.length; i++) {
      var r = cards[i].getBoundingClientRect();
      if (y < r.top + r.height / 2) {
        if (cards[i].previousElementSibling !== placeholder) { list.insertBefore(placeholder, cards[i]); }
        return;
      }
    }
    if (list.lastElementChild !== placeholder) { list.appendChild(placeholder); }
  }

  function initBoard() {
    var board = document.querySelector('.board');
    if (!board) { return; }

    // "Show more" fetches the column's next cards as HTML.
    board.addEventListener('click', function (e) {
      var more = e.target.closest && e.target.closest('a[data-more]');
      if (!more) { return; }
      e.preventDefault();
      more.setAttribute('aria-busy', 'true');
      fetch(more.href, { credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
        .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.text(); })
        .then(function (html) {
          var list = more.closest('.column').querySelector('.cards');
          var tpl = document.createElement('template');
          tpl.innerHTML = html;
          var nextMore = tpl.content.querySelector('a[data-more]');
          if (nextMore) { nextMore.remove(); }
          list.appendChild(tpl.content);
          if (nextMore) { more.replaceWith(nextMore); } else { more.remove(); }
        }, function () { more.removeAttribute('aria-busy'); window.location = more.href; });
    });

    // The move select moves in place instead of reloading the board.
    board.addEventListener('change', function (e) {
      var sel = e.target;
      if (!sel.matches('select[name="stage_id"]')) { return; }
      e.stopImmediatePropagation();
      var card = sel.closest('.card');
      var to = board.querySelector('.column[data-stage="' + sel.value + '"]');
      if (card && to) { moveCard(card, to); }
    }, true);

    // Drag and drop with pointer events (mouse and pen; touch scrolls, and
    // phones use the move select), so it also works where HTML5 drag and
    // drop does not.
    var drag = null;
    board.addEventListener('pointerdown', function (e) {
      if (e.button !== 0 || e.pointerType === 'touch') { return; }
      var card = e.target.closest('.card');
      // A drag may start on the card's title link (made draggable=false
      // so the browser does not drag the link itself), not on controls.
      if (!card || e.target.closest('select, button, input, label')) { return; }
      drag = { card: card, x: e.clientX, y: e.clientY, started: false, over: null };
    });
    document.addEventListener('pointermove', function (e) {
      if (!drag) { return; }
      if (!drag.started) {
        if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) < 6) { return; }
        drag.started = true;
        drag.origin = originOf(drag.card);
        var r = drag.card.getBoundingClientRect();
        drag.dx = e.clientX - r.left; drag.dy = e.clientY - r.top;
        drag.placeholder = document.createElement('li');
        drag.placeholder.className = 'card-placeholder';
        drag.card.parentNode.insertBefore(drag.placeholder, drag.card);
        drag.card.classList.add('dragging');
      }
      e.preventDefault();
      drag.card.style.left = (e.clientX - drag.dx) + 'px';
      drag.card.style.top = (e.clientY - drag.dy) + 'px';
      var over = column(document.elementFromPoint(e.clientX, e.clientY));
      if (over !== drag.over) {
        if (drag.over) { drag.over.classList.remove('drop-target'); }
        if (over) { over.classList.add('drop-target'); }
        drag.over = over;
      }
      // The placeholder shows where the card will land.
      if (over) { dropSlot(over, drag.placeholder, e.clientY); }
    });
    function endDrag(drop) {
      if (!drag) { return; }
      var d = drag;
      drag = null;
      if (!d.started) { return; }
      d.card.classList.remove('dragging');
      d.card.style.left = ''; d.card.style.top = '';
      if (d.over) { d.over.classList.remove('drop-target'); }
      if (drop && d.over) {
        d.placeholder.replaceWith(d.card);
        var same = d.card.parentNode === d.origin.list && d.card.nextSibling === d.origin.next;
        if (!same) { placeCard(d.card, d.origin); }
      } else {
        d.placeholder.remove();
        d.origin.list.insertBefore(d.card, d.origin.next && d.origin.next.parentNode === d.origin.list ? d.origin.next : null);
      }
      // The click that ends a drag must not open the card.
      d.card.addEventListener('click', function (ev) { ev.preventDefault(); ev.stopPropagation(); }, { capture: true, once: true });
      setTimeout(function () { d.card.dispatchEvent(new Event('dragend-cleanup')); }, 0);
    }
    document.addEventListener('pointerup', function () { endDrag(true); });
    document.addEventListener('pointercancel', function () { endDrag(false); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { endDrag(false); } });

    // Alt+↑ / Alt+↓ move the focused card up or down its column.
    board.addEventListener('keydown', function (e) {
      if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) { return; }
      var card = e.target.closest && e.target.closest('.card');
      if (!card || e.target !== card) { return; }
      var up = e.key === 'ArrowUp';
      var other = siblingCard(card, up ? -1 : 1);
      if (!other) { return; }
      e.preventDefault();
      var origin = originOf(card);
      other.parentNode.insertBefore(card, up ? other : other.nextSibling);
      card.focus();
      placeCard(card, origin);
    });
  }

  // ---- In-place edits ----------------------------------------------------

  // A form marked data-inline saves through fetch and shows "saved" or the
  // server's refusal beside it; its fields save on change (blur or Enter),
  // Esc puts back the saved value, and Ctrl+Enter posts a textarea.
  function initInline() {
    document.querySelectorAll('form[data-inline]').forEach(function (form) {
      var status = form.querySelector('[data-status]');
      function say(text, ok) {
        if (!status) { return; }
        status.textContent = text;
        status.className = 'status ' + (ok ? 'ok' : 'error');
      }
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var body = new FormData(form);
        post(form.action, body).then(function (data) {
          say(data.message || form.getAttribute('data-saved') || 'Saved', true);
          form.querySelectorAll('input, textarea, select').forEach(function (el) {
            if (el.type === 'hidden') { return; }
            if (el.tagName === 'SELECT') {
              Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = o.selected; });
            } else { el.defaultValue = el.value; }
          });
          if (data.reload) { window.location.reload(); }
          if (data.redirect) { window.location = data.redirect; }
        }, function (err) { say(err.message, false); });
      });
      if (form.hasAttribute('data-save-on-change')) {
        form.addEventListener('change', function () { form.requestSubmit(); });
      }
      form.addEventListener('keydown', function (e) {
        var el = e.target;
        if (e.key === 'Escape' && 'defaultValue' in el) { el.value = el.defaultValue; say('', true); }
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
      });
    });
  }

  // ---- Live lists --------------------------------------------------------

  // An element with data-live="URL" listens to server-sent events there:
  // each "row" event carries {"id": …, "html": "…"}, a row to put first.
  function initLive() {
    var list = document.querySelector('[data-live]');
    if (!list || !window.EventSource) { return; }
    var es = new EventSource(list.getAttribute('data-live'));
    es.addEventListener('row', function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.id && document.getElementById('row-' + data.id)) { return; }
      var tpl = document.createElement('template');
      tpl.innerHTML = data.html;
      var empty = document.querySelector('[data-live-empty]');
      if (empty) { empty.remove(); }
      list.insertBefore(tpl.content, list.firstChild);
      var count = document.querySelector('[data-count-live]');
      if (count) {
        var n = parseInt(count.getAttribute('data-count-live'), 10) + 1;
        count.setAttribute('data-count-live', String(n));
        count.textContent = n.toLocaleString(document.documentElement.lang);
      }
      if (data.announce) { announce(data.announce); }
    });
  }
})();
