"""Which nodes and edges a graph page shows: filters, a focus, and an aggregated view when large.

The output is plain data (``View``, in ``model.py``) that ``html.py`` draws; nothing here knows
about pyvis.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cchc_graph.graph.questions import typed
from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import ROLE_LABELS, TYPE_NAMES, Corpus, section_label, source_place
from cchc_graph.graph.questions.labels import document_labels, place_name
from cchc_graph.graph.questions.refines import metric_label
from cchc_graph.graph.questions.tables import AGENCY_IDS, IN_LIST, id_of, json_list, rows_of
from cchc_graph.graph.questions.trace import STRUCTURAL
from cchc_graph.keys import fold
from cchc_graph.loaders.lexicon import AGENCY_KINDS

from . import overview
from .model import Quote, VEdge, View, VNode
from .style import DEFAULT_KINDS, EDGE, FALLBACK_EDGE, NODE

MAX_NODES = 2000  # above this the browser stays usable only with a focused or aggregated view
RESERVE_MAX = 20_000  # hidden nodes kept in the page for expand-on-click
MAX_QUOTES = 8
AGGREGATE_KINDS = ("document", "reference", "agency", "indicator")
# Side-panel fields per kind: (record field, Vietnamese label).
PROPS: dict[str, tuple[tuple[str, str], ...]] = {
    "document": (("number", "Số hiệu"), ("number_inferred", "Số hiệu (suy ra)"), ("type", "Loại"),
                 ("title", "Trích yếu"), ("issuer", "Cơ quan ban hành"), ("date", "Ngày ban hành"),
                 ("jurisdiction", "Địa bàn"), ("period_start", "Từ năm"), ("period_end", "Đến năm"),
                 ("signer", "Người ký")),
    "reference": (("number", "Số hiệu"), ("type", "Loại"), ("title", "Trích yếu"),
                  ("issuer", "Cơ quan ban hành"), ("date", "Ngày ban hành"), ("cited_by", "Được dẫn bởi")),
    "agency": (("name", "Tên"), ("kind", "Loại cơ quan"), ("jurisdiction", "Địa bàn"),
               ("aliases", "Tên khác"), ("is_group", "Nhóm cơ quan"), ("documents", "Văn bản")),
    # A task's or target's text is its quote, shown under the properties.
    "task": (("document", "Văn bản"), ("section", "Mục"), ("area", "Lĩnh vực"),
             ("deadline", "Thời hạn"), ("due_date", "Hạn (ngày)"), ("lead", "Chủ trì"),
             ("cooperate", "Phối hợp"), ("standing", "Thường trực"), ("report_to", "Báo cáo")),
    "target": (("document", "Văn bản"), ("metric", "Chỉ tiêu đo"),
               ("comparator", "So sánh"), ("value", "Giá trị"), ("unit", "Đơn vị"), ("year", "Năm"),
               ("indicator", "Chỉ số")),
    "indicator": (("name", "Tên"), ("aliases", "Tên đầy đủ")),
    "jurisdiction": (("name", "Tên"), ("level", "Cấp"), ("parent", "Trực thuộc"),
                     ("successor", "Sáp nhập vào")),
    "area": (("label", "Lĩnh vực"),),
}
ID_FIELDS = {"document", "jurisdiction", "lead", "cooperate", "standing", "report_to", "documents",
             "cited_by", "parent", "successor", "indicator"}


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """What to show. ``kinds`` None: every kind in the data, the default ones visible."""

    focus: str | None = None
    depth: int = 1
    kinds: tuple[str, ...] | None = None
    documents: tuple[str, ...] = ()
    jurisdiction: str | None = None
    roles: tuple[str, ...] | None = None
    max_nodes: int = MAX_NODES
    layout: str = "auto"  # auto | force | hierarchical


def kind_of(attrs: dict[str, Any]) -> str:
    t = attrs.get("type", "unknown")
    if t == "document" and not attrs.get("in_corpus"):
        return "reference"
    return t if t in NODE else "unknown"


class Labeller:
    """Turns graph nodes and edges into ``VNode``/``VEdge`` with labels, properties and quotes."""

    def __init__(self, c: Corpus) -> None:
        self.c = c
        self._attrs: dict[str, dict[str, Any]] = {}
        self._edges: dict[str, list[typed.Edge]] = {}  # each node's edges, in then out

    def load(self, nodes: Iterable[str]) -> None:
        """Read the attributes and edges of ``nodes`` at once (a page labels thousands)."""
        todo = [n for n in nodes if n not in self._edges]
        ins, outs = typed.edges_of(self.c, todo, False), typed.edges_of(self.c, todo, True)
        for n in todo:
            self._edges[n] = [*ins[n], *outs[n]]

    def attrs(self, n: str) -> dict[str, Any]:
        a = self._attrs.get(n)
        if a is None:
            a = self._attrs[n] = typed.attributes(self.c, n)
        return a

    def incident(self, n: str) -> list[typed.Edge]:
        if n not in self._edges:
            self.load([n])
        return self._edges[n]

    def doc_label(self, did: str, full: bool = False) -> str:
        """"KH 12/KH-UBND · Vĩnh Long", distinct across the corpus (``graph.labels``);
        ``full``: "Kế hoạch 12/KH-UBND: " and the whole title."""
        if not full:
            return document_labels(self.c).get(did) or did
        rec = self.c.documents.get(did) or self.c.references.get(did) or {}
        number = rec.get("number") or rec.get("number_inferred")
        head = TYPE_NAMES.get(rec.get("type") or "", "")
        title = rec.get("title") or ""
        if number:
            head = f"{head} {number}".strip()
            return f"{head}: {title}" if full and title else head
        title = title or did
        if head and fold(title).startswith(fold(head)):  # "Nghị quyết Đại hội …" names its type
            head = ""
        return f"{head} {title}".strip()

    def quote(self, p: dict | None) -> Quote | None:
        if not p or not p.get("quote"):
            return None
        return Quote(p["document"], self.doc_label(p["document"]), section_label(p.get("section")) or None,
                     p.get("start"), p.get("end"), p["quote"], source_place(p))

    def label(self, n: str, kind: str) -> str:
        a = self.attrs(n)
        if kind in ("document", "reference"):
            return _wrap(self.doc_label(n), 22)
        if kind == "task":
            return _wrap(f"{section_label(a.get('section'))} {short(self.c.task_title(n), 40)}".strip(), 24)
        if kind == "target":
            value = a.get("value")
            shown = "" if value is None else f"{a.get('comparator') or ''}{value:g}{a.get('unit') or ''}"
            metric = metric_label(a["metric"]) if a.get("metric") else ""
            return _wrap(" ".join(x for x in (shown, str(a.get("year") or ""), short(metric, 30)) if x)
                         or short(a.get("text", n), 30), 22)
        return _wrap(short(self.c.label(n), 48), 22)

    def value(self, field_: str, v: Any) -> str:
        if isinstance(v, list):
            return "; ".join(self.value(field_, x) for x in v)
        if isinstance(v, bool):
            return "có" if v else "không"
        if field_ in ID_FIELDS and isinstance(v, str) and self.c.has_node(v):
            return self.c.label(v) if v not in self.c.documents else self.doc_label(v)
        if field_ == "metric":
            return metric_label(v)
        if field_ == "section":
            return section_label(v)
        if field_ == "kind":
            return AGENCY_KINDS.get(v, v)
        if field_ == "type":
            return TYPE_NAMES.get(v, v)
        return str(v)

    def node(self, n: str) -> VNode:
        a = self.attrs(n)
        kind = kind_of(a)
        props = tuple((lab, self.value(f, a[f])) for f, lab in PROPS.get(kind, ())
                      if a.get(f) not in (None, "", []))
        quotes: dict[tuple, Quote] = {}
        # Role sentences first: they say what the node does; where it is first named comes last.
        incident = sorted(self.incident(n), key=lambda e: not EDGE.get(e[2]["type"], FALLBACK_EDGE).role)
        for _, _, d in incident:
            if len(quotes) >= MAX_QUOTES:
                break
            q = self.quote(d.get("provenance"))
            if q:
                quotes.setdefault((q.document, q.start, q.end), q)
        own = self.quote(a.get("provenance"))
        if own and len(quotes) < MAX_QUOTES:
            quotes.setdefault((own.document, own.start, own.end), own)
        # The corpus documents its facts come from: its own and its edges' provenance.
        docs = {n if a.get("in_corpus") else None, a.get("document")}
        docs |= {(d.get("provenance") or {}).get("document") for _, _, d in incident}
        docs.discard(None)
        label = self.label(n, kind)
        style = NODE[kind]
        tooltip = f"{style.label}: {label.replace(chr(10), ' ')}"
        if kind in ("document", "reference"):  # the label tells it apart; the title says what it is
            tooltip = f"{style.label}: {self.doc_label(n, full=True)} ({label.replace(chr(10), ' ')})"
        page = {"document": "documents", "agency": "agencies"}.get(kind)
        return VNode(n, kind, label, tooltip, tuple(sorted(docs)), props, tuple(quotes.values()),
                     len(self.incident(n)), page)

    def edge(self, u: str, v: str, d: dict) -> VEdge:
        style = EDGE.get(d["type"], FALLBACK_EDGE)
        src, dst = (v, u) if style.reverse else (u, v)
        label = style.label if style.shown else ""
        tooltip = f"{self.c.label(src)[:60]} — {style.label} → {self.c.label(dst)[:60]}"
        if d.get("deadline"):
            tooltip += f" (hạn: {d['deadline']})"
        return VEdge(src, dst, d["type"], label, tooltip, self.quote(d.get("provenance")))


def _wrap(text: str, width: int) -> str:
    """At most two lines of about ``width`` characters (vis draws ``\\n`` as a line break)."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines[:2]) + (" …" if len(lines) > 2 else "")


def _documents_in_scope(c: Corpus, spec: ViewSpec) -> set[str] | None:
    docs: set[str] | None = None
    if spec.documents:
        docs = {c.find_document(d) for d in spec.documents}
    if spec.jurisdiction:
        scope = c.jurisdiction_scope(spec.jurisdiction) or set()
        in_j = {d for (d,) in c.rows("SELECT id FROM documents WHERE jurisdiction IN "
                                     "(SELECT value FROM json_each(?))", (json_list(scope),))}
        docs = in_j if docs is None else docs & in_j
    return docs


def _scoped(c: Corpus, docs: set[str]) -> set[str]:
    """The documents and every node an edge from their sentences touches."""
    out = set(docs)
    p = json_list(docs)
    # a document's edges carry its own provenance or none; an export's (in memory) are all doc ''
    for e in typed.edges_where(c, "({doc} IN (SELECT value FROM json_each(?1)) OR {doc} = '')", (p,)):
        if (e.get("provenance") or {}).get("document") in docs:
            out |= {e["source"], e["target"]}
    children = [t for (t,) in c.rows(f"SELECT id FROM targets WHERE doc {IN_LIST}", (p,))]
    for e in typed.edges_of(c, children, True).values():
        out |= {x for s, t, d in e if d["type"] == "refines" and (d.get("provenance") or {}).get("document")
                in docs for x in (s, t)}
    return out


def _neighbourhood(c: Corpus, start: str, depth: int, allowed: Callable[[set[str]], set[str]],
                   structural: bool, most: int) -> tuple[set[str], int]:
    """Nodes within ``depth`` hops either way, without copying the graph (ego_graph would), and
    how many were left out: at most ``most``, the nearest first (a ring that does not fit keeps
    its best-connected nodes), since a page's layout grows with the square of its nodes — two
    hops around a document cited by every plan of 10,000 took a minute."""
    seen, ring = {start}, {start}
    for _ in range(depth):
        nxt = set()
        outs, ins = typed.edges_of(c, list(ring), True), typed.edges_of(c, list(ring), False)
        for n in ring:
            nxt |= {m for _, m, d in outs[n] if structural or d["type"] not in STRUCTURAL}
            nxt |= {m for m, _, d in ins[n] if structural or d["type"] not in STRUCTURAL}
        ring = allowed(nxt) - seen
        if len(seen) + len(ring) > most:
            degree = typed.degrees(c, ring)
            kept = sorted(ring, key=lambda n: (-degree[n], n))[:max(0, most - len(seen))]
            return seen | set(kept), len(ring) - len(kept)
        seen |= ring
    return seen, 0


def select(c: Corpus, spec: ViewSpec) -> View:
    """The nodes and edges of one graph page. Raises ``NotFound`` for an unknown focus or filter."""
    kinds = spec.kinds or tuple(NODE)
    visible = spec.kinds or DEFAULT_KINDS
    notes: list[str] = []
    title = "Đồ thị văn bản CCHC"

    docs = _documents_in_scope(c, spec)
    scoped = _scoped(c, docs) if docs is not None else None
    if spec.focus:  # only the nodes around the focus are read
        node_kind: dict[str, str] = {}

        def allowed_of(nodes: set[str]) -> set[str]:
            node_kind.update(typed.node_kinds(c, nodes - node_kind.keys()))
            return {n for n in nodes if node_kind.get(n) in kinds and (scoped is None or n in scoped)}
    else:  # every node's kind, once per generation of the data
        node_kind = c.derived("view_kinds", lambda: typed.kinds(c))
        allowed = {n for n, k in node_kind.items() if k in kinds}
        if scoped is not None:
            allowed &= scoped
    if docs is not None:
        if spec.documents:
            title += " — " + ", ".join(sorted(Labeller(c).doc_label(d) for d in docs)[:3])
        if spec.jurisdiction:  # the place, not three of its documents
            title += f" — {spec.jurisdiction} ({len(docs):,} văn bản)"

    focus = None
    if spec.focus:
        focus = c.resolve_entity(spec.focus)
        structural = bool({"jurisdiction", "area"} & set(spec.kinds or ()))
        allowed, cut = _neighbourhood(c, focus, spec.depth, allowed_of, structural, spec.max_nodes)
        node_kind.update(typed.node_kinds(c, {focus} - node_kind.keys()))
        if cut:
            notes.append(f"{cut:,} nút xa hơn không hiện (quá {spec.max_nodes:,} nút) / {cut:,} farther "
                         "nodes not shown; giảm --depth hoặc lọc --type / lower the depth or filter by type.")
        title += f" — quanh / around {short(c.label(focus), 50)}"

    roles = set(spec.roles) if spec.roles is not None else None

    def keep_edge(d: dict) -> bool:
        style = EDGE.get(d["type"], FALLBACK_EDGE)
        return roles is None or not style.role or d["type"] in roles

    b = Labeller(c)
    absent = Counter(NODE[node_kind[n]].label.lower() for n in allowed if node_kind[n] not in visible)
    shown = len(allowed) - sum(absent.values())
    in_view = [n for n in allowed if node_kind[n] == "document"]
    if (focus is None and "document" in visible and shown > spec.max_nodes
            and len(in_view) > overview.OVERVIEW_DOCS):
        hidden = Counter(NODE[node_kind[n]].label.lower() for n in allowed
                         if node_kind[n] in visible and node_kind[n] != "document")
        return overview.overview_view(c, title, in_view, hidden)
    reserve: set[str] = set()
    aggregated = False
    if shown > spec.max_nodes and focus is None:
        aggregated = True
        allowed = {n for n in allowed if node_kind[n] in visible}  # filtered kinds: not even held back
        drawn = {n for n in allowed if node_kind[n] in AGGREGATE_KINDS}
        if len(drawn) > spec.max_nodes:
            degree = typed.degrees(c, drawn)
            drawn = set(sorted(drawn, key=lambda n: -degree[n])[:spec.max_nodes])
        reserve = allowed - drawn
        if len(reserve) > RESERVE_MAX:
            notes.append(f"{len(reserve) - RESERVE_MAX:,} nút không có trong trang / nodes left out of "
                         "the page; dùng --focus, --document hoặc --jurisdiction / narrow the view.")
            degree = typed.degrees(c, reserve)
            reserve = set(sorted(reserve, key=lambda n: -degree[n])[:RESERVE_MAX])
        # the same count the page's counter shows: the nodes held back to expand
        hidden = Counter(NODE[node_kind[n]].label.lower() for n in reserve)
        notes.insert(0, f"Đồ thị có {shown:,} nút, quá {spec.max_nodes:,}: đang hiện văn bản, cơ quan "
                        f"và chỉ số ({len(drawn):,} nút); {len(reserve):,} nút ẩn: "
                        + ", ".join(f"{v:,} {k}" for k, v in hidden.most_common())
                        + ". Bấm đúp một nút để mở rộng / double-click a node to expand it.")
    else:
        drawn = allowed

    edges: list[VEdge] = []
    reserve_edges: list[VEdge] = []
    held = drawn | reserve
    b.load(held)
    # the graph's edges in its order (node by node), read only from the nodes held
    order = typed.in_graph_order(c, held)
    outs = typed.edges_of(c, order, True)
    for u, v, d in (e for n in order for e in outs[n]):
        if v in held and keep_edge(d):
            (edges if u in drawn and v in drawn else reserve_edges).append(b.edge(u, v, d))
    if aggregated:
        edges += _aggregate_roles(c, drawn)
    edges += _appearances(b, drawn, edges, visible, node_kind)
    if absent and aggregated:  # left out of the page, not switched off in it
        notes.append("Không có trong trang / not in this page: "
                     + ", ".join(f"{v:,} {k}" for k, v in absent.most_common())
                     + " (--type để xem / to show).")
    elif absent:
        notes.append("Đang tắt / hidden by the type filter: "
                     + ", ".join(f"{v:,} {k}" for k, v in absent.most_common()) + ".")
    layout = spec.layout
    if layout == "auto":
        layout = "hierarchical" if {node_kind[n] for n in drawn} <= {"document", "reference"} else "force"
    nodes = [b.node(n) for n in sorted(drawn)]
    reserve_nodes = [b.node(n) for n in sorted(reserve)]
    _tell_agencies_apart(c, [*nodes, *reserve_nodes])
    present = {d for n in (*nodes, *reserve_nodes) for d in n.docs if docs is None or d in docs}
    doc_filter = [(d, b.doc_label(d)) for d in sorted(present, key=b.doc_label)]
    return View(title, nodes, edges, tuple(visible), layout, notes, reserve_nodes, reserve_edges, focus,
                doc_filter, _jurisdiction_filter(c, present))


def _tell_agencies_apart(c: Corpus, nodes: list[VNode]) -> None:
    """Agencies of the same name in several places ("Phòng Nội vụ" of every district) get their
    place on a line of its own under the name: "Phòng Nội vụ / (Vị Thanh)"."""
    seen = Counter(n.label for n in nodes if n.kind == "agency")
    for n in nodes:
        if n.kind == "agency" and seen[n.label] > 1:
            place = place_name(c, c.agency_ref(n.id).jurisdiction)
            if place:
                n.label = f"{n.label}\n({place})"


def _jurisdiction_filter(c: Corpus, present: set[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """Each jurisdiction with documents on the page, and those documents (its units' included)."""
    docs_in: dict[str, set[str]] = defaultdict(set)
    for d in present:
        j = c.jurisdiction_of(d)
        while j and d not in docs_in[j]:  # up the parent chain; the check stops a cycle
            docs_in[j].add(d)
            j = c.jurisdictions.get(j, {}).get("parent")
    return sorted(((j, c.jurisdictions.get(j, {}).get("name") or j, tuple(sorted(ds)))
                   for j, ds in docs_in.items()), key=lambda row: row[1])


def _appearances(b: Labeller, drawn: set[str], edges: list[VEdge], visible: tuple[str, ...],
                 node_kind: dict[str, str]) -> list[VEdge]:
    """An agency named in a document but given no role (a recipient, an issuer's superior) would
    float alone; link it to the documents it appears in, quoting where it is first named."""
    linked = {n for e in edges for n in (e.source, e.target)
              if node_kind.get(e.source) in visible and node_kind.get(e.target) in visible}
    out = []
    for n in sorted(drawn - linked):
        if node_kind[n] != "agency":
            continue
        a = b.attrs(n)
        for d in a.get("documents") or []:
            if d in drawn:
                p = a.get("provenance") or {}
                out.append(VEdge(n, d, "appears_in", "", f"{b.c.label(n)[:60]} — có tên trong / named in "
                                 f"{b.doc_label(d)}", b.quote(p) if p.get("document") == d else None))
    return out


def _aggregate_roles(c: Corpus, drawn: set[str]) -> list[VEdge]:
    """One edge per agency, document and role, counting the tasks (the aggregated view)."""
    p = json_list(drawn)
    counts = {(a, d, role): n for a, d, role, n in c.rows(
        f"SELECT {id_of(AGENCY_IDS, 'agency')}, doc, role, count(*) FROM responsibilities WHERE agency IN "
        f"{rows_of(AGENCY_IDS, 'IN (SELECT value FROM json_each(?1))')} "
        "AND doc IN (SELECT value FROM json_each(?1)) GROUP BY agency, doc, role",
        (p,))}
    return [VEdge(a, d, "aggregate", f"{ROLE_LABELS.get(role, role)} {n}",
                  f"{c.label(a)[:60]}: {ROLE_LABELS.get(role, role)} {n} nhiệm vụ trong {c.label(d)[:60]}",
                  None, n)
            for (a, d, role), n in sorted(counts.items())]
