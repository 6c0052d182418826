"""The overview of a large store: places with their document counts and the citation lines
between them; documents come out on demand (double-click a place) from a compact table.

A national corpus has tens of thousands of agencies, tasks and targets: drawn, they are a
hairball, and written into a page they weigh tens of megabytes. The overview draws one node per
province (or, when every document is in one province, per district) and one line per pair of
places and citation relation, with the count; each document is one row of a table the page
turns into nodes when its place is opened. Agencies, tasks and targets stay behind the
document's page (``cchc serve``) or a focused view (``--document``, ``--focus``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import TYPE_NAMES, Corpus
from cchc_graph.graph.questions.labels import document_labels, place_name
from cchc_graph.graph.questions.tables import EXPORT_ORDER, json_list

from .model import VEdge, View, VNode
from .style import EDGE, FALLBACK_EDGE, NODE

# documents in view above which a page of more than --max-nodes nodes is the overview: a
# province of 150 documents drawn in detail is already a tangle of overlapping labels
OVERVIEW_DOCS = 100
ONE_PROVINCE = 0.9  # this share of the documents in one province: shown by district
TOP_REFERENCES = 12  # most-cited documents outside the store drawn as nodes of their own
MIN_CITING = 2  # ... when at least this many documents cite them
NO_PLACE = "?"
TITLE_CHARS = 90  # a document's title in the table (the page has the whole text)


@dataclass(slots=True)
class Overview:
    """What the overview page holds: places, their documents, lines between places."""

    places: list[dict[str, Any]] = field(default_factory=list)  # id, name, count, inside (citations)
    references: list[dict[str, Any]] = field(default_factory=list)  # id, label, title, count (citing docs)
    # [id, label, place index, title, [tasks, targets, agencies, leads, cooperating]]
    documents: list[list[Any]] = field(default_factory=list)
    links: list[list[Any]] = field(default_factory=list)  # [place a, place b, relation, count]
    citations: list[list[Any]] = field(default_factory=list)  # [doc index, doc index, relation]


def _place_of(c: Corpus, jid: str | None, level_parent: str) -> str:
    """The unit directly under ``level_parent`` that contains ``jid`` (walking up the parents);
    ``level_parent`` itself for its own documents (national ones when grouping by province)."""
    seen = set()
    while jid and jid not in seen:
        if jid == level_parent:
            return jid
        seen.add(jid)
        parent = c.jurisdictions.get(jid, {}).get("parent")
        if parent == level_parent:
            return jid
        jid = parent
    return NO_PLACE


def _grouping(c: Corpus, docs: list[str], where: dict[str, str | None]) -> dict[str, str]:
    """Each document's place: its province (national documents: Việt Nam), or its district
    when nearly every document is in one province (a page for a province also holds the few
    documents elsewhere that its documents cite). ``where``: each document's jurisdiction."""
    by_province = {d: _place_of(c, where[d], "vn") for d in docs}
    main, n = Counter(by_province.values()).most_common(1)[0] if docs else (NO_PLACE, 0)
    if main in ("vn", NO_PLACE) or n < ONE_PROVINCE * len(docs):
        return by_province
    return {d: _place_of(c, where[d], main) if p == main else p for d, p in by_province.items()}


def _place_name(c: Corpus, pid: str) -> str:
    if pid == "vn":
        return "Trung ương"
    if pid == NO_PLACE:
        return "Không rõ địa bàn"
    return place_name(c, pid) or pid


def _facts(c: Corpus, docs: list[str]) -> dict[str, list[int]]:
    """The counts each document's panel shows: tasks, targets, agencies, leads, cooperating."""
    p = json_list(docs)
    out = {d: [0, 0, 0, 0, 0] for d in docs}
    for i, table in enumerate(("tasks", "targets")):
        for d, n in c.rows(f"SELECT doc, count(*) FROM {table} WHERE doc IN "
                           "(SELECT value FROM json_each(?)) GROUP BY doc", (p,)):
            out[d][i] = n
    for d, agencies, leads, cooperating in c.rows(
            "SELECT t.doc, count(DISTINCT r.agency), sum(r.role = 'lead'), sum(r.role = 'cooperate') "
            "FROM responsibilities r JOIN tasks t ON t.rowid = r.task WHERE t.doc IN "
            "(SELECT value FROM json_each(?)) GROUP BY t.doc", (p,)):
        out[d][2:] = [agencies, leads, cooperating]
    return out


def place_nodes(ov: Overview) -> tuple[list[VNode], list[VEdge]]:
    """A node per place ("Hậu Giang · 158 văn bản") and a line per place pair and relation."""
    nodes = [VNode(place_id(p["id"]), "jurisdiction", f"{p['name']}\n{p['count']:,} văn bản",
                   f"{p['name']}: {p['count']:,} văn bản, {p['inside']:,} trích dẫn trong địa bàn; "
                   "bấm đúp để mở / double-click to open", (),
                   (("Số văn bản / documents", f"{p['count']:,}"),
                    ("Trích dẫn trong địa bàn / citations inside", f"{p['inside']:,}")), (), p["count"], None)
                 for p in ov.places]
    nodes += [VNode(r["id"], "reference", f"{r['label'].replace(' · ', ' ·' + chr(10))}\n"
                    f"({r['count']:,} văn bản dẫn)",
                    f"{r['label']}: {r['title']} — {r['count']:,} văn bản dẫn / cited by", (),
                    (("Trích yếu", r["title"]), ("Được dẫn bởi / cited by", f"{r['count']:,} văn bản")), (),
                    r["count"], "documents")
              for r in ov.references]
    # lines between places only: a line from every place to each document cited everywhere would
    # be the hairball again (the counts are in the labels and the panel)
    ends = [(place_id(p["id"]), p["name"]) for p in ov.places]
    return nodes, [_line(ends[a], ends[b], rel, n) for a, b, rel, n in ov.links]


def _line(a: tuple[str, str], b: tuple[str, str], rel: str, n: int) -> VEdge:
    """One line between two places (or a place and a cited document), labelled with its count."""
    style = EDGE.get(rel, FALLBACK_EDGE)
    return VEdge(a[0], b[0], rel, f"{style.label} {n}", f"{a[1]} — {style.label} → {b[1]}: {n} văn bản",
                 None, n)


def overview_view(c: Corpus, title: str, docs: list[str], hidden: Counter[str]) -> View:
    """The page of a large store: places drawn, documents held in the overview's table."""
    ov = build(c, docs)
    nodes, edges = place_nodes(ov)
    hidden = Counter(hidden)
    hidden[NODE["reference"].label.lower()] -= len(ov.references)  # those drawn are not hidden
    return View(title + " — tổng quan / overview", nodes, edges, ("jurisdiction", "document", "reference"),
                "force", [note(ov, hidden)], overview=ov)


def place_id(pid: str) -> str:
    return "place:" + pid


def build(c: Corpus, docs: list[str]) -> Overview:
    """The overview of ``docs`` (corpus document ids)."""
    labels = document_labels(c)
    recs = {d: (kind, title, where) for d, kind, title, where in c.rows(
        "SELECT id, type, title, jurisdiction FROM documents WHERE id IN (SELECT value FROM json_each(?))",
        (json_list(docs),))}
    place = _grouping(c, docs, {d: recs[d][2] for d in docs})
    facts = _facts(c, docs)
    cited = _citations(c, docs)
    counts = Counter(place.values())
    # ties broken by id: the page is the same on every run, whatever order ``docs`` came in
    order = sorted(counts, key=lambda p: (-counts[p], _place_name(c, p), p))
    index = {p: i for i, p in enumerate(order)}
    ov = Overview()
    doc_index: dict[str, int] = {}
    for d in sorted(docs, key=lambda d: (index[place[d]], labels.get(d, d), d)):
        kind, text, _ = recs[d]
        title = f"{TYPE_NAMES.get(kind or '', '')}: {short(text or '', TITLE_CHARS)}"
        doc_index[d] = len(ov.documents)
        ov.documents.append([d, labels.get(d, d), index[place[d]], title.strip(": "), facts[d]])
    links: Counter[tuple[int, int, str]] = Counter()
    inside: Counter[int] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for d in doc_index:  # in the page's order
        for target, relation, _ in cited.get(d, ()):
            if target not in doc_index or target == d or (d, target, relation) in seen:
                continue
            seen.add((d, target, relation))
            ov.citations.append([doc_index[d], doc_index[target], relation])
            a, b = index[place[d]], index[place[target]]
            if a == b:
                inside[a] += 1
            else:
                links[(a, b, relation)] += 1
    names = {p: _place_name(c, p) for p in order}
    twice = {n for n, k in Counter(names.values()).items() if k > 1}  # a province and its city
    for p in order:
        if names[p] in twice:  # "tỉnh Hà Giang", "thành phố Hà Giang"
            names[p] = c.jurisdictions.get(p, {}).get("name") or names[p]
    ov.places = [{"id": p, "name": names[p], "count": counts[p], "inside": inside[index[p]]} for p in order]
    ov.links = [[a, b, rel, n] for (a, b, rel), n in sorted(links.items())]
    _references(c, ov, docs, labels, cited)
    return ov


def _citations(c: Corpus, docs: list[str]) -> dict[str, list[tuple[str | None, str, str]]]:
    """Each document's citations in its order: (the corpus document it resolves to, relation,
    the cited node)."""
    out: dict[str, list[tuple[str | None, str, str]]] = {}
    for d, target, relation, ref in c.rows(
            "SELECT doc, resolves_to, relation, ref FROM citations WHERE doc IN "
            f"(SELECT value FROM json_each(?)) ORDER BY {EXPORT_ORDER}", (json_list(docs),)):
        out.setdefault(d, []).append((target, relation, ref))
    return out


def _references(c: Corpus, ov: Overview, docs: list[str], labels: dict[str, str],
                cited: dict[str, list[tuple[str | None, str, str]]]) -> None:
    """The documents outside the store that most documents cite, with how many do."""
    citing: dict[str, set[str]] = {}
    for d in docs:
        for target, _, ref in cited.get(d, ()):
            if not target and ref in c.references:
                citing.setdefault(ref, set()).add(d)
    top = sorted((r for r in citing if len(citing[r]) >= MIN_CITING), key=lambda r: (-len(citing[r]), r))
    top = top[:TOP_REFERENCES]
    for r in top:
        ov.references.append({"id": r, "label": labels.get(r, r), "count": len(citing[r]),
                              "title": short(c.references[r].get("title") or "", TITLE_CHARS)})


def note(ov: Overview, hidden: Counter[str]) -> str:
    """What the overview shows and how to see more."""
    rest = ", ".join(f"{n:,} {k}" for k, n in hidden.most_common() if n)
    return (f"Tổng quan / overview: {len(ov.documents):,} văn bản ở {len(ov.places)} địa bàn; đường nối = số "
            f"trích dẫn giữa các địa bàn. Bấm đúp một địa bàn để mở các văn bản của nó; bấm một văn bản "
            f"để xem, rồi mở trang của nó hoặc dùng --document / --focus để xem chi tiết."
            + (f" Không vẽ / not drawn: {rest}." if rest else ""))

