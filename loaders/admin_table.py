"""The administrative map's table (``data/admin_units.tsv``), made from ``vietnamadminunits``.

The package (MIT, Hieu Tran) holds the units before and from 1 July 2025 as JSON tables of
4 MB, with more than we read, and depends on geometry libraries we do not use. Its data change
only with a new release, so the units we read are derived from it once, here, and shipped as
one TSV that every extracting process reads in ~30 ms (deriving them took ~0.24 s a process).
A test derives them again from the installed package and compares. Regenerate after upgrading
the package (a development dependency) or changing how units are derived or folded::

    python -m cchc_graph.loaders.admin_table
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from cchc_graph.keys import fold, slug

from .admin import COLUMNS, NEW_PREFIX, TABLE, Unit


def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def derive() -> dict[str, Unit]:
    """Every unit of both maps by id, made from the package's tables: the old provinces,
    districts and communes (each linked to its successor on the new map) and the new provinces
    and communes (empty when the package is missing)."""
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


def rows(units: dict[str, Unit]) -> list[str]:
    """The table's lines: a header, then one unit a line (its folded short name last, which
    lookups index)."""
    def line(u: Unit) -> str:
        values = (u.id, u.name, u.short, u.type, u.level, u.parent, u.code, u.successor, fold(u.short))
        return "\t".join("" if v is None else v for v in values)
    return ["\t".join(COLUMNS), *map(line, units.values())]


def main() -> None:
    units = derive()
    if not units:
        raise SystemExit("vietnamadminunits is not installed: pip install vietnamadminunits==1.0.4")
    TABLE.write_text("\n".join(rows(units)) + "\n", encoding="utf-8")
    print(f"{TABLE}: {len(units)} units")


if __name__ == "__main__":
    main()
