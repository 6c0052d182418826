/* cchc-graph browser: filters, search, side panel and expand-on-click over a vis-network.
   Data comes from the JSON block written by visualizations/html.py; text is set with
   textContent only, so nothing in a document can inject markup. */
(function () {
  "use strict";
  // overview.js, on a large store's page, has read the data and added its documents
  var DATA = window.CCHC_DATA || JSON.parse(document.getElementById("cchc-data").textContent);
  var fold = function (s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
  };
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  };

  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var reserveNodes = new Map(DATA.reserve.nodes.map(function (n) { return [n.id, n]; }));
  var reserveEdges = DATA.reserve.edges.slice();
  var state = {
    kinds: new Set(DATA.visibleKinds),
    types: new Set(DATA.edgeTypes.map(function (t) { return t.type; })),
    docs: null
  };
  var docOk = function (n) {
    return state.docs === null || !n.docs || n.docs.length === 0 ||
      n.docs.some(function (d) { return state.docs.has(d); });
  };
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return state.kinds.has(n.kind) && docOk(n); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return state.types.has(e.type); } });
  var network = new vis.Network(document.getElementById("network"),
    { nodes: nodeView, edges: edgeView }, DATA.options);
  // when the first frame is drawn (benchmarks/viz_browser.py reads it)
  network.once("afterDrawing", function () { window.cchcFirstDraw = performance.now(); });

  function updateCounts() {
    document.getElementById("counts").textContent = "Đang hiện " + nodeView.length + " nút, " +
      edgeView.length + " cạnh / showing " + nodeView.length + " nodes, " + edgeView.length + " edges" +
      (reserveNodes.size ? " (" + reserveNodes.size + " nút ẩn có thể mở rộng / hidden, expandable)" : "");
  }
  function refresh() { nodeView.refresh(); edgeView.refresh(); updateCounts(); }

  // --- filters ---------------------------------------------------------------------------
  function checkbox(parent, checked, onChange, swatch, text, title) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); });
    label.appendChild(box);
    if (swatch) { label.appendChild(swatch); }
    label.appendChild(document.createTextNode(text));
    if (title) { label.title = title; }
    parent.appendChild(label);
    return box;
  }
  var kindBoxes = {};
  DATA.kinds.forEach(function (k) {
    var sw = el("span", null, "swatch");
    sw.style.background = k.color;
    kindBoxes[k.kind] = checkbox(document.getElementById("kind-filters"), state.kinds.has(k.kind),
      function (on) { if (on) { state.kinds.add(k.kind); } else { state.kinds.delete(k.kind); } refresh(); },
      sw, k.label + " (" + k.count + ")", k.english);
  });
  DATA.edgeTypes.forEach(function (t) {
    var sw = el("span", null, "line" + (t.dashes ? " dashed" : ""));
    sw.style.borderColor = t.color;
    checkbox(document.getElementById("edge-filters"), true,
      function (on) { if (on) { state.types.add(t.type); } else { state.types.delete(t.type); } refresh(); },
      sw, t.label + (t.role ? " (vai trò)" : ""), t.type);
  });
  var docBoxes = {};
  var allDocs = document.getElementById("all-docs");
  function docsChanged() {
    var on = Object.keys(docBoxes).filter(function (d) { return docBoxes[d].checked; });
    state.docs = on.length === Object.keys(docBoxes).length ? null : new Set(on);
    allDocs.checked = state.docs === null;
    refresh();
  }
  DATA.documents.forEach(function (d) {
    docBoxes[d[0]] = checkbox(document.getElementById("doc-filters"), true, docsChanged, null, d[1], d[0]);
  });
  allDocs.addEventListener("change", function () {
    Object.keys(docBoxes).forEach(function (d) { docBoxes[d].checked = allDocs.checked; });
    docsChanged();
  });
  var jurSelect = document.getElementById("jurisdiction-filter");
  DATA.jurisdictions.forEach(function (j) {
    var o = el("option", j[1] + " (" + j[2].length + ")");
    o.value = j[0];
    jurSelect.appendChild(o);
  });
  jurSelect.addEventListener("change", function () {
    var row = DATA.jurisdictions.find(function (j) { return j[0] === jurSelect.value; });
    var keep = row ? new Set(row[2]) : null;
    Object.keys(docBoxes).forEach(function (d) { docBoxes[d].checked = keep === null || keep.has(d); });
    docsChanged();
  });

  // --- side panel ------------------------------------------------------------------------
  var panel = document.getElementById("panel");
  function quoteBlock(q) {
    var b = el("blockquote");
    b.appendChild(el("span", "“" + q.quote + "”"));
    b.appendChild(el("cite", q.document_label + (q.section ? ", mục " + q.section : "") +
      (q.place ? ", " + q.place : "") +
      (q.start !== null && q.start !== undefined ? " [" + q.start + "–" + q.end + "]" : "")));
    return b;
  }
  function fillPanel(kind, title, props, quotes, actions) {
    document.getElementById("panel-kind").textContent = kind;
    document.getElementById("panel-title").textContent = title;
    var table = document.getElementById("panel-props");
    table.replaceChildren();
    props.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("th", p[0]));
      tr.appendChild(el("td", p[1]));
      table.appendChild(tr);
    });
    var qs = document.getElementById("panel-quotes");
    qs.replaceChildren();
    quotes.forEach(function (q) { qs.appendChild(quoteBlock(q)); });
    document.getElementById("panel-quotes-title").hidden = quotes.length === 0;
    var act = document.getElementById("panel-actions");
    act.replaceChildren();
    actions.forEach(function (a) { act.appendChild(a); act.appendChild(document.createTextNode(" ")); });
    panel.hidden = false;
  }
  function showNode(id) {
    var info = DATA.info[id];
    if (!info) { return; }
    var actions = [];
    var hidden = reserveNeighbours(id).length;
    if (hidden) {
      var b = el("button", "Mở rộng / expand (" + hidden + ")");
      b.type = "button";
      b.addEventListener("click", function () { expand(id); });
      actions.push(b);
    }
    if (info.page) {
      var a = el("a", "Mở trang / open page");
      a.href = info.page;
      actions.push(a);
    }
    if (info.graph) {  // the overview, served: the detailed graph of a place or a document
      var g = el("a", "Đồ thị chi tiết / detailed graph");
      g.href = info.graph;
      actions.push(g);
    }
    fillPanel(info.kindLabel, info.label, info.props, info.quotes.map(function (i) { return DATA.quotes[i]; }),
      actions);
  }
  function showEdge(id) {
    var e = edges.get(id);
    if (!e) { return; }
    fillPanel("Quan hệ / edge: " + (e.label || e.type), e.title, [], e.quote !== undefined ? [DATA.quotes[e.quote]] : [], []);
  }
  document.getElementById("panel-close").addEventListener("click", function () { panel.hidden = true; });
  network.on("click", function (p) {
    if (p.nodes.length) { showNode(p.nodes[0]); } else if (p.edges.length) { showEdge(p.edges[0]); } else { panel.hidden = true; }
  });
  network.on("doubleClick", function (p) {
    // nothing held back to bring out: the overview, served, asks the server (overview.js)
    if (p.nodes.length && !expand(p.nodes[0]) && window.cchcMore) { window.cchcMore(p.nodes[0]); }
  });

  // --- expand a node with its hidden neighbours ------------------------------------------
  function reserveNeighbours(id) {
    var out = new Set();
    reserveEdges.forEach(function (e) {
      if (e.from === id && reserveNodes.has(e.to)) { out.add(e.to); }
      if (e.to === id && reserveNodes.has(e.from)) { out.add(e.from); }
    });
    return Array.from(out);
  }
  function expand(id) {
    var add = reserveNeighbours(id);
    if (!add.length) { return 0; }
    var centre = network.getPositions([id])[id] || { x: 0, y: 0 };
    var radius = 90 + 7 * add.length;
    // the overview lays a place's documents out in a block of their own (overview.js)
    var placed = window.cchcPlaceBlock ? window.cchcPlaceBlock(id, add) : null;
    add.forEach(function (nid, i) {
      var n = Object.assign({}, reserveNodes.get(nid));
      var angle = 2 * Math.PI * i / add.length;
      n.x = placed ? placed[i].x : centre.x + radius * Math.cos(angle);
      n.y = placed ? placed[i].y : centre.y + radius * Math.sin(angle);
      nodes.add(n);
      reserveNodes.delete(nid);
      state.kinds.add(n.kind);
      if (kindBoxes[n.kind]) { kindBoxes[n.kind].checked = true; }
    });
    var rest = [];
    reserveEdges.forEach(function (e) {
      if (nodes.get(e.from) && nodes.get(e.to)) { edges.add(e); } else { rest.push(e); }
    });
    reserveEdges = rest;
    refresh();
    fillSearch();
    showNode(id);
    if (placed) {  // show the block's first rows at a zoom where its labels read
      var s = 0.7, f = network.canvas.frame;
      network.moveTo({ position: { x: placed[0].x - 140 + f.clientWidth / 2 / s,
        y: placed[0].y - 70 + f.clientHeight / 2 / s }, scale: s, animation: false });
    }
    return add.length;
  }

  // --- search ----------------------------------------------------------------------------
  function fillSearch() {
    var list = document.getElementById("search-list");
    list.replaceChildren();
    var seen = new Set();
    nodes.forEach(function (n) { seen.add(n.label.replace(/\n/g, " ")); });
    reserveNodes.forEach(function (n) { seen.add(n.label.replace(/\n/g, " ")); });
    Array.from(seen).sort().slice(0, 5000).forEach(function (l) { list.appendChild(el("option", l)); });
  }
  function find(query) {
    var q = fold(query);
    if (!q) { return null; }
    var best = null;
    var score = function (n) {
      var label = fold(n.label.replace(/\n/g, " "));
      var info = DATA.info[n.id] || {};
      if (label === q || fold(n.id) === q) { return 3; }
      if (label.indexOf(q) === 0) { return 2; }
      if (label.indexOf(q) >= 0 || fold(info.label).indexOf(q) >= 0) { return 1; }
      return 0;
    };
    var consider = function (n) {
      var s = score(n);
      if (s && (!best || s > best.s)) { best = { id: n.id, s: s }; }
    };
    nodes.forEach(consider);
    reserveNodes.forEach(consider);
    return best && best.id;
  }
  function select(id) {
    if (reserveNodes.has(id)) {
      var n = Object.assign({}, reserveNodes.get(id));
      nodes.add(n);
      reserveNodes.delete(id);
      reserveEdges = reserveEdges.filter(function (e) {
        if (nodes.get(e.from) && nodes.get(e.to)) { edges.add(e); return false; }
        return true;
      });
    }
    var n2 = nodes.get(id);
    if (!state.kinds.has(n2.kind)) { state.kinds.add(n2.kind); kindBoxes[n2.kind].checked = true; }
    if (!docOk(n2)) { allDocs.checked = true; allDocs.dispatchEvent(new Event("change")); }
    refresh();
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: false });
    showNode(id);
  }
  document.getElementById("search").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("search-input").value;
    var id = find(q);
    document.getElementById("search-message").textContent = id ? "" : "Không thấy / not found: " + q;
    if (id) { select(id); }
  });

  // --- physics and view ------------------------------------------------------------------
  document.getElementById("physics").addEventListener("change", function (ev) {
    network.setOptions({ physics: { enabled: ev.target.checked } });
  });
  document.getElementById("fit").addEventListener("click", function () { network.fit(); });

  fillSearch();
  updateCounts();
  if (DATA.focus && nodes.get(DATA.focus)) {
    network.once("afterDrawing", function () { network.selectNodes([DATA.focus]); showNode(DATA.focus); });
  }
  window.cchc = { network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
    state: state, select: select, expand: expand, find: find, showNode: showNode, refresh: refresh };
}());
