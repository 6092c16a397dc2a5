// The page's script, sent inline. It keeps the server-rendered rows and patches their fields by
// key from /events: a tick sends only the rows that changed, and text is written only where it
// differs, so a tick at 1000 services touches a few cells, not the document. When the table's
// layout changes (a service or server added or removed) it fetches the page again and swaps the
// table in. It also runs the filter and the collapsing. Plain ES2017, no dependency; it only
// ever writes textContent, never markup from the server's data.
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var body = document.body;
  var interval = Number(body.getAttribute('data-interval')) || 2000;
  var $ = function (id) { return document.getElementById(id); };
  var conn = $('conn'), errorBox = $('error'), errorText = $('error-text');
  var filterBox = $('filter'), problemsBox = $('problems'), shown = $('shown'), cost = $('cost');
  var rows = new Map();
  var groups = [];
  var chosen = new Map();
  var lastMessage = Date.now();
  var refetching = false;

  function index() {
    rows.clear();
    document.querySelectorAll('[data-key]').forEach(function (el) {
      var fields = new Map();
      el.querySelectorAll('[data-f]').forEach(function (f) { fields.set(f.getAttribute('data-f'), f); });
      rows.set(el.getAttribute('data-key'), { el: el, fields: fields, values: {} });
    });
    groups = [];
    document.querySelectorAll('#services tbody.grp').forEach(function (el) {
      var id = el.getAttribute('data-group');
      if (chosen.has(id)) setOpen(el, chosen.get(id));
      var dests = [];
      el.querySelectorAll('tr.dest').forEach(function (tr) {
        dests.push({ el: tr, text: tr.getAttribute('data-id').toLowerCase() });
      });
      groups.push({ el: el, id: id, text: id.toLowerCase(), dests: dests });
    });
    filter();
  }

  function setOpen(el, open) {
    el.classList.toggle('open', open);
    el.classList.toggle('closed', !open);
  }

  function filter() {
    var q = filterBox.value.trim().toLowerCase();
    var problems = problemsBox.checked;
    var count = 0;
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i];
      var serviceMatch = q === '' || g.text.indexOf(q) >= 0;
      var any = serviceMatch;
      for (var j = 0; j < g.dests.length; j++) {
        var d = g.dests[j];
        var hide = !serviceMatch && d.text.indexOf(q) < 0;
        if (!hide) any = true;
        if (d.el.hidden !== hide) d.el.hidden = hide;
      }
      var visible = any && (!problems || g.el.classList.contains('problem'));
      var narrowed = !serviceMatch && visible;
      if (g.el.classList.contains('narrowed') !== narrowed) g.el.classList.toggle('narrowed', narrowed);
      if (narrowed && !g.el.classList.contains('open')) setOpen(g.el, true);
      if (g.el.hidden !== !visible) g.el.hidden = !visible;
      if (visible) count++;
    }
    shown.textContent = count === groups.length ? groups.length + ' services' : 'showing ' + count + ' of ' + groups.length + ' services';
  }

  function patch(r) {
    var row = rows.get(r.k);
    if (!row) return false;
    if (row.el.className !== r.c) {
      row.el.className = r.c;
      if (r.k.charAt(0) === 's') row.el.parentNode.classList.toggle('problem', /\b(warn|crit)\b/.test(r.c));
    }
    for (var name in r.f) {
      if (row.values[name] === r.f[name]) continue;
      row.values[name] = r.f[name];
      var el = row.fields.get(name);
      if (el && el.textContent !== r.f[name]) el.textContent = r.f[name];
    }
    if (r.t) for (var t in r.t) { var te = row.fields.get(t); if (te) te.title = r.t[t]; }
    return true;
  }

  function refetch() {
    if (refetching) return;
    refetching = true;
    fetch(location.pathname, { cache: 'no-store' }).then(function (res) { return res.text(); }).then(function (text) {
      var doc = new DOMParser().parseFromString(text, 'text/html');
      ['services', 'daemons'].forEach(function (id) {
        var fresh = doc.getElementById(id), old = $(id);
        if (fresh && old) old.replaceWith(document.adoptNode(fresh));
      });
      var none = doc.getElementById('no-services');
      if (none) $('no-services').hidden = none.hidden;
      index();
    }).catch(function () { /* the next tick tries again */ }).then(function () { refetching = false; });
  }

  function heard() {
    lastMessage = Date.now();
    conn.textContent = 'live';
    conn.className = 'conn live';
  }

  function update(message, full) {
    var started = performance.now();
    heard();
    errorBox.hidden = true;
    body.classList.remove('stale');
    var data = JSON.parse(message.data);
    var missing = false;
    for (var i = 0; i < data.rows.length; i++) if (!patch(data.rows[i])) missing = true;
    if (full && (missing || data.rows.length !== rows.size)) refetch();
    else if (missing) refetch();
    if (problemsBox.checked) filter();
    cost.textContent = (performance.now() - started).toFixed(1) + ' ms for ' + data.rows.length + ' changed rows';
    cost.setAttribute('data-ms', String(performance.now() - started));
  }

  function change(message) {
    heard();
    var c = JSON.parse(message.data);
    var li = document.createElement('li');
    li.className = 'to-' + c.to.replace(/\W+/g, '-');
    var when = document.createElement('span'); when.className = 'when'; when.textContent = c.when;
    var where = document.createElement('span'); where.className = 'where';
    where.textContent = c.destination == null ? c.service : c.service + ' \u2192 ' + c.destination;
    var what = document.createElement('div'); what.className = 'what'; what.textContent = c.text;
    li.append(when, where, what);
    var list = $('change-list');
    list.prepend(li);
    while (list.children.length > 50) list.lastElementChild.remove();
    var note = document.querySelector('#changes .none-msg');
    if (note) note.hidden = true;
    if (c.destination != null) {
      var row = rows.get(c.row);
      if (row) {
        row.el.className = row.el.className.replace(/\bh-\w+/, 'h-' + c.to);
        var h = row.fields.get('health');
        if (h) { h.textContent = c.to; row.values.health = c.to; }
      }
    }
  }

  function failure(message) {
    heard();
    var f = JSON.parse(message.data);
    errorText.textContent = f.text;
    errorBox.hidden = false;
    body.classList.add('stale');
  }

  $('services').parentNode.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof Element) || !target.closest('tr.svc')) return;
    var el = target.closest('tbody.grp');
    var open = !el.classList.contains('open');
    chosen.set(el.getAttribute('data-group'), open);
    setOpen(el, open);
  });
  $('expand').addEventListener('click', function () {
    groups.forEach(function (g) { if (!g.el.hidden) { chosen.set(g.id, true); setOpen(g.el, true); } });
  });
  $('collapse').addEventListener('click', function () {
    groups.forEach(function (g) { if (!g.el.hidden) { chosen.set(g.id, false); setOpen(g.el, false); } });
  });
  var pending;
  filterBox.addEventListener('input', function () { clearTimeout(pending); pending = setTimeout(filter, 80); });
  problemsBox.addEventListener('change', filter);

  index();
  if (!window.EventSource) return;
  var source = new EventSource('events');
  source.addEventListener('full', function (m) { update(m, true); });
  source.addEventListener('delta', function (m) { update(m, false); });
  source.addEventListener('change', change);
  source.addEventListener('failure', failure);
  source.onerror = function () {
    conn.textContent = 'connection lost, reconnecting';
    conn.className = 'conn lost';
  };
  setInterval(function () {
    var silent = Date.now() - lastMessage;
    if (silent > 3 * interval) {
      conn.textContent = 'no update for ' + Math.round(silent / 1000) + ' s';
      conn.className = 'conn lost';
    }
  }, 1000);
})();
`;
