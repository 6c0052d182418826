"""How answers show a long text: on one line, cut at a word (the index, the suggestions and
the pages all show names and titles this way); where a quote is in its source, and an
outline's section, as people read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cchc_graph.loaders.kinds import DOC_TYPES

if TYPE_CHECKING:
    from cchc_graph.loaders.schema import Provenance

TYPE_NAMES = {t.type: (n := min(t.names, key=len))[:1].upper() + n[1:] for t in DOC_TYPES}  # the plain name


def short(text: str, width: int = 90) -> str:
    """One line of at most about ``width`` characters, cut at a word."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width].rsplit(" ", 1)[0] + " …"


def document_label(nid: str, kind: str | None, number: str | None, inferred: str | None,
                   title: str | None) -> str:
    """A document's short name: its type and number, then its title (``Corpus.label``)."""
    head = " ".join(x for x in (TYPE_NAMES.get(kind or "", ""), number or inferred or "") if x)
    return f"{head}: {title or ''}".strip(": ") or nid


def source_place(p: Provenance | dict[str, Any] | None) -> str:
    """Where a quote is in the source file, as people look for it: "dòng 12–13, cột 5" (a text
    file: lines 12 to 13, from column 5), "trang 3, dòng 12, cột 5" (a PDF), "đoạn 12, ký tự
    40" (.docx, .html); "" if unknown."""
    if p is None:
        return ""
    get = p.get if isinstance(p, dict) else lambda k: getattr(p, k, None)
    line, column, end_line = get("line"), get("column"), get("end_line")
    if get("paragraph"):
        return f"đoạn {get('paragraph')}" + (f", ký tự {column}" if column else "")
    if not line:
        return ""
    out = (f"trang {get('page')}, " if get("page") else "") + f"dòng {line}"
    out += f"–{end_line}" if end_line and end_line != line else ""
    return out + (f", cột {column}" if column else "")


def section_label(path: str | None) -> str:
    """An outline path as people read it: a repeated number (stored with primes, ``VI'``) is
    "VI (lần 2)"; ``VI'.5`` is "VI (lần 2).5"."""
    if not path:
        return ""
    parts = []
    for part in path.split("."):
        base = part.rstrip("'")
        primes = len(part) - len(base)
        parts.append(f"{base} (lần {primes + 1})" if primes else part)
    return ".".join(parts)
