"""Short document labels people can tell apart: "KH 148/KH-UBND · Vĩnh Long".

Type code, number (else the date, else the period), and the place; where two documents of the
corpus would still read the same, each gets what tells it apart (its date, then its id).
The full title goes in tooltips and panels, not in the label.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import TYPE_NAMES, Corpus
from cchc_graph.keys import fold
from cchc_graph.loaders.kinds import DOC_TYPES

TYPE_CODES = {t.type: t.codes[0] for t in DOC_TYPES if t.codes}


def place_name(c: Corpus, jid: str | None) -> str:
    """A jurisdiction as people name it in a label: "Vĩnh Long", not "tỉnh Vĩnh Long"."""
    if not jid or jid == "vn":
        return ""
    rows = c.rows("SELECT short, name FROM jurisdictions WHERE id = ?", (jid,))
    if rows:  # the store keeps the short name of each unit of the administrative map
        return rows[0][0] if rows[0][0] is not None else rows[0][1] or ""
    from cchc_graph.loaders import admin

    unit = admin.units().get(jid)
    return unit.short if unit else ""


def _date(iso: str | None) -> str:
    """"2021-03-05" → "5/3/2021"; a partial date as it is."""
    if not iso or len(iso) != 10:
        return iso or ""
    y, m, d = iso.split("-")
    return f"{int(d)}/{int(m)}/{y}"


def _period(rec: dict[str, Any]) -> str:
    a, b = rec.get("period_start"), rec.get("period_end")
    return f"{a}–{b}" if a and b and a != b else str(a or b or "")


def base_label(c: Corpus, rec: dict[str, Any], places: dict[str | None, str] | None = None) -> str:
    """Type code, number (else date, else period, else the start of the title) and place."""
    code = TYPE_CODES.get(rec.get("type") or "", "VB")
    ident = rec.get("number") or rec.get("number_inferred") or _date(rec.get("date")) or _period(rec)
    if not ident:  # a cited document known by its title only: the title without its type word
        title = rec.get("title") or ""
        name = TYPE_NAMES.get(rec.get("type") or "", "")
        if name and fold(title).startswith(fold(name)):
            title = title[len(name):].strip()
        ident = short(title, 34) or "(không số)"
    elif fold(ident).startswith(fold(code)):  # "TCVN ISO 9001" names its type already
        code = ""
    where = rec.get("jurisdiction") or rec.get("scope")
    place = places[where] if places is not None else place_name(c, where)
    return f"{code} {ident}".strip() + (f" · {place}" if place else "")


def document_labels(c: Corpus) -> dict[str, str]:
    """Every document's and cited document's label, distinct across the corpus (built once)."""
    def build() -> dict[str, str]:
        recs = c.label_records()
        places: dict[str | None, str] = {}
        for rec in recs.values():
            where = rec.get("jurisdiction") or rec.get("scope")
            if where not in places:
                places[where] = place_name(c, where)
        labels = {d: base_label(c, rec, places) for d, rec in recs.items()}
        groups: dict[str, list[str]] = defaultdict(list)
        for d, label in labels.items():
            groups[label].append(d)
        for label, ds in groups.items():
            if len(ds) > 1:
                labels.update(_told_apart(label, ds, recs))
        return labels
    return c.derived("document_labels", build)


def _told_apart(label: str, ds: list[str], recs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The first suffix that tells documents sharing ``label`` apart: date, period, then id."""
    for suffix in (lambda d: _date(recs[d].get("date")), lambda d: _period(recs[d])):
        values = [suffix(d) for d in ds]
        if all(values) and len(set(values)) == len(ds) and not any(v in label for v in values):
            return {d: f"{label} ({v})" for d, v in zip(ds, values, strict=True)}
    return {d: f"{label} ({_id_part(d)})" for d in ds}


def _id_part(did: str) -> str:
    """The readable start of an id ("002" of "002_0387e…"), else the id."""
    head = did.split("_", 1)[0]
    return head if head != did and len(head) >= 3 else did
