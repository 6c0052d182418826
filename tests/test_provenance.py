"""Every fact's quote is the normalized text at its span, and lies inside its section."""

from __future__ import annotations

from pathlib import Path


def test_quotes_equal_text_at_spans(seed_facts: dict) -> None:
    checked = 0
    for facts in seed_facts.values():
        provs = [t.provenance for t in facts.tasks] + [r.provenance for r in facts.responsibilities]
        provs += [t.provenance for t in facts.targets] + [i.provenance for i in facts.indicators]
        for c in facts.citations:
            provs += [c.provenance, *c.mentions]
        provs += [d.provenance for d in facts.definitions]
        provs += [p for _k, p in facts.meta.provenance]
        for p in provs:
            assert 0 <= p.start < p.end <= len(facts.text)
            assert facts.text[p.start:p.end] == p.quote
            assert p.document == facts.meta.id
            checked += 1
    assert checked > 300  # all five seeds contribute facts


def test_sections_nest_inside_their_parents(seed_facts: dict) -> None:
    for facts in seed_facts.values():
        by_path = {s.path: s for s in facts.sections}
        for s in facts.sections:
            if s.parent:
                parent = by_path[s.parent]
                assert parent.start <= s.start and s.end <= parent.end, s.path


def test_graph_nodes_and_edges_are_typed_and_carry_provenance(seed_export: dict) -> None:
    from cchc_graph.graph.questions.nx import to_networkx

    g = to_networkx(seed_export)
    types = {d["type"] for _n, d in g.nodes(data=True)}
    assert {"document", "agency", "task", "target", "indicator", "jurisdiction", "area"} <= types
    assert "unknown" not in types  # every edge end is a known node
    for _s, _t, d in g.edges(data=True):
        if d["type"] in ("lead", "cooperate", "standing", "report_to", "sets_target", "mentions",
                         "cites", "based_on", "has_task"):
            assert d["provenance"]["quote"], d
    for _n, d in g.nodes(data=True):
        if d["type"] == "agency":
            assert d["provenance"] and d["provenance"]["quote"], d["id"]
    # the district resolution of Vị Thanh implements the provincial one inside the corpus
    d000 = next(n for n, d in g.nodes(data=True) if n.startswith("000"))
    d002 = next(n for n, d in g.nodes(data=True) if n.startswith("002"))
    assert any(d["type"] == "based_on" for d in g.get_edge_data(d002, d000).values())


def test_the_store_keeps_the_text_every_stored_quote_is_cut_from(seed_store: Path, seed_export: dict) -> None:
    """An auditor checks a stored fact against the normalized text the store keeps
    (docs/json-export.md): every quote of the export is that text at its span."""
    import cchc_graph

    store, texts, checked = cchc_graph.open(seed_store), {}, 0  # (texts: by document)
    for key in ("tasks", "responsibilities", "targets", "citations", "edges"):
        for rec in seed_export[key]:
            p = rec.get("provenance")
            if not p or not p.get("quote"):
                continue
            doc = p["document"]
            if doc not in texts:
                texts[doc] = store.text(doc).text
            assert texts[doc][p["start"]:p["end"]] == p["quote"], (key, rec)
            checked += 1
    assert len(texts) == len(seed_export["documents"]) and checked > 300
