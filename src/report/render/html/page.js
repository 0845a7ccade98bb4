// careplay impact page: sorting, filtering and the event drill-down. Reads the JSON block
// written by the Rust renderer; writes text only through textContent (never HTML), so no
// value from the logs can become markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("careplay-data").textContent);
  var PAGE = 200;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- events: decode the string-table columns into objects ------------------------
  var t = data.events;
  var lists = {};
  t.lists.forEach(function (c) { lists[c] = true; });
  var events = t.rows.map(function (row) {
    var ev = {};
    t.columns.forEach(function (c, i) {
      var v = row[i];
      if (lists[c]) ev[c] = v.map(function (k) { return t.strings[k]; });
      else ev[c] = v < 0 ? null : t.strings[v];
    });
    return ev;
  });

  // ---- sortable, filterable tables --------------------------------------------------
  function cellValue(td, numeric) {
    var s = td ? td.textContent.trim() : "";
    if (!numeric) return s.toLowerCase();
    var n = parseFloat(s.replace(/,/g, ""));
    return isNaN(n) ? -Infinity : n;
  }

  function sortTable(table, col, th) {
    var numeric = th.getAttribute("data-type") === "number";
    var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === "ascending" ? 1 : -1;
    rows.forEach(function (r, i) { r._i = i; });
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[col], numeric), y = cellValue(b.cells[col], numeric);
      if (x < y) return -sign;
      if (x > y) return sign;
      return a._i - b._i; // stable: ties keep their order
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function makeSortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      function go() { sortTable(table, col, th); }
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); }
      });
    });
  }

  function addFilter(section, table) {
    var bar = el("div", "controls");
    var input = el("input", "filter");
    input.type = "search";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter " + section.querySelector("h2").textContent);
    var count = el("span", "count");
    var rows = table.tBodies[0].rows;
    var total = rows.length;
    function update() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(rows, function (r) {
        var hit = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.classList.toggle("hidden", !hit);
        if (hit) shown++;
      });
      count.textContent = shown === total ? total + " rows" : shown + " of " + total + " rows";
    }
    input.addEventListener("input", update);
    bar.appendChild(input);
    bar.appendChild(count);
    var scroll = table.parentNode;
    scroll.parentNode.insertBefore(bar, scroll);
    update();
  }

  Array.prototype.forEach.call(document.querySelectorAll("section.table-section"), function (s) {
    var table = s.querySelector("table.sortable");
    if (!table) return;
    makeSortable(table);
    addFilter(s, table);
  });

  // ---- the event list ---------------------------------------------------------------
  var COLS = [
    ["time (UTC)", "created_at"], ["user", "user_principal_name"], ["app", "app_display_name"],
    ["baseline", "baseline_outcome"], ["candidate", "candidate_outcome"], ["change", "change"],
    ["changed by", "changed_by"], ["explanation", "explanation"], ["demand", "candidate_demand"],
    ["undecided because", "unknown_causes"], ["location", "location"], ["client app", "client_app_type"],
    ["resource", "resource_display_name"], ["baseline policies applied", "baseline_policies_applied"],
    ["candidate policies applied", "candidate_policies_applied"], ["ip", "ip"], ["request id", "request_id"]
  ];
  var LONG = {
    explanation: "expl", changed_by: "wide", candidate_demand: "wide", unknown_causes: "wide",
    baseline_policies_applied: "wide", candidate_policies_applied: "wide",
    created_at: "nowrap", request_id: "nowrap"
  };
  var state = { q: "", change: "all", drill: null, sort: null, dir: 1, shown: PAGE };
  var controls = document.getElementById("events-controls");
  var more = document.getElementById("events-more");
  var table = document.getElementById("events-table");

  function text(v) {
    if (v === null || v === undefined) return "";
    return Array.isArray(v) ? v.join("; ") : String(v);
  }
  function lower(v) { return (v || "").toLowerCase(); }

  function drillMatch(ev, d) {
    var unknown = d.name === "(unknown)";
    switch (d.kind) {
      case "user":
        if (d.id) return lower(ev.user_id) === lower(d.id);
        return lower(ev.user_principal_name || ev.user_display_name) === lower(d.name);
      case "app":
        if (d.id) return ev.app_id === d.id;
        return unknown ? !ev.app_id && !ev.app_display_name : ev.app_display_name === d.name;
      case "policy":
        if (d.name === "(no policy named)") return ev.change !== "unchanged" && ev.changed_by.length === 0;
        return ev.changed_by.indexOf(d.name) >= 0;
      case "location":
        return unknown ? !(ev.location || "").trim() || ev.location === d.name : ev.location === d.name;
      case "client":
        return unknown ? !(ev.client_app_type || "").trim() || ev.client_app_type === d.name : ev.client_app_type === d.name;
      case "day":
        return unknown ? !ev.created_at : (ev.created_at || "").slice(0, 10) === d.name;
    }
    return false;
  }

  function selected() {
    var q = state.q.toLowerCase();
    var out = events.filter(function (ev) {
      if (state.drill && !drillMatch(ev, state.drill)) return false;
      if (state.change === "moved" && ev.change === "unchanged") return false;
      if (state.change !== "all" && state.change !== "moved" && ev.change !== state.change) return false;
      if (q) {
        var hay = COLS.map(function (c) { return text(ev[c[1]]); }).join(" ").toLowerCase();
        if (hay.indexOf(q) < 0) return false;
      }
      return true;
    });
    if (state.sort) {
      var key = state.sort, dir = state.dir;
      out = out.map(function (ev, i) { return [ev, i]; });
      out.sort(function (a, b) {
        var x = text(a[0][key]).toLowerCase(), y = text(b[0][key]).toLowerCase();
        if (x < y) return -dir;
        if (x > y) return dir;
        return a[1] - b[1];
      });
      out = out.map(function (p) { return p[0]; });
    }
    return out;
  }

  function badge(cls, v) { return el("span", "badge " + cls + v, v); }

  function renderEvents() {
    var rows = selected();
    while (table.firstChild) table.removeChild(table.firstChild);
    var head = table.createTHead().insertRow();
    COLS.forEach(function (c) {
      var th = el("th", null, c[0]);
      th.setAttribute("data-field", c[1]);
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", state.sort === c[1] ? (state.dir > 0 ? "ascending" : "descending") : "none");
      th.addEventListener("click", function () {
        if (state.sort === c[1]) state.dir = -state.dir; else { state.sort = c[1]; state.dir = 1; }
        renderEvents();
      });
      head.appendChild(th);
    });
    table.classList.add("sortable");
    var body = table.createTBody();
    rows.slice(0, state.shown).forEach(function (ev) {
      var tr = body.insertRow();
      tr.className = "ev";
      tr.setAttribute("data-change", ev.change);
      COLS.forEach(function (c) {
        var td = tr.insertCell();
        var v = ev[c[1]];
        if (c[1] === "baseline_outcome" || c[1] === "candidate_outcome") td.appendChild(badge("oc-", v));
        else if (c[1] === "change") td.appendChild(badge("mv-", v));
        else {
          // Long texts (explanations, policy lists) are clamped to a few lines; a click
          // shows the whole text.
          var box = el("div", "clamp", text(v));
          box.addEventListener("click", function () { box.classList.toggle("open"); });
          td.appendChild(box);
          if (LONG[c[1]]) td.className = LONG[c[1]];
        }
        td.setAttribute("data-field", c[1]);
      });
    });
    var moved = rows.filter(function (ev) { return ev.change !== "unchanged"; }).length;
    count.textContent = rows.length + " of " + events.length + " embedded events match (" + moved + " moved)" +
      (rows.length > state.shown ? "; showing the first " + state.shown : "");
    count.setAttribute("data-matching", rows.length);
    count.setAttribute("data-moved", moved);
    while (more.firstChild) more.removeChild(more.firstChild);
    if (rows.length > state.shown) {
      var b = el("button", "more", "Show " + Math.min(PAGE, rows.length - state.shown) + " more");
      b.type = "button";
      b.addEventListener("click", function () { state.shown += PAGE; renderEvents(); });
      more.appendChild(b);
    }
    chip.textContent = state.drill ? state.drill.kind + ": " + state.drill.name : "";
    chip.style.display = state.drill ? "" : "none";
    clear.style.display = state.drill ? "" : "none";
  }

  var search = el("input", "filter");
  search.type = "search";
  search.id = "events-filter";
  search.placeholder = "Filter events (any field)";
  search.setAttribute("aria-label", "Filter events");
  search.addEventListener("input", function () { state.q = search.value.trim(); state.shown = PAGE; renderEvents(); });
  var change = el("select");
  change.id = "events-change";
  change.setAttribute("aria-label", "Change");
  [["all", "every change"], ["moved", "moved (any change)"], ["newly_blocked", "newly blocked"],
   ["newly_challenged", "newly challenged"], ["newly_unknown", "newly unknown"], ["relieved", "relieved"],
   ["unchanged", "unchanged"]].forEach(function (o) {
    var opt = el("option", null, o[1]);
    opt.value = o[0];
    change.appendChild(opt);
  });
  change.addEventListener("change", function () { state.change = change.value; state.shown = PAGE; renderEvents(); });
  var chip = el("span", "chip");
  chip.id = "events-drill";
  var clear = el("button", null, "show all events");
  clear.type = "button";
  clear.id = "events-clear";
  clear.addEventListener("click", function () { state.drill = null; state.shown = PAGE; renderEvents(); });
  var count = el("span", "count");
  count.id = "events-count";
  [search, change, chip, clear, count].forEach(function (e) { controls.appendChild(e); });

  Array.prototype.forEach.call(document.querySelectorAll("button.drill"), function (b) {
    b.addEventListener("click", function () {
      state.drill = { kind: b.getAttribute("data-kind"), id: b.getAttribute("data-id"), name: b.getAttribute("data-name") };
      state.shown = PAGE;
      renderEvents();
      document.getElementById("events").scrollIntoView();
    });
  });

  renderEvents();
})();
