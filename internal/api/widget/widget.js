/* crmd website widget: WBK.sendCrmLead(crm_id, {name, email, phone, comment})
 * sends a lead from a web page to the CRM (Envybox §4). Load it from your
 * crmd server: <script src="https://YOUR-CRMD/widget.js"></script>
 * The call returns a Promise (where the browser has one) of the server's
 * answer {status_code, message}; an optional third argument is a callback
 * called with the same answer. */
(function (w, d) {
  'use strict';

  // The crmd address is the one this script was loaded from.
  function scriptBase() {
    var s = d.currentScript;
    if (!s || !s.src) {
      var all = d.getElementsByTagName('script');
      for (var i = all.length - 1; i >= 0; i--) {
        if (/\/widget\.js(\?|#|$)/.test(all[i].src)) { s = all[i]; break; }
      }
    }
    return s && s.src ? s.src.replace(/\/widget\.js([?#].*)?$/, '') : '';
  }
  var base = scriptBase();
  var fields = ['name', 'email', 'phone', 'comment'];

  function send(crmId, data, done) {
    var body = {};
    data = data || {};
    for (var i = 0; i < fields.length; i++) {
      var v = data[fields[i]];
      if (v !== undefined && v !== null && v !== '') body[fields[i]] = String(v);
    }
    var xhr = new XMLHttpRequest();
    xhr.open('POST', base + '/widget/v1/' + encodeURIComponent(String(crmId)) + '/lead', true);
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var answer;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (!answer || typeof answer !== 'object') {
        answer = { status_code: xhr.status || 0, message: 'network error' };
      }
      done(answer);
    };
    xhr.send(JSON.stringify(body));
  }

  function sendCrmLead(crmId, data, callback) {
    var cb = typeof callback === 'function' ? callback : function () {};
    if (typeof w.Promise !== 'function') {
      send(crmId, data, cb);
      return undefined;
    }
    return new w.Promise(function (resolve) {
      send(crmId, data, function (answer) { cb(answer); resolve(answer); });
    });
  }

  var wbk = w.WBK = w.WBK || {};
  wbk.sendCrmLead = sendCrmLead;
})(window, document);
