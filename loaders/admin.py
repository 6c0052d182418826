"""Vietnam's administrative map as the documents knew it, before and after 1 July 2025.

The data come from the ``vietnamadminunits`` package (MIT): its legacy table of provinces and
districts in force before the 2025 reorganisation (63 provinces, ~700 districts), its table of
the 34 provinces from 2025 with their ~3,300 communes, wards and special zones (no districts),
and its table of which old provinces form each new one. We read the package's JSON files
directly (importing the package would load geometry libraries we do not need).
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from .model import Jurisdiction
from .text import fold, slug

NATIONAL = Jurisdiction("vn", "Việt Nam", "national")
# provinces merged and districts ended on this day (Resolution 202/2025/QH15)
NEW_MAP_FROM = date(2025, 7, 1).isoformat()
NEW_PREFIX = "vn2025-"


def new_map(iso_day: str | None) -> bool:
    """Whether a document of this date sits on the map from 1 July 2025 (undated: the old one)."""
    return bool(iso_day) and iso_day >= NEW_MAP_FROM


@dataclass(frozen=True, slots=True)
class Unit:
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


def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def units() -> dict[str, Unit]:
    """All provinces and districts by id (empty when the data package is missing)."""
    data = _data_dir()
    if data is None:
        return {}
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
    new = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    successor_of: dict[str, str] = {}
    out: dict[str, Unit] = {}
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        info = new["DICT_PROVINCE"].get(new_key)
        if not info:
            continue
        nid = "vn2025-" + slug(info["provinceShort"])
        out[nid] = Unit(nid, info["province"], info["provinceShort"],
                        _type_of(info["province"]), "province", "vn", info["provinceCode"])
        for ok in old_keys:
            successor_of[ok] = nid
        for winfo in new["DICT_PROVINCE_WARD_NO_ACCENTED"].get(new_key, {}).values():
            wid = f"{nid}-{slug(winfo['wardShort'])}"
            if wid in out:  # "xã X" and "phường X" in one province
                wid = f"{wid}-{slug(winfo['wardType'])}"
            out[wid] = Unit(wid, winfo["ward"], winfo["wardShort"], winfo["wardType"].lower(),
                            "commune", nid, winfo["wardCode"])
    for key, info in legacy["DICT_PROVINCE"].items():
        pid = "vn-" + slug(info["provinceShort"])
        out[pid] = Unit(pid, info["province"], info["provinceShort"], _type_of(info["province"]),
                        "province", "vn", info["provinceCode"], successor_of.get(key))
        for dinfo in legacy["DICT_PROVINCE_DISTRICT"].get(key, {}).values():
            did = f"{pid}-{slug(dinfo['districtShort'])}"
            if did in out:  # two districts of one province sharing a short name
                did = f"{did}-{slug(dinfo['districtType'])}"
            # districts were abolished in 2025; their territory went to the new province
            out[did] = Unit(did, dinfo["district"], dinfo["districtShort"],
                            dinfo["districtType"].lower(), "district", pid,
                            dinfo["districtCode"], successor_of.get(key))
    return out


def _type_of(name: str) -> str:
    return "thành phố" if fold(name).startswith("thanh pho") else "tỉnh"


@cache
def _by_short(after_2025: bool = False) -> dict[str, list[Unit]]:
    """Units of one map (before or from 1 July 2025) by folded short name."""
    idx: dict[str, list[Unit]] = {}
    for u in units().values():
        if u.id.startswith(NEW_PREFIX) != after_2025:
            continue
        idx.setdefault(fold(u.short), []).append(u)
        alt = fold(u.short).replace("y", "i")  # Vị/Vỵ, Mỹ/Mĩ spellings
        if alt != fold(u.short):
            idx.setdefault(alt, []).append(u)
    return idx


_STRICT_TYPES = ("tinh", "huyen", "quan", "thi xa", "xa", "phuong", "dac khu", "thi tran")


def lookup(name: str, type_word: str | None = None, within: str | None = None,
           after_2025: bool = False) -> Unit | None:
    """Find a unit by its short name, optionally by type word and inside a province, on the
    map before 1 July 2025 or (``after_2025``, or inside a province of that map) the one
    from that day."""
    after_2025 = after_2025 or (within or "").startswith(NEW_PREFIX)
    cands = _by_short(after_2025).get(fold(name).strip(), [])
    if type_word:
        tw = fold(type_word)
        typed = [u for u in cands if fold(u.type) == tw]
        cands = typed or ([] if tw in _STRICT_TYPES else cands)
    if within:
        inside = [u for u in cands if u.parent == within or u.id == within]
        cands = inside or cands
    if not cands:
        return None
    cands.sort(key=lambda u: (u.level != "province", u.id))
    return cands[0]


_TYPED = re.compile(r"\b(tinh|thanh pho|huyen|thi xa|quan)\s+(?=[a-z])")
# the map from 2025 has no districts; communes, wards and special zones sit under provinces
_TYPED_2025 = re.compile(r"\b(tinh|thanh pho|xa|phuong|dac khu)\s+(?=[a-z])")
_WORD = re.compile(r"\S+")


def find_typed_units(text: str, within: str | None = None,
                     after_2025: bool = False) -> list[tuple[int, int, Unit]]:
    """Mentions like ``tỉnh Hậu Giang``, ``huyện Tuần Giáo`` (name must be capitalised), on the
    map before 1 July 2025 or (``after_2025``) the one from that day (``xã Long Phụng``)."""
    folded = fold(text)
    out = []
    for m in (_TYPED_2025 if after_2025 else _TYPED).finditer(folded):
        # keep the capitalised words only: "tỉnh Hậu Giang giai đoạn" → "Hậu Giang"
        kept: list[str] = []
        for w in _WORD.finditer(text, m.end(), min(len(text), m.end() + 40)):
            word = w.group(0).rstrip(",.;:)”\"")
            if not word[:1].isupper() or len(kept) == 4:
                break
            kept.append(word)
            if word != w.group(0):
                break
        while kept:
            u = lookup(" ".join(kept), text[m.start(1):m.end(1)], within, after_2025)
            if u is not None:
                end = m.end() + len(" ".join(kept))
                out.append((m.start(), end, u))
                break
            kept.pop()
    return out


def jurisdiction(unit_id: str | None) -> Jurisdiction | None:
    if unit_id == "vn":
        return NATIONAL
    u = units().get(unit_id or "")
    return u.jurisdiction() if u else None
