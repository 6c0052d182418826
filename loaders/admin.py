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

from cchc_graph.keys import fold, slug

from .model import Jurisdiction

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
    """Every unit of both maps by id: the old provinces, districts and communes (each linked
    to its successor on the new map) and the new provinces and communes (empty when the data
    package is missing)."""
    data = _data_dir()
    if data is None:
        return {}
    # (json, not orjson: the package writes NaN for a few missing names)
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))
    new = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    out: dict[str, Unit] = {}
    province_after, commune_ids = _new_units(new, conv, out)
    commune_after = _commune_successors(conv, commune_ids)
    _old_units(legacy, province_after, commune_after, out)
    return out


def _unique_id(out: dict[str, Unit], uid: str, type_word: str) -> str:
    """``uid``, or with its type when taken ("xã X" and "phường X" in one parent)."""
    return f"{uid}-{slug(type_word)}" if uid in out else uid


def _new_units(new: dict, conv: dict,
               out: dict[str, Unit]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The 34 provinces and their communes from 1 July 2025; returns the new province of each
    old province key and the id of each (new province key, commune key)."""
    province_after: dict[str, str] = {}
    commune_ids: dict[tuple[str, str], str] = {}
    for new_key, old_keys in conv["DICT_PROVINCE"].items():
        info = new["DICT_PROVINCE"].get(new_key)
        if not info:
            continue
        nid = NEW_PREFIX + slug(info["provinceShort"])
        out[nid] = Unit(nid, info["province"], info["provinceShort"],
                        _type_of(info["province"]), "province", "vn", info["provinceCode"])
        province_after.update(dict.fromkeys(old_keys, nid))
        for wkey, w in new["DICT_PROVINCE_WARD_NO_ACCENTED"].get(new_key, {}).items():
            wid = _unique_id(out, f"{nid}-{slug(w['wardShort'])}", w["wardType"])
            out[wid] = Unit(wid, w["ward"], w["wardShort"], w["wardType"].lower(), "commune", nid,
                            w["wardCode"])
            commune_ids[(new_key, wkey)] = wid
    return province_after, commune_ids


def _commune_successors(conv: dict, commune_ids: dict[tuple[str, str], str]) -> dict[str, str]:
    """The new commune each old one ("province_district_commune" key) went into; an old
    commune split between several goes to the one the package marks as its default."""
    after: dict[str, str] = {}
    for new_key, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for wkey, olds in wards.items():
            if (new_key, wkey) in commune_ids:
                after.update(dict.fromkeys(olds, commune_ids[(new_key, wkey)]))
    for new_key, olds in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            default = next((p["newWardKey"] for p in parts if p.get("isDefaultNewWard")), None)
            if default and (new_key, default) in commune_ids:
                after.setdefault(old, commune_ids[(new_key, default)])
    return after


def _old_units(legacy: dict, province_after: dict[str, str], commune_after: dict[str, str],
               out: dict[str, Unit]) -> None:
    """The 63 provinces, their districts and communes in force before 1 July 2025."""
    wards = legacy.get("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED", {})
    for key, info in legacy["DICT_PROVINCE"].items():
        pid = "vn-" + slug(info["provinceShort"])
        out[pid] = Unit(pid, info["province"], info["provinceShort"], _type_of(info["province"]),
                        "province", "vn", info["provinceCode"], province_after.get(key))
        for dkey, dinfo in legacy["DICT_PROVINCE_DISTRICT"].get(key, {}).items():
            did = _unique_id(out, f"{pid}-{slug(dinfo['districtShort'])}", dinfo["districtType"])
            # districts were abolished in 2025; their territory went to the new province
            out[did] = Unit(did, dinfo["district"], dinfo["districtShort"],
                            dinfo["districtType"].lower(), "district", pid,
                            dinfo["districtCode"], province_after.get(key))
            for wkey, w in wards.get(key, {}).get(dkey, {}).items():
                if not isinstance(w.get("wardShort"), str):
                    continue  # a few rows of the package have no name
                wid = _unique_id(out, f"{did}-{slug(w['wardShort'])}", w["wardType"])
                out[wid] = Unit(wid, w["ward"], w["wardShort"], w["wardType"].lower(), "commune", did,
                                w["wardCode"], commune_after.get(f"{key}_{dkey}_{wkey}") or
                                province_after.get(key))


def _type_of(name: str) -> str:
    return "thành phố" if fold(name).startswith("thanh pho") else "tỉnh"


@cache
def _by_short(after_2025: bool = False) -> dict[str, list[Unit]]:
    """Units of one map (before or from 1 July 2025) by folded short name."""
    idx: dict[str, list[Unit]] = {}
    for u in units().values():
        if u.id.startswith(NEW_PREFIX) != after_2025:
            continue
        key = fold(u.short)
        idx.setdefault(key, []).append(u)
        alt = key.replace("y", "i")  # Vị/Vỵ, Mỹ/Mĩ spellings
        if alt != key:
            idx.setdefault(alt, []).append(u)
    return idx


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
