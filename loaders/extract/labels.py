"""Labelled blocks: "Cơ quan chủ trì: …; Cơ quan phối hợp: …; Thời gian: …; Sản phẩm: …"
under a task item, each label applying to the item it closes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Section
from ..outline import Outline, marker_of

# every branch starts with a letter, not a group, so the regex engine skips ahead to the
# branches' first letters (5x faster over a document); the key is k1, k2 or the label itself
_LABEL = re.compile(
    r"(?:co quan\s+(?P<k1>chu tri|phoi hop|thuc hien)|don vi\s+(?P<k2>chu tri|phoi hop|thuc hien)"
    r"|chu tri(?<![a-z] chu tri)|phoi hop(?<![a-z] phoi hop)"
    r"|thoi gian(?: thuc hien| hoan thanh)?|thoi han(?: hoan thanh)?|tien do(?: thuc hien)?"
    r"|san pham|ket qua dau ra)(?P<colon>\s*:\s*)")
_NO_LABELS = ("situation", "viewpoint")


@dataclass(frozen=True, slots=True)
class Labelled:
    """One item's labels: the spans of the lead and cooperating values, deadline, product."""

    section: Section
    end: int  # the end of the last label's value
    lead: tuple[tuple[int, int, int], ...]  # (label start, value start, value end)
    cooperate: tuple[tuple[int, int, int], ...]
    due: str | None
    product: str | None


def _label_key(m: re.Match[str]) -> str:
    return m.group("k1") or m.group("k2") or m.string[m.start():m.start("colon")]


def _is_label_item(text: str, folded: str, sec: Section) -> bool:
    mk = marker_of(text[sec.start:sec.start + 20])
    return bool(_LABEL.match(folded, sec.start + (mk[2] if mk else 0)))


def _value_end(text: str, start: int, limit: int) -> int:
    """A labelled value ends at the line end, a semicolon before the next label, or a period."""
    m = re.search(r"\n|;\s*(?=[^;\n]{0,40}:)|\.(?=\s|$)", text[start:limit])
    return start + m.start() if m else limit


def labelled_items(text: str, folded: str, outline: Outline) -> Iterator[Labelled]:
    """Every item with labels, its labels gathered (a "- Cơ quan chủ trì: …" bullet belongs to
    the item above it)."""
    groups: dict[str, list[re.Match[str]]] = {}
    for lm in _LABEL.finditer(folded):
        sec = outline.section_at(lm.start())
        while sec is not None and sec.parent and _is_label_item(text, folded, sec):
            sec = outline.by_path.get(sec.parent)
        if sec is not None and sec.kind not in _NO_LABELS:
            groups.setdefault(sec.path, []).append(lm)
    for path, labels in groups.items():
        sec = outline.by_path[path]
        lead: list[tuple[int, int, int]] = []
        coop: list[tuple[int, int, int]] = []
        due: str | None = None
        product: str | None = None
        for lm in labels:
            vstart = lm.end()
            vend = _value_end(text, vstart, sec.end)
            key = _label_key(lm)
            value = " ".join(text[vstart:vend].split()).rstrip(".;") or None
            if key in ("chu tri", "thuc hien", "phoi hop"):
                (coop if key == "phoi hop" else lead).append((lm.start(), vstart, vend))
            elif key.startswith(("thoi gian", "thoi han", "tien do")):
                due = due or value
            else:
                product = product or value
        end = _value_end(text, max(lm.end() for lm in labels), sec.end)
        yield Labelled(sec, end, tuple(lead), tuple(coop), due, product)
