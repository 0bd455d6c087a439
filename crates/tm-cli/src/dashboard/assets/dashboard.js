// tm dashboard: live updates. The server sends each status change as a server-sent event
// (`/events`); this script shows it in the live list, updates the shipment's status wherever
// it is on the page, and redraws the chart (at most every few seconds). Text from the API is
// set with textContent, never parsed as HTML.
"use strict";
(function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) { return; }
  var state = document.getElementById("live-state");
  function setState(text, cls) {
    if (state) { state.textContent = text; state.className = "dot " + cls; state.title = text; }
  }
  var chartTimer = null;
  function redrawChart() {
    if (chartTimer) { return; }
    chartTimer = setTimeout(function () {
      chartTimer = null;
      fetch("/chart" + window.location.search, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (svg) {
          var old = document.getElementById("chart");
          if (!svg || !old) { return; }
          var doc = new DOMParser().parseFromString(svg, "image/svg+xml");
          var fresh = doc.documentElement;
          if (fresh && fresh.nodeName === "svg") { old.replaceWith(document.importNode(fresh, true)); }
        })
        .catch(function () {});
    }, 3000);
  }
  var source = new EventSource("/events");
  source.onopen = function () { setState("connected", "on"); };
  source.onerror = function () { setState("reconnecting", "off"); };
  source.addEventListener("change", function (e) {
    var c;
    try { c = JSON.parse(e.data); } catch (err) { return; }
    var li = document.createElement("li");
    var time = document.createElement("time");
    time.textContent = new Date().toLocaleTimeString();
    var link = document.createElement("a");
    link.href = "/shipment/" + encodeURIComponent(c.carrier) + "/" + encodeURIComponent(c.number);
    link.textContent = c.number;
    li.appendChild(time);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(link);
    li.appendChild(document.createTextNode(" (" + c.carrier + "): " + (c.from || "new") + " \u2192 " + c.to));
    if (c.event) { li.title = c.event; }
    li.dataset.key = c.key;
    live.insertBefore(li, live.firstChild);
    while (live.children.length > 100) { live.removeChild(live.lastChild); }
    document.querySelectorAll("tr[data-key]").forEach(function (row) {
      if (row.dataset.key !== c.key) { return; }
      var chip = row.querySelector(".status .chip");
      if (chip) { chip.textContent = c.to; chip.className = "chip s-" + c.to; chip.dataset.status = c.to; }
      var ev = row.querySelector(".event");
      if (ev && c.event) { ev.textContent = c.event; }
      row.classList.remove("changed"); void row.offsetWidth; row.classList.add("changed");
    });
    redrawChart();
  });
})();
