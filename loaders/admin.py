"""Vietnam's administrative map as the documents knew it, before and after 1 July 2025.

The data come from the ``vietnamadminunits`` package (MIT): its legacy table of provinces and
districts in force before the 2025 reorganisation (63 provinces, ~700 districts), its table of
the 34 provinces from 2025 with their ~3,300 communes, wards and special zones (no districts),
and its table of which old provinces form each new one. The units are derived from them once
(``admin_table``) and shipped as ``data/admin_units.tsv``, which this module reads.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import NamedTuple

from cchc_graph.keys import fold

from .kinds import DATA
from .model import Jurisdiction

NATIONAL = Jurisdiction("vn", "Việt Nam", "national")
# provinces merged and districts ended on this day (Resolution 202/2025/QH15)
NEW_MAP_FROM = date(2025, 7, 1).isoformat()
NEW_PREFIX = "vn2025-"
# the units, derived from the vietnamadminunits package by ``admin_table``
TABLE = DATA / "admin_units.tsv"
COLUMNS = ("id", "name", "short", "type", "level", "parent", "code", "successor", "key")


def new_map(iso_day: str | None) -> bool:
    """Whether a document of this date sits on the map from 1 July 2025 (undated: the old one)."""
    return bool(iso_day) and iso_day >= NEW_MAP_FROM


class Unit(NamedTuple):
    """One unit of either map. (A named tuple, not a frozen dataclass: every extracting
    process makes the 14,089 of them, in ~30 ms where a dataclass's took ~55.)"""

    id: str
    name: str  # "Tỉnh Hậu Giang", "Thành phố Vị Thanh"
    short: str  # "Hậu Giang"
    type: str  # tỉnh | thành phố | huyện | thị xã | quận | xã | phường | đặc khu
    level: str  # province | district | commune
    parent: str | None
    code: str
    successor: str | None = None

    def jurisdiction(self) -> Jurisdiction:
        name = self.name[0].lower() + self.name[1:]
        return Jurisdiction(self.id, name, self.level, self.parent or "vn", self.successor,
                            self.code)


@cache
def units() -> dict[str, Unit]:
    """Every unit of both maps by id: the old provinces, districts and communes (each linked
    to its successor on the new map) and the new provinces and communes, as the shipped table
    (``admin_table``) lists them."""
    return {u.id: u for u, _ in _table()}


@cache
def _table() -> list[tuple[Unit, str]]:
    """The table's units, each with its folded short name. (Split by hand, not read with
    ``kinds.table_rows``: a dict per row made its 14,089 units ~2x slower to read.)"""
    out = []
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    if lines[0].split("\t") != list(COLUMNS):
        raise ValueError(f"{TABLE}: unexpected columns; regenerate it: "
                         "python -m cchc_graph.loaders.admin_table")
    for line in lines[1:]:
        uid, name, short, type_, level, parent, code, successor, key = line.split("\t")
        out.append((Unit(uid, name, short, type_, level, parent or None, code, successor or None), key))
    return out


@cache
def _by_short(after_2025: bool = False) -> dict[str, list[Unit]]:
    """Units of one map (before or from 1 July 2025) by folded short name."""
    idx: dict[str, list[Unit]] = {}
    for u, key in _table():
        if u.id.startswith(NEW_PREFIX) != after_2025:
            continue
        idx.setdefault(key, []).append(u)
        alt = key.replace("y", "i")  # Vị/Vỵ, Mỹ/Mĩ spellings
        if alt != key:
            idx.setdefault(alt, []).append(u)
    return idx


def prepare() -> None:
    """Read the map and index both maps' names now (~45 ms), not at a document's first lookup:
    a process made ready to extract does it before documents come."""
    units()
    _by_short(False)
    _by_short(True)


_STRICT_TYPES = ("tinh", "huyen", "quan", "thi xa", "xa", "phuong", "dac khu", "thi tran")
_COMMUNE_TYPES = ("xa", "phuong", "thi tran", "dac khu")


def candidates(name: str, type_word: str | None = None, within: str | None = None,
               after_2025: bool = False) -> list[Unit]:
    """Every unit a name may stand for, provinces first: by short name, optionally by type
    word and inside a unit, on the map before 1 July 2025 or (``after_2025``, or inside a
    unit of that map) the one from that day. Old communes only when typed ("xã …"): their
    names repeat across the country."""
    after_2025 = after_2025 or (within or "").startswith(NEW_PREFIX)
    tw = fold(type_word) if type_word else None
    cands = _by_short(after_2025).get(fold(name).strip(), [])
    if not after_2025 and tw not in _COMMUNE_TYPES:
        cands = [u for u in cands if u.level != "commune"]
    if tw:
        typed = [u for u in cands if fold(u.type) == tw]
        cands = typed or ([] if tw in _STRICT_TYPES else cands)
    if within:
        cands = [u for u in cands if within in lineage(u)] or cands
    return sorted(cands, key=lambda u: (u.level != "province", u.id))


def lookup(name: str, type_word: str | None = None, within: str | None = None,
           after_2025: bool = False) -> Unit | None:
    """The first of :func:`candidates` (None when there is none)."""
    found = candidates(name, type_word, within, after_2025)
    return found[0] if found else None


def lineage(u: Unit) -> tuple[str, ...]:
    """The unit's id and those of the units above it."""
    ids = [u.id]
    while u.parent and u.parent != "vn" and (p := units().get(u.parent)) is not None:
        ids.append(p.id)
        u = p
    return tuple(ids)


def province_of(unit_id: str | None) -> str | None:
    """The province a unit lies in (itself for a province)."""
    u = units().get(unit_id or "")
    return lineage(u)[-1] if u else None


_TYPED = re.compile(r"\b(tinh|thanh pho|huyen|thi xa|quan)\s+(?=[a-z])")
_TYPED_COMMUNES = re.compile(r"\b(xa|phuong|thi tran)\s+(?=[a-z])")
# the map from 2025 has no districts; communes, wards and special zones sit under provinces
_TYPED_2025 = re.compile(r"\b(tinh|thanh pho|xa|phuong|dac khu)\s+(?=[a-z])")
_WORD = re.compile(r"\S+")


def find_typed_units(text: str, within: str | None = None,
                     after_2025: bool = False) -> list[tuple[int, int, Unit]]:
    """Mentions like ``tỉnh Hậu Giang``, ``huyện Tuần Giáo`` (name must be capitalised), on the
    map before 1 July 2025 or (``after_2025``) the one from that day (``xã Long Phụng``)."""
    out = []
    for start, end, type_word, name in typed_names(text, _TYPED_2025 if after_2025 else _TYPED):
        # the longest run of capitalised words that names a unit: "Hậu Giang giai đoạn"
        words = name.split()
        while words:
            u = lookup(" ".join(words), type_word, within, after_2025)
            if u is not None:
                out.append((start, end - len(name) + len(" ".join(words)), u))
                break
            words.pop()
    return out


def find_old_communes(text: str) -> list[tuple[int, int, str, str]]:
    """Commune mentions on the old map (``xã Tân Phú``): start, end, type word, name."""
    return typed_names(text, _TYPED_COMMUNES)


def typed_names(text: str, rx: re.Pattern[str]) -> list[tuple[int, int, str, str]]:
    """A unit type word and the capitalised words after it (at most four)."""
    folded = fold(text)
    out = []
    for m in rx.finditer(folded):
        kept: list[str] = []
        for w in _WORD.finditer(text, m.end(), min(len(text), m.end() + 40)):
            word = w.group(0).rstrip(",.;:)”\"")
            if not word[:1].isupper() or len(kept) == 4:
                break
            kept.append(word)
            if word != w.group(0):
                break
        if kept:
            name = " ".join(kept)
            out.append((m.start(), m.end() + len(name), text[m.start(1):m.end(1)], name))
    return out


def jurisdiction(unit_id: str | None) -> Jurisdiction | None:
    if unit_id == "vn":
        return NATIONAL
    u = units().get(unit_id or "")
    return u.jurisdiction() if u else None
