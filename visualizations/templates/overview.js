/* cchc-graph overview of a large store: the page draws places (and the most-cited documents
   outside the store); each document is one row of DATA.overview.documents, turned here into a
   hidden node linked to its place, so graph.js's double-click brings a place's documents out.
   Rows: [id, label, place index, title, [tasks, targets, agencies, leads, cooperating]];
   citations: [from row, to row, relation]. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("cchc-data").textContent);
  window.CCHC_DATA = DATA;
  var ov = DATA.overview;
  var style = ov.doc;
  var at = {};
  DATA.nodes.forEach(function (n) { at[n.id] = n; });
  var wrap = function (label) { return label.replace(" · ", " ·\n"); };
  ov.documents.forEach(function (row, i) {
    var id = row[0], place = ov.places[row[2]], name = ov.placeNames[row[2]];
    var home = at[place] || { x: 0, y: 0 };
    DATA.reserve.nodes.push({
      id: id, label: wrap(row[1]), shape: style.shape, color: style.color, size: style.size,
      title: style.kindLabel + ": " + row[3] + " (" + row[1] + ")", kind: "document", docs: [id],
      font: style.font, x: home.x, y: home.y
    });
    var e = ov.edges.in_jurisdiction;
    DATA.reserve.edges.push({ id: "p" + i, from: id, to: place, type: "in_jurisdiction", label: "",
      color: e.color, dashes: e.dashes, width: 1 });
    DATA.info[id] = {
      kind: "document", kindLabel: style.kindLabel, label: row[1],
      props: [["Trích yếu", row[3]], ["Địa bàn", name],
        ["Nội dung / contents", row[4][0] + " nhiệm vụ, " + row[4][1] + " chỉ tiêu, " + row[4][2] +
          " cơ quan (chủ trì " + row[4][3] + ", phối hợp " + row[4][4] + ")"],
        ["Chi tiết / detail", "cchc viz --document " + id]],
      quotes: [], page: ov.pageBase ? ov.pageBase + "/documents/" + encodeURIComponent(id) : null,
      graph: ov.pageBase ? "/?document=" + encodeURIComponent(id) : null
    };
  });
  ov.places.forEach(function (place, i) {  // served: a place's own (detailed) graph page
    if (ov.pageBase && DATA.info[place] && ov.placeIds[i] !== "?") {
      DATA.info[place].graph = "/?jurisdiction=" + encodeURIComponent(ov.placeIds[i]);
    }
  });
  // A place's documents, when opened, go in a grid below everything drawn so far, so they
  // neither cover the other places nor each other; each opened place starts a new block.
  var bottom = Math.max.apply(null, DATA.nodes.map(function (n) { return n.y || 0; })) + 260;
  window.cchcPlaceBlock = function (id, ids) {
    if (ov.places.indexOf(id) < 0) { return null; }
    var cols = Math.max(1, Math.ceil(Math.sqrt(ids.length * 2.5)));
    var left = Math.min.apply(null, DATA.nodes.map(function (n) { return n.x || 0; }));
    var out = ids.map(function (_, i) {
      return { x: left + (i % cols) * 250, y: bottom + Math.floor(i / cols) * 90 };
    });
    bottom += Math.ceil(ids.length / cols) * 90 + 260;
    return out;
  };
  // Served, a document's agencies come from the server when it is double-clicked: one node per
  // agency with a role in it, one line per agency counting its roles ("chủ trì 3").
  var asked = {};
  window.cchcMore = function (id) {
    var info = DATA.info[id];
    if (!ov.pageBase || !info || info.kind !== "document" || asked[id]) { return; }
    asked[id] = true;
    fetch("/matrix?document=" + encodeURIComponent(id)).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) { if (m) { addAgencies(id, m); } });
  };
  function addAgencies(id, m) {
    var roles = {};
    m.rows.forEach(function (row) {
      Object.keys(row.cells).forEach(function (a) {
        roles[a] = roles[a] || {};
        row.cells[a].forEach(function (r) { roles[a][r] = (roles[a][r] || 0) + 1; });
      });
    });
    var list = m.agencies.filter(function (a) { return roles[a.id]; });
    var at = cchc.network.getPositions([id])[id] || { x: 0, y: 0 };
    var radius = 170 + 8 * list.length, st = ov.agency, line = ov.edges.aggregate;
    list.forEach(function (a, i) {
      var said = Object.keys(roles[a.id]).map(function (r) {
        return (ov.roleLabels[r] || r) + " " + roles[a.id][r];
      }).join(", ");
      if (!cchc.nodes.get(a.id)) {
        var angle = 2 * Math.PI * i / list.length;
        cchc.nodes.add({ id: a.id, label: a.name.length > 40 ? a.name.slice(0, 38) + " …" : a.name,
          shape: st.shape, color: st.color, size: st.size, font: st.font, kind: "agency", docs: [id],
          title: st.kindLabel + ": " + a.name, x: at.x + radius * Math.cos(angle),
          y: at.y + radius * Math.sin(angle) });
        DATA.info[a.id] = { kind: "agency", kindLabel: st.kindLabel, label: a.name, props: [], quotes: [],
          page: ov.pageBase + "/agencies/" + encodeURIComponent(a.id) };
      }
      DATA.info[a.id].props.push([DATA.info[id].label, said]);
      cchc.edges.add({ id: "a:" + id + ":" + a.id, from: a.id, to: id, type: "aggregate", label: said,
        title: a.name + " — " + said, color: line.color, dashes: line.dashes, width: 1.6 });
    });
    cchc.refresh();
  }
  ov.citations.forEach(function (c, i) {
    var e = ov.edges[c[2]] || { color: "#BBBBBB", dashes: true, label: "" };
    DATA.reserve.edges.push({ id: "c" + i, from: ov.documents[c[0]][0], to: ov.documents[c[1]][0],
      type: c[2], label: e.label, color: e.color, dashes: e.dashes, width: 1.6 });
  });
}());
