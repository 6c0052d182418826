"""Every fact's quote is the normalized text at its span, and lies inside its section."""

from __future__ import annotations


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
