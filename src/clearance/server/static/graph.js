// The interactive lineage graph: fetches the graph API's JSON and draws it as SVG.
// Plain JavaScript, no library, nothing fetched but the page's own API.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 230, H = 46, GX = 36, GY = 70, PAD = 24;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function short(s, n) { return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  // Levels: the root is level 0; a parent sits one level above its lowest child (longest path).
  function layout(graph) {
    var nodes = graph.nodes, byId = {}, parents = {}, i;
    nodes.forEach(function (n) { byId[n.id] = n; parents[n.id] = []; });
    graph.edges.forEach(function (e) { if (parents[e.child] && byId[e.parent]) parents[e.child].push(e.parent); });
    var level = {}, root = graph.root || (nodes[0] && nodes[0].id);
    level[root] = 0;
    var queue = [root], guard = 0;
    while (queue.length && guard++ < 20000) {
      var id = queue.shift();
      parents[id].forEach(function (p) {
        var want = level[id] + 1;
        if (level[p] === undefined || (level[p] < want && want < nodes.length)) { level[p] = want; queue.push(p); }
      });
    }
    nodes.forEach(function (n) { if (level[n.id] === undefined) level[n.id] = 1; });
    var rows = [];
    nodes.forEach(function (n) { (rows[level[n.id]] = rows[level[n.id]] || []).push(n.id); });
    var pos = {}, maxRow = 0;
    for (i = 0; i < rows.length; i++) rows[i] = rows[i] || [];
    // order each row by the mean position of its children (fewer crossings), root row first
    for (i = 0; i < rows.length; i++) {
      if (i > 0) {
        var score = {};
        rows[i].forEach(function (id) {
          var xs = graph.edges.filter(function (e) { return e.parent === id && pos[e.child]; })
                              .map(function (e) { return pos[e.child].x; });
          score[id] = xs.length ? xs.reduce(function (a, b) { return a + b; }, 0) / xs.length : 0;
        });
        rows[i].sort(function (a, b) { return score[a] - score[b]; });
      }
      rows[i].forEach(function (id, j) { pos[id] = { x: j * (W + GX), y: 0, level: i }; });
      maxRow = Math.max(maxRow, rows[i].length);
    }
    var width = maxRow * (W + GX) - GX, levels = rows.length;
    nodes.forEach(function (n) {
      var p = pos[n.id], row = rows[p.level];
      var rowWidth = row.length * (W + GX) - GX;
      p.x += (width - rowWidth) / 2 + PAD;
      p.y = (levels - 1 - p.level) * (H + GY) + PAD;  // ancestors above, the root at the bottom
    });
    return { pos: pos, width: width + 2 * PAD, height: levels * (H + GY) - GY + 2 * PAD };
  }

  function draw(box, graph) {
    var L = layout(graph), pos = L.pos;
    var tools = document.createElement("div");
    tools.className = "graph-tools";
    box.parentNode.insertBefore(tools, box);
    var svg = el("svg", { viewBox: "0 0 " + L.width + " " + L.height, role: "img",
                          "aria-label": "Lineage graph of " + graph.root, id: "lineage-svg" }, null);
    svg.setAttribute("height", Math.min(Math.max(L.height, 160), 640));
    var defs = el("defs", {}, svg);
    var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
                                markerHeight: "7", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#9aa5b1" }, marker);
    var world = el("g", { "class": "world" }, svg);
    var edgeEls = [];
    graph.edges.forEach(function (e) {
      var a = pos[e.parent], b = pos[e.child];
      if (!a || !b) return;
      var x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y, my = (y1 + y2) / 2;
      var g = el("g", { "class": "gedge " + e.relation, "data-parent": e.parent, "data-child": e.child }, world);
      el("path", { d: "M" + x1 + "," + y1 + " C" + x1 + "," + my + " " + x2 + "," + my + " " + x2 + "," + (y2 - 2),
                   "marker-end": "url(#arrow)" }, g);
      var t = el("text", { x: (x1 + x2) / 2 + 4, y: my, "text-anchor": "start" }, g);
      t.textContent = e.relation.replace("_", " ");
      el("title", {}, g).textContent = e.parent + " \u2192 " + e.child + " (" + e.relation + ")";
      edgeEls.push(g);
    });
    graph.nodes.forEach(function (n) {
      var p = pos[n.id];
      var cls = "gnode " + n.kind + (n.resolved ? "" : " unresolved") + (n.id === graph.root ? " root" : "");
      var g = el("g", { "class": cls, transform: "translate(" + p.x + "," + p.y + ")", "data-id": n.id }, world);
      var holder = g;
      if (n.kind === "model" && n.id !== graph.root && n.id.indexOf("/") > 0 && n.id.charAt(0) !== "/") {
        holder = el("a", { href: "/models/" + n.id.split("/").map(encodeURIComponent).join("/") }, g);
      }
      el("rect", { width: W, height: H, rx: 6 }, holder);
      var t1 = el("text", { x: 8, y: 18 }, holder);
      t1.textContent = short(n.id, 34);
      var t2 = el("text", { x: 8, y: 36, "class": "lic" }, holder);
      t2.textContent = (n.kind === "dataset" ? "dataset \u00b7 " : "") +
        (n.resolved ? (n.licenses.length ? short(n.licenses.join(", "), 30) : "no license declared") : "not found");
      el("title", {}, g).textContent = n.id + "\n" + (n.licenses.join(", ") || "no license") + (n.source ? "\n" + n.source : "");
      g.addEventListener("mouseenter", function () { highlight(n.id, true); });
      g.addEventListener("mouseleave", function () { highlight(n.id, false); });
    });
    function highlight(id, on) {
      edgeEls.forEach(function (g) {
        if (g.getAttribute("data-parent") === id || g.getAttribute("data-child") === id) g.classList.toggle("hl", on);
      });
    }
    // pan and zoom by changing the viewBox
    var vb = [0, 0, L.width, L.height], home = vb.slice();
    function apply() { svg.setAttribute("viewBox", vb.join(" ")); }
    var drag = null;
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.target.closest && ev.target.closest("a")) return;
      drag = { x: ev.clientX, y: ev.clientY, vb: vb.slice() };
      svg.classList.add("dragging");
      svg.setPointerCapture(ev.pointerId);
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!drag) return;
      var scale = vb[2] / svg.clientWidth;
      vb[0] = drag.vb[0] - (ev.clientX - drag.x) * scale;
      vb[1] = drag.vb[1] - (ev.clientY - drag.y) * scale;
      apply();
    });
    function end() { drag = null; svg.classList.remove("dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      var r = svg.getBoundingClientRect();
      var mx = vb[0] + (ev.clientX - r.left) / r.width * vb[2], my = vb[1] + (ev.clientY - r.top) / r.height * vb[3];
      vb = [mx - (mx - vb[0]) * f, my - (my - vb[1]) * f, vb[2] * f, vb[3] * f];
      apply();
    }, { passive: false });
    [["Zoom in", 1 / 1.3], ["Zoom out", 1.3], ["Fit", 0]].forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b[0];
      btn.addEventListener("click", function () {
        if (!b[1]) { vb = home.slice(); } else {
          var cx = vb[0] + vb[2] / 2, cy = vb[1] + vb[3] / 2;
          vb = [cx - vb[2] * b[1] / 2, cy - vb[3] * b[1] / 2, vb[2] * b[1], vb[3] * b[1]];
        }
        apply();
      });
      tools.appendChild(btn);
    });
    box.appendChild(svg);
    box.setAttribute("data-nodes", String(graph.nodes.length));
  }

  function start() {
    var fig = document.getElementById("lineage");
    if (!fig) return;
    var url = fig.getAttribute("data-graph-url"), box = document.getElementById("graph-canvas");
    if (!url || !box) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (graph) {
        if (graph.nodes.length > 400) {
          box.textContent = graph.nodes.length + " artifacts: too many to draw; see the table below.";
          return;
        }
        draw(box, graph);
      })
      .catch(function (err) { box.textContent = "The graph could not be drawn (" + err.message + "); see the table below."; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
