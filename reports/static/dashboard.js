/* The dashboard's filters, search and sort, inlined into index.html: no network, works from file://.
   No data lives here: rows carry theirs in data-* attributes, read with getAttribute and JSON.parse,
   and nothing read from the page is ever written back as HTML (textContent only). The filters travel
   in the address, e.g. index.html#dept=财务处&state=逾期&q=预算, so a filtered view can be sent on. */
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var KEYS = ["dept", "cat", "state", "q"];
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var sortKey = "";

  function listAttr(el, name) {
    var raw = el.getAttribute(name);
    if (raw === null) { return null; }
    try { return JSON.parse(raw); } catch (e) { return []; }
  }
  function norm(text) { return (text || "").toLowerCase().replace(/\s+/g, " ").trim(); }

  function wanted() {
    var f = {};
    KEYS.forEach(function (k) { f[k] = form.elements[k].value.trim(); });
    return f;
  }

  function matches(el, f) {
    var depts = listAttr(el, "data-depts");
    if (f.dept && depts !== null && depts.indexOf(f.dept) < 0) { return false; }
    var cat = el.getAttribute("data-cat");
    if (f.cat && cat !== null && cat !== f.cat) { return false; }
    var states = listAttr(el, "data-states");
    if (f.state && states !== null && states.indexOf(f.state) < 0) { return false; }
    if (f.q && el.getAttribute("data-search") !== "off") {
      var hay = norm([el.textContent, el.getAttribute("data-url"), el.getAttribute("title")].join(" "));
      var words = norm(f.q).split(" ");
      for (var i = 0; i < words.length; i++) {
        if (hay.indexOf(words[i]) < 0) { return false; }
      }
    }
    return true;
  }

  function visibleRows(table) {
    return table.querySelectorAll("tbody tr[data-filter]:not([hidden])").length;
  }

  function writeAddress(f) {
    var params = new URLSearchParams();
    KEYS.forEach(function (k) { if (f[k]) { params.set(k, f[k]); } });
    if (sortKey) { params.set("sort", sortKey); }
    var text = params.toString();
    try {
      history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
    } catch (e) { /* some browsers refuse replaceState on file://; the filter still applies */ }
  }

  function apply(write) {
    var f = wanted();
    var active = KEYS.some(function (k) { return f[k]; });
    rows.forEach(function (el) {
      var ok = matches(el, f);
      if (el.getAttribute("data-filter") === "dim") { el.classList.toggle("dim", !ok); } else { el.hidden = !ok; }
    });
    Array.prototype.forEach.call(document.querySelectorAll("table.filterable"), function (table) {
      var note = table.nextElementSibling;
      if (note && note.classList.contains("none-match")) {
        // An empty table says so in words rather than as a header over nothing.
        note.hidden = visibleRows(table) > 0;
        table.hidden = !note.hidden;
      }
    });
    // A search that finds passing items opens their folded list; closing it again is the reader's choice.
    var passes = document.getElementById("passes");
    if (passes && f.q && visibleRows(passes) > 0) { passes.open = true; }
    var status = document.getElementById("filter-status");
    if (status) {
      var count = function (id) { var t = document.getElementById(id); return t ? visibleRows(t) : 0; };
      status.textContent = active
        ? "筛选结果：逾期 " + count("overdue") + " 项，待整改 " + count("to-fix") + " 项，有问题的事项 " +
          count("problem-items") + " 项，合格事项 " + count("pass-items") + " 项"
        : "";
    }
    if (write) { writeAddress(f); }
  }

  // -- sorting the departments ----------------------------------------------------------------------
  var deptTable = document.getElementById("department-table");
  function sortValue(tr, key) {
    if (key === "name") { return tr.getAttribute("data-name") || ""; }
    var v = parseFloat(tr.getAttribute("data-" + key));
    return isNaN(v) ? null : v;
  }
  function sortBy(key) {
    if (!deptTable) { return; }
    var desc = key.charAt(0) === "-";
    var name = desc ? key.slice(1) : key;
    var th = deptTable.querySelector('th[data-sort="' + name + '"]');
    if (!th) { return; }
    var body = deptTable.tBodies[0];
    var trs = Array.prototype.slice.call(body.rows);
    trs.sort(function (a, b) {
      var x = sortValue(a, name), y = sortValue(b, name);
      if (x === null || y === null) { return (x === null) - (y === null); }  // unscored last, either way
      var c = typeof x === "string" ? x.localeCompare(y, "zh-CN") : x - y;
      return desc ? -c : c;
    });
    trs.forEach(function (tr) { body.appendChild(tr); });
    Array.prototype.forEach.call(deptTable.querySelectorAll("th[data-sort]"), function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", desc ? "descending" : "ascending");
    sortKey = key;
  }
  if (deptTable) {
    Array.prototype.forEach.call(deptTable.querySelectorAll("th[data-sort]"), function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      var arrow = document.createElement("span");
      arrow.className = "arrow";
      arrow.textContent = " ⇅";
      button.appendChild(arrow);
      button.title = "按此列排序，再点一次倒序";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var name = th.getAttribute("data-sort");
        sortBy(sortKey === name ? "-" + name : name);
        writeAddress(wanted());
      });
    });
  }

  // -- the address ----------------------------------------------------------------------------------
  function readAddress() {
    var raw = location.hash.indexOf("=") >= 0 ? location.hash.slice(1) : location.search.slice(1);
    if (raw.indexOf("=") < 0) { return false; }
    var params = new URLSearchParams(raw);
    KEYS.forEach(function (k) {
      var field = form.elements[k];
      var value = params.get(k) || "";
      if (field.tagName === "SELECT" &&
          !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) { value = ""; }
      field.value = value;
    });
    var sort = params.get("sort");
    if (sort) { sortBy(sort); }
    return true;
  }

  form.hidden = false;
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(true); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  window.addEventListener("hashchange", function () { if (readAddress()) { apply(false); } });
  readAddress();
  apply(false);
}());
