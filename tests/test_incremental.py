"""Incremental rebuilds give exactly the graph a full build gives.

Linking (citation resolution, inferred numbers, merged agencies and references) is checked on
random corpora of keys: after adding, replacing or removing documents, linking only what they
touch equals linking everything. The store is checked on real files: after each edit the
stored graph equals the graph built from every document's facts and the export of a fresh
full build of the same files, and the rows of documents not edited are not written again.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import parallel, resolve, write
from cchc_graph.graph.store.build import Store
from cchc_graph.graph.store.linking import build_export, link
from cchc_graph.graph.store.write import Writer
from cchc_graph.loaders.pipeline import doc_id_for, load_document
from conftest import SEEDS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import generate

TYPES = ["ke_hoach", "quyet_dinh", "nghi_quyet", "luat", None]
PLACES = ["vn-a", "vn-b", "vn-a-x", None]
WORDS = ["cai", "cach", "hanh", "chinh", "so", "hoa", "mot", "cua", "2024", "2025"]


def _doc(rng: random.Random, i: int, version: int) -> dict[str, Any]:
    """A document's keys and agencies, drawn from small pools so that they collide."""
    doc_id = f"d{i:03d}"
    numbered = rng.random() < 0.6
    number = f"{rng.randint(1, 6)}/kh-ubnd" if numbered else None
    words = sorted(rng.sample(WORDS, rng.randint(0, 5)))
    keys = {
        "doc": {"id": doc_id, "numbered": numbered, "number": number, "type": rng.choice(TYPES),
                "jurisdiction": rng.choice(PLACES), "words": words,
                "years": [w for w in words if w.isdigit()]},
        "citations": [],
        "jurisdictions": [{"id": p, "name": p, "level": "province", "parent": None, "successor": None,
                           "code": None} for p in rng.sample(PLACES[:3], rng.randint(0, 2))],
        "indicators": sorted(rng.sample(["pci", "papi", "sipas"], rng.randint(0, 2))),
        "areas": sorted(rng.sample(["institutions", "procedures", "digital_government"], rng.randint(0, 2))),
    }
    for n in range(rng.randint(0, 4)):
        cnum = f"{rng.randint(1, 6)}/kh-ubnd" if rng.random() < 0.6 else None
        cwords = sorted(rng.sample(WORDS, rng.randint(0, 5)))
        keys["citations"].append({
            "id": f"cit:{doc_id}:{n}", "number": cnum, "type": rng.choice(TYPES),
            "scope": rng.choice(PLACES), "words": cwords, "years": [w for w in cwords if w.isdigit()],
            "ref": f"ref:{cnum or n}", "raw_number": cnum.upper() if cnum else None,
            "title": " ".join(cwords) or None, "issuer": rng.choice([None, "UBND"]), "date": None,
            "provenance": {"document": doc_id, "section": "", "start": n, "end": n + 1,
                           "quote": f"v{version}"}})
    agencies = [{"id": a, "name": a, "kind": "so", "jurisdiction": rng.choice(PLACES),
                 "aliases": rng.sample(["A", "B", "C"], rng.randint(0, 2)), "is_group": False,
                 "provenance": {"document": doc_id, "section": "", "start": 0, "end": 1, "quote": a}}
                for a in rng.sample(["ag:noi-vu", "ag:tu-phap", "ag:ubnd", "ag:vpub"], rng.randint(0, 3))]
    return {"keys": keys, "agencies": agencies}


def _link(corpus: dict[str, dict], previous: dict | None = None, changed: set[str] | None = None) -> dict:
    ids = sorted(corpus)
    return link([corpus[d]["keys"] for d in ids], lambda d: corpus[d]["agencies"], previous, changed)


@pytest.mark.parametrize("seed", range(40))
def test_linking_what_changed_equals_linking_everything(seed: int) -> None:
    rng = random.Random(seed)
    corpus = {f"d{i:03d}": _doc(rng, i, 0) for i in range(rng.randint(2, 14))}
    previous = _link(corpus)
    for step in range(1, 6):
        changed: set[str] = set()
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(["replace", "add", "remove"])
            if action == "remove" and len(corpus) > 1:
                victim = rng.choice(sorted(corpus))
                del corpus[victim]
                changed.add(victim)
            else:
                i = rng.randint(0, 20) if action == "add" else int(rng.choice(sorted(corpus))[1:])
                corpus[f"d{i:03d}"] = _doc(rng, i, step)
                changed.add(f"d{i:03d}")
        incremental = _link(corpus, previous, changed)
        assert incremental == _link(corpus), f"seed {seed}, step {step}, changed {sorted(changed)}"
        previous = incremental


def test_random_corpora_exercise_every_kind_of_link() -> None:
    """The corpora above are not vacuous: they resolve by number and by title, infer numbers,
    merge agencies across documents and keep unresolved references."""
    seen = {"number": 0, "title": 0, "inferred": 0, "shared agency": 0, "reference": 0}
    for seed in range(40):
        rng = random.Random(seed)
        corpus = {f"d{i:03d}": _doc(rng, i, 0) for i in range(rng.randint(2, 14))}
        links = _link(corpus)
        for d in corpus.values():
            for c in d["keys"]["citations"]:
                target = links["resolution"].get(c["id"])
                if target:
                    kind = "number" if corpus[target]["keys"]["doc"]["number"] == c["number"] else "title"
                    seen[kind] += 1
        seen["inferred"] += len(links["inferred"])
        seen["shared agency"] += sum(len(a["documents"]) > 1 for a in links["agencies"])
        seen["reference"] += len(links["references"])
    assert all(n >= 5 for n in seen.values()), seen


@pytest.mark.parametrize("seed", range(30))
def test_linked_tables_written_where_they_differ_hold_the_new_lists(tmp_path: Path, seed: int) -> None:
    """``sync_linked`` rewrites only what differs; the table then holds exactly the new list,
    ids moved, added and removed included (ids are unique: a moved id must not collide)."""
    from cchc_graph.graph.store import database as db
    from cchc_graph.graph.store.relink import _sync

    rng = random.Random(seed)
    conn = db.connect(tmp_path / "t.sqlite")
    refs = db.TABLES["refs"]
    for _ in range(12):
        ids = sorted(rng.sample([f"ref:{i:02d}" for i in range(12)], rng.randint(0, 8)))
        recs = [{"id": i, "number": rng.choice(["1/KH", "2/QD", None]), "type": None} for i in ids]
        with db.transaction(conn):
            _sync(conn, refs, recs)
        assert db.records(conn, "refs") == recs
        assert [o for (o,) in conn.execute("SELECT ord FROM refs ORDER BY ord")] == list(range(len(recs)))


def _sql(store: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(store / "cchc.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _sources(store: Path) -> dict[str, str]:
    """Each stored document's source file."""
    return dict(_sql(store, "SELECT doc, source_path FROM sources"))


def _rows(store: Path) -> dict[str, tuple]:
    """Each document's task rows (their row ids): rewritten only when it is."""
    return {d: (lo, hi) for d, lo, hi in _sql(store, "SELECT doc, min(rowid), max(rowid) FROM tasks GROUP BY doc")}


def _check(store: Path) -> dict[str, Any]:
    """The stored graph equals the graph of every stored document's facts, built whole."""
    s = Store(store)
    export = s.read_export()
    assert export == build_export([load_document(p, d) for d, p in _sources(store).items()])
    return export


def _resolved(export: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["resolves_to"] for c in export["citations"] if c["resolves_to"]}


def _rebuild(store: Path, corpus: Path, changed: list[Path]) -> dict[str, Any]:
    before = _rows(store)
    report = Store(store).build([corpus])
    assert sorted(report.loaded) == sorted(str(p) for p in changed if p.exists())
    after = _rows(store)
    rewritten = {d for d in before.keys() | after.keys() if before.get(d) != after.get(d)}
    assert rewritten <= {doc_id_for(p) for p in changed}
    return _check(store)


@pytest.mark.skipif(not SEEDS.exists(), reason="seed corpus not found")
def test_store_rebuilds_one_document_at_a_time_as_a_full_build_would(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10_000)  # in-process: faster for 40 files
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    generate(corpus, 36, seed=3)
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, corpus / p.name)
    Store(store).build([corpus])
    full = _check(store)
    resolved = _resolved(full)
    # a generated plan another one implements (cited by number), and a seed document cited
    files = {d: Path(p) for d, p in _sources(store).items()}
    cited = sorted(set(resolved.values()))
    plan = next(files[d] for d in cited if not (SEEDS / files[d].name).exists())
    seed_target = next(files[d] for d in cited if (SEEDS / files[d].name).exists())
    citing = {c for c, t in resolved.items() if t == doc_id_for(plan)}
    inferred = {d["id"]: d["number_inferred"] for d in full["documents"] if d["number_inferred"]}
    assert citing and inferred.get(doc_id_for(seed_target)) == "03-NQ/TU"  # by title, its number inferred

    text = plan.read_text(encoding="utf-8")
    number_line = next(line for line in text.splitlines() if line.startswith("Số: "))
    plan.write_text(text.replace(number_line, "Số: 987/KH-UBND", 1), encoding="utf-8")
    export = _rebuild(store, corpus, [plan])
    assert not citing & _resolved(export).keys()  # its old number no longer resolves
    plan.write_text(text, encoding="utf-8")
    export = _rebuild(store, corpus, [plan])
    assert _resolved(export) == resolved

    for victim in (plan, seed_target):
        kept = victim.read_bytes()
        victim.unlink()
        export = _rebuild(store, corpus, [victim])
        assert doc_id_for(victim) not in set(_resolved(export).values())
        assert not any(d["number_inferred"] for d in export["documents"] if d["id"] not in inferred)
        victim.write_bytes(kept)
        export = _rebuild(store, corpus, [victim])
        assert _resolved(export) == resolved

    # removed while another document changes, in one build (the change's match keys are read
    # while it is extracted: the removed document's must not stay among them)
    bystander = next(p for p in sorted(corpus.glob("0*.txt")) if p != plan)
    kept, was = plan.read_bytes(), bystander.read_bytes()
    plan.unlink()
    with bystander.open("a", encoding="utf-8") as f:
        f.write("\n- Văn phòng chủ trì tổng hợp báo cáo.\n")
    export = _rebuild(store, corpus, [plan, bystander])
    assert doc_id_for(plan) not in set(_resolved(export).values())
    plan.write_bytes(kept)
    bystander.write_bytes(was)
    export = _rebuild(store, corpus, [plan, bystander])
    assert _resolved(export) == resolved

    # the document whose citation gives the seed its number: gone, the number is no longer
    # inferred (the seed itself unchanged); back, it is again
    citing_seed = files[next(c["document"] for c in full["citations"]
                             if c["resolves_to"] == doc_id_for(seed_target))]
    kept = citing_seed.read_bytes()
    citing_seed.unlink()
    export = _rebuild(store, corpus, [citing_seed])
    assert not next(d for d in export["documents"] if d["id"] == doc_id_for(seed_target))["number_inferred"]
    citing_seed.write_bytes(kept)
    export = _rebuild(store, corpus, [citing_seed])
    assert next(d for d in export["documents"] if d["id"] == doc_id_for(seed_target))["number_inferred"]

    other = next(p for p in sorted(corpus.glob("0*.txt")) if p != plan)
    with other.open("a", encoding="utf-8") as f:
        f.write("\n- Phòng Nội vụ chủ trì rà soát quy trình nội bộ, hoàn thành trong quý IV.\n")
    export = _rebuild(store, corpus, [other])
    sha = hashlib.sha256(other.read_bytes()).hexdigest()
    assert _resolved(export) == resolved
    assert next(d for d in export["documents"] if d["id"] == doc_id_for(other))["sha256"] == sha


def _export(store: Path) -> bytes:
    """The export, and what questions read beside it: every table's lookup columns in export
    order, the names search reads, the agencies' name keys, each FTS entry with its row, the
    audit's findings."""
    conn = Store(store).connect()
    try:
        tables: dict[str, Any] = {}
        for t in db.TABLES.values():
            keys = dict(t.keys)  # (a row id named, as its id: row ids follow the order of writes)
            cols = ", ".join(f'(SELECT id FROM {keys[c]} k WHERE k.rowid = x."{c}")' if c in keys else f'"{c}"'
                             for c in t.columns)
            tables[t.name] = conn.execute(f"SELECT doc, ord, {cols} FROM {t.name} x "
                                          "ORDER BY doc IS NULL, doc, ord").fetchall()
            if t.fts:  # what the (contentless) index holds: each word at its place in a row's text
                conn.execute(f"CREATE VIRTUAL TABLE temp.words_{t.name} USING fts5vocab(main, fts_{t.name}, "
                             "instance)")
                tables[f"fts_{t.name}"] = conn.execute(
                    f"SELECT x.doc, x.ord, v.term, v.offset FROM temp.words_{t.name} v LEFT JOIN {t.name} x "
                    "ON x.rowid = v.doc ORDER BY x.doc IS NULL, x.doc, x.ord, v.offset").fetchall()
        order = "n.grp, n.doc IS NULL, n.doc, n.ord, n.fno"
        tables["names"] = conn.execute(f"SELECT n.grp, n.doc, n.ord, n.fno, n.node, n.field, n.text FROM names n "
                                       f"ORDER BY {order}").fetchall()
        conn.execute("CREATE VIRTUAL TABLE temp.words_names USING fts5vocab(main, fts_names, instance)")
        tables["fts_names"] = conn.execute(
            f"SELECT n.grp, n.doc, n.ord, n.fno, v.term, v.offset FROM temp.words_names v LEFT JOIN names n "
            f"ON n.rowid = v.doc ORDER BY {order}, v.offset").fetchall()
        tables["agency_keys"] = sorted(conn.execute("SELECT key, agency FROM agency_keys").fetchall())
        # the audit's kept findings, in their order: found again for what changed only
        tables["findings"] = [(*row[:-1], db.unpack(row[-1], conn).decode()) for row in conn.execute(
            "SELECT kind, unit, sev, rule, document, start, tie, rec FROM findings ORDER BY sev, rule, "
            "document, start, tie")]
        # (counted with those the task rules find, which are read from the tasks, not kept)
        tables["finding_counts"] = conn.execute("SELECT * FROM finding_counts ORDER BY document, sev, rule"
                                                ).fetchall()
        assert tables["finding_counts"], "a generated corpus has findings"
    finally:
        conn.close()
    return json.dumps([Store(store).read_export(), tables], sort_keys=True).encode()


def _full(paths: list[Path], scratch: Path) -> bytes:
    """The export of a fresh full build of the files."""
    shutil.rmtree(scratch, ignore_errors=True)
    Store(scratch).build(paths)
    return _export(scratch)


@pytest.mark.parametrize("small", [32, 0], ids=["linked-as-sql", "linked-whole"])
def test_incremental_builds_equal_fresh_full_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    small: int) -> None:
    """Random edits of a generated corpus whose documents cite each other (numbers changed,
    files removed and put back, new files, uploads with --add): after each build the store's
    export is the export of a fresh full build of the same files. Changes of up to ``small``
    documents are linked as SQL over what they touch (``delta.py``), larger ones by linking
    every document and writing what differs (``relink.py``): both keep the same store."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10_000)
    monkeypatch.setattr(write, "INCREMENTAL_MAX", small)
    monkeypatch.setattr(resolve, "INCREMENTAL_MAX", small)
    corpus, store, spare = tmp_path / "corpus", tmp_path / "store", tmp_path / "spare"
    generate(corpus, 30, seed=3, provinces=2)  # two provinces: plans implement each other's
    generate(spare, 40, seed=4, provinces=2)
    Store(store).build([corpus])
    resolved = _resolved(Store(store).read_export())
    assert len(resolved) >= 10 and len(set(resolved.values())) >= 5  # documents cite each other
    rng, removed = random.Random(5), {}
    spares = sorted(spare.iterdir())[30:]  # other names than the corpus's
    for step in range(8):
        if step % 3 == 2 and spares:  # an upload: one new file added to the store as it is
            upload = tmp_path / "uploads" / spares.pop().name
            upload.parent.mkdir(exist_ok=True)
            shutil.copy(spare / upload.name, upload)
            Store(store).build([upload], add=True)
            assert _export(store) == _full([corpus, upload], tmp_path / "scratch"), f"upload {step}"
            upload.rename(corpus / upload.name)
        files = sorted(corpus.iterdir())
        for _ in range(rng.randint(1, 3)):
            action, victim = rng.choice(["number", "remove", "restore", "new"]), rng.choice(files)
            if action == "number" and victim.exists():
                text = victim.read_text(encoding="utf-8")
                line = next((x for x in text.splitlines() if x.startswith("Số: ")), None)
                if line:  # another number: what cited it no longer resolves, another may
                    other = rng.choice(files).read_text(encoding="utf-8")
                    swap = next((x for x in other.splitlines() if x.startswith("Số: ")), line)
                    victim.write_text(text.replace(line, swap, 1), encoding="utf-8")
            elif action == "remove" and victim.exists() and len(files) > 5:
                removed[victim] = victim.read_bytes()
                victim.unlink()
            elif action == "restore" and removed:
                back = rng.choice(sorted(removed))
                back.write_bytes(removed.pop(back))
            elif action == "new" and spares:
                shutil.copy(spares.pop(), corpus)
        Store(store).build([corpus])
        assert _export(store) == _full([corpus], tmp_path / "scratch"), f"step {step}"


def test_names_hold_every_name_search_reads(tmp_path: Path) -> None:
    """After a build and an upload, the names table (what search and name lookups read) holds
    each agency's name and aliases, each document's and reference's number, inferred number
    and title, each indicator's name and aliases: no more, no less."""
    seeds = sorted(SEEDS.glob("*.txt"))
    Store(tmp_path / "s").build(seeds[:3])
    Store(tmp_path / "s").build(seeds[3:], add=True)
    export = Store(tmp_path / "s").read_export()
    want = {(r["id"], v) for key, fields in db.NAME_FIELDS.items() for r in export[key] for f in fields
            for v in (r.get(f) or [] if f == "aliases" else [r.get(f)]) if v}
    conn = Store(tmp_path / "s").connect()
    got = set(conn.execute("SELECT node, text FROM names").fetchall())
    conn.close()
    assert len(want) > 100 and got == want


def test_a_small_change_is_linked_over_what_it_touches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change of a few documents (one edited, a document printing no number removed and put
    back) is linked as SQL over what it touches (``delta.relink``), without linking every
    document (``Writer._link_all``, which reads every document's keys); the store is still the
    fresh full build's."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10_000)
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    generate(corpus, 30, seed=3, provinces=2)
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, corpus / p.name)
    Store(store).build([corpus])
    files = {d: Path(p) for d, p in _sources(store).items()}
    unnumbered = next(files[d["id"]] for d in Store(store).read_export()["documents"] if not d["number"])
    edited = sorted(corpus.glob("0*.txt"))[0]

    def relinked() -> None:
        def everything(*_: Any) -> None:
            raise AssertionError("every document linked again")

        with monkeypatch.context() as m:
            m.setattr(Writer, "_link_all", everything)
            Store(store).build([corpus])
        assert _export(store) == _full([corpus], tmp_path / "scratch")

    with edited.open("a", encoding="utf-8") as f:
        f.write("\n- Văn phòng chủ trì tổng hợp báo cáo quý, hoàn thành trong tháng 12.\n")
    relinked()
    kept = unnumbered.read_bytes()
    unnumbered.unlink()
    relinked()
    unnumbered.write_bytes(kept)
    relinked()


PLAN_BY_TITLE = """ỦY BAN NHÂN DÂN THÀNH PHỐ VỊ THANH

Số: 45/KH-UBND

Vị Thanh, ngày 10 tháng 3 năm 2021

**KẾ HOẠCH**
**Phát triển kinh tế - xã hội 5 năm giai đoạn 2021 - 2025 của thành phố Vị Thanh**

**I. MỤC TIÊU**

1. Phòng Tài chính - Kế hoạch chủ trì theo dõi các chỉ tiêu tăng trưởng hằng năm.
"""


def test_a_new_numbered_document_is_found_by_a_citation_printing_no_number(tmp_path: Path) -> None:
    """A seed cites the city's five-year plan by its title alone; a plan of that title, with a
    number of its own, added to the store: linking only what it touches resolves that
    citation to it, as a full build does."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    for p in SEEDS.glob("*.txt"):
        shutil.copy(p, corpus / p.name)
    Store(store).build([corpus])
    (corpus / "900_plan.txt").write_text(PLAN_BY_TITLE, encoding="utf-8")
    Store(store).build([corpus])
    cited = [c for c in Store(store).read_export()["citations"] if c["resolves_to"] == doc_id_for("900_plan.txt")]
    assert cited and not any(c["number"] for c in cited)
    assert _export(store) == _full([corpus], tmp_path / "scratch")


PLAN = """ỦY BAN NHÂN DÂN
TỈNH PHÚ YÊN
Số: {number}/KH-UBND
Phú Yên, ngày 3 tháng 4 năm 2024

KẾ HOẠCH
Cải cách hành chính năm 2024

I. NHIỆM VỤ
1. Sở Nội vụ chủ trì rà soát thủ tục hành chính, hoàn thành trong quý II năm 2024.
2. Giao {council} chỉ đạo Sở Tư pháp phối hợp thực hiện.
"""


def test_an_agency_is_merged_again_when_a_later_document_names_it_otherwise(tmp_path: Path) -> None:
    """A document that is not the first naming an agency, edited to name it by other words,
    changes the merged agency's aliases (``delta.moved_agencies``); an edit leaving its names
    alone does not. Both give the fresh full build's graph."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    (corpus / "a_plan.txt").write_text(PLAN.format(number=11, council="Ủy ban nhân dân tỉnh"), encoding="utf-8")
    later = corpus / "b_plan.txt"
    later.write_text(PLAN.format(number=12, council="UBND tỉnh"), encoding="utf-8")
    Store(store).build([corpus])

    def aliases() -> list[str]:
        export = _check(store)
        return next(a["aliases"] for a in export["agencies"] if a["id"].endswith(":uy-ban-nhan-dan-tinh"))

    assert "UBND tỉnh" in aliases()  # only the later document says so
    later.write_text(PLAN.format(number=12, council="UBND tỉnh") + "3. Báo cáo kết quả.\n", encoding="utf-8")
    _rebuild(store, corpus, [later])
    assert "UBND tỉnh" in aliases()
    later.write_text(PLAN.format(number=12, council="Ủy ban nhân dân tỉnh"), encoding="utf-8")
    _rebuild(store, corpus, [later])
    assert "UBND tỉnh" not in aliases()
    assert _export(store) == _full([corpus], tmp_path / "scratch")


def test_a_reference_is_made_again_when_a_document_cites_it_otherwise(tmp_path: Path) -> None:
    """A reference no loaded document is takes its date from the first citation giving one:
    the first citing document, edited to give it, changes the reference's record
    (``delta._cited_otherwise``); an edit leaving its citations alone does not."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    basis = "Căn cứ Nghị định số 61/2018/NĐ-CP{day} của Chính phủ về cơ chế một cửa;\n"

    def plan(number: int, day: str = "", more: str = "") -> str:
        text = PLAN.format(number=number, council="UBND tỉnh")
        return text.replace("I. NHIỆM VỤ", basis.format(day=day) + "I. NHIỆM VỤ") + more

    first = corpus / "a_plan.txt"
    first.write_text(plan(11), encoding="utf-8")
    (corpus / "b_plan.txt").write_text(plan(12), encoding="utf-8")
    Store(store).build([corpus])

    def reference() -> dict[str, Any]:
        export = _check(store)
        return next(r for r in export["references"] if r["number"] == "61/2018/NĐ-CP")

    assert reference()["date"] is None and len(reference()["cited_by"]) == 2
    first.write_text(plan(11, " ngày 23/4/2018"), encoding="utf-8")
    _rebuild(store, corpus, [first])
    assert reference()["date"] == "2018-04-23"
    first.write_text(plan(11, " ngày 23/4/2018", "3. Báo cáo kết quả.\n"), encoding="utf-8")
    _rebuild(store, corpus, [first])
    assert reference()["date"] == "2018-04-23"
    assert _export(store) == _full([corpus], tmp_path / "scratch")


def test_a_document_naming_an_agency_first_of_all_gives_it_its_record(tmp_path: Path) -> None:
    """A new document that sorts first and names an agency without aliases of its own: the
    agency's record becomes its record (``delta._how``: not only put in the list of
    documents); one sorting later is only put in the list; taking each out again leaves the
    fresh full build's graph."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    for name, number in (("b_plan.txt", 11), ("c_plan.txt", 12)):
        (corpus / name).write_text(PLAN.format(number=number, council="Ủy ban nhân dân tỉnh"), encoding="utf-8")
    Store(store).build([corpus])

    def home() -> dict[str, Any]:
        export = _check(store)
        return next(a for a in export["agencies"] if a["id"].endswith(":so-noi-vu"))

    assert home()["documents"] == ["b_plan", "c_plan"] and home()["provenance"]["document"] == "b_plan"
    for name, number in (("a_plan.txt", 9), ("d_plan.txt", 13)):
        added = corpus / name
        added.write_text(PLAN.format(number=number, council="Ủy ban nhân dân tỉnh"), encoding="utf-8")
        _rebuild(store, corpus, [added])
        assert home()["provenance"]["document"] == ("a_plan" if name == "a_plan.txt" else "b_plan")
        added.unlink()
        _rebuild(store, corpus, [added])
        assert home()["documents"] == ["b_plan", "c_plan"] and home()["provenance"]["document"] == "b_plan"
    assert _export(store) == _full([corpus], tmp_path / "scratch")


def test_a_new_stores_agencies_merged_from_what_the_writer_held_equal_those_merged_from_every_record() -> None:
    """A new store's writer holds each document's agencies as written and decodes an agency's
    record only where it is first named (in document order): merging gives what merging every
    record gives, whatever order the documents came in."""
    import orjson
    from cchc_graph.graph.store.linking import merge_agencies

    def agency(aid: str, name: str, aliases: list[str], doc: str) -> dict[str, Any]:
        return {"id": aid, "name": name, "kind": "department", "jurisdiction": "vn-x",
                "aliases": aliases, "is_group": False, "provenance": {"document": doc, "start": 3}}

    named = {  # (the documents come in another order than their ids')
        "d3": [agency("so-a", "Sở A (as d3 writes it)", ["SA"], "d3"), agency("so-b", "Sở B", [], "d3")],
        "d1": [agency("so-a", "Sở A", [], "d1")],
        "d2": [agency("so-b", "Sở B (d2)", ["SB", "Sở B tỉnh"], "d2"), agency("so-a", "Sở A", ["A"], "d2")],
        "d4": [],
    }
    held = {d: (orjson.dumps({"doc": {"id": d}}), [
        (a["id"], orjson.dumps(a["aliases"]).decode() if a["aliases"] else None, orjson.dumps(a))
        for a in agencies]) for d, agencies in named.items()}
    keys, agencies_of = write._held(held)
    assert [k["doc"]["id"] for k in keys] == ["d1", "d2", "d3", "d4"]
    merged = merge_agencies((d, agencies_of(d)) for d in ["d1", "d2", "d3", "d4"])
    assert merged == merge_agencies((d, named[d]) for d in ["d1", "d2", "d3", "d4"])
    assert [(a["name"], a["aliases"], a["documents"]) for a in merged] == [
        ("Sở A", ["A", "SA"], ["d1", "d2", "d3"]), ("Sở B (d2)", ["SB", "Sở B tỉnh"], ["d2", "d3"])]
