"""The audit's findings kept in the store (``graph/questions/findings.py``): what a build keeps
is what the audit finds when asked, and a build that changes a few documents finds again
exactly the findings those change, including findings of documents it did not touch."""

from __future__ import annotations

import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from cchc_graph.graph.questions import audit, findings
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.questions.tables import words_list
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import parallel
from cchc_graph.graph.store.build import Store
from cchc_graph.library import open_store

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def _doc(issuer: str, number: str, place: str, day: str, kind: str, title: str, *body: str) -> str:
    d, m, y = day.split("/")
    return "\n".join([issuer, NATION, f"Số: {number}", f"{place}, ngày {d} tháng {m} năm {y}", kind, title,
                      *body]) + "\n"


PROVINCE, DISTRICT = "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN", "ỦY BAN NHÂN DÂN HUYỆN ĐÔNG HÒA"
# a provincial plan with a target and a reporting line, and a district plan implementing it
# with a weaker target, two leads and two bases (a provincial and a national one)
PARENT = _doc(PROVINCE, "45/KH-UBND", "Phú Yên", "10/1/2022", "KẾ HOẠCH", "CẢI CÁCH HÀNH CHÍNH NĂM 2022",
              "I. MỤC TIÊU", "- Giải quyết đúng hạn từ {share}% trở lên số hồ sơ thủ tục hành chính.",
              "II. NHIỆM VỤ", "1. Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp kiểm tra công tác cải cách "
              "hành chính; báo cáo Sở Tư pháp trước ngày 30/6/2022.")
CHILD = _doc(DISTRICT, "12/KH-UBND", "Đông Hòa", "1/2/2022", "KẾ HOẠCH", "CẢI CÁCH HÀNH CHÍNH HUYỆN NĂM 2022",
             "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/01/2022 của UBND tỉnh Phú Yên;",
             "Căn cứ Quyết định số 8/QĐ-UBND ngày 2/1/2020 của UBND tỉnh về kho lưu trữ;",
             "Căn cứ Nghị định số 15/2019/NĐ-CP ngày 5/3/2019 của Chính phủ về lưu trữ;",
             "I. MỤC TIÊU", "- Giải quyết đúng hạn từ 90% trở lên số hồ sơ thủ tục hành chính.",
             "II. NHIỆM VỤ", "1. Phòng Tư pháp, Văn phòng HĐND và UBND huyện chủ trì rà soát quy trình nội bộ.")
# each added later: a line reporting back (a circle), a decision repealing the basis before
# the district plan
OTHERS = {
    "back.txt": _doc(PROVINCE, "50/KH-UBND", "Phú Yên", "3/3/2022", "KẾ HOẠCH", "KIỂM TRA CÔNG VỤ NĂM 2022",
                     "I. NHIỆM VỤ", "1. Sở Tư pháp chủ trì tổng hợp kết quả kiểm tra công vụ; báo cáo Sở Nội vụ "
                     "trước ngày 15/11/2022."),
    "repeal.txt": _doc(PROVINCE, "40/QĐ-UBND", "Phú Yên", "1/6/{year}", "QUYẾT ĐỊNH", "VỀ VIỆC SẮP XẾP KHO LƯU TRỮ",
                       "Căn cứ Luật Tổ chức chính quyền địa phương;", "Điều 1. Sở Nội vụ sắp xếp kho.",
                       "Điều 2. Quyết định này có hiệu lực kể từ ngày ký và bãi bỏ Quyết định số 8/QĐ-UBND "
                       "ngày 2/1/2020 của UBND tỉnh."),
}


def _kept(store: Path) -> list[tuple[Any, ...]]:
    """The kept findings, in the audit's order, with their units and records; their counts."""
    conn = sqlite3.connect(store / db.DB_NAME)
    try:
        return [(*row[:-1], orjson.loads(db.unpack(row[-1], conn))) for row in conn.execute(
            "SELECT kind, unit, sev, rule, document, start, tie, rec FROM findings ORDER BY " + audit.FINDING_ORDER)
        ] + conn.execute("SELECT * FROM finding_counts ORDER BY document, sev, rule").fetchall()
    finally:
        conn.close()


def _answers(c: Corpus, **kw: Any) -> tuple[list[audit.Violation], audit.Counts, list[tuple]]:
    """The audit's findings, their counts, and by document with at most two each."""
    return (list(audit.audit(c, **kw)), audit.counts(c, **kw),
            [(d, n, list(shown)) for d, n, shown in audit.grouped(c, **kw, limit=2)])


def _live(store: Path, **kw: Any) -> tuple[list[audit.Violation], audit.Counts, list[tuple]]:
    """The audit found now, as a corpus without kept findings finds it."""
    with open_store(store).snapshot() as c:
        c.memo["findings kept"] = False
        return _answers(c, **kw)


def _asked(store: Path, **kw: Any) -> tuple[list[audit.Violation], audit.Counts, list[tuple]]:
    with open_store(store).snapshot() as c:
        assert audit.kept(c)
        return _answers(c, **kw)


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10_000)  # in-process: faster for a few files
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "parent.txt").write_text(PARENT.format(share=97), encoding="utf-8")
    (docs / "child.txt").write_text(CHILD, encoding="utf-8")
    yield docs


def _step(docs: Path, store: Path, scratch: Path) -> dict[str, list[audit.Violation]]:
    """Build the store again over ``docs``; its kept findings equal a fresh build's and the
    audit found now. The child plan's findings by rule."""
    Store(store).build([docs])
    shutil.rmtree(scratch, ignore_errors=True)
    Store(scratch).build([docs])
    assert _kept(store) == _kept(scratch)
    assert _asked(store) == _live(store)
    out: dict[str, list[audit.Violation]] = {}
    for v in _asked(store)[0]:
        if v.document == "child" or v.rule == "report_cycle":
            out.setdefault(v.rule, []).append(v)
    return out


def test_a_build_finds_again_what_documents_it_did_not_touch_now_break(corpus: Path, tmp_path: Path) -> None:
    store, scratch = tmp_path / "store", tmp_path / "scratch"
    first = _step(corpus, store, scratch)
    assert len(first["target_weaker"]) == 1 and "report_cycle" not in first
    # (the area by its name, whether or not a document has a task in it)
    assert "thuộc lĩnh vực 'Cải cách thủ tục hành chính'" in first["target_no_agency"][0].message
    assert "citation_superseded" not in first

    def add(name: str, **fields: str) -> dict[str, list[audit.Violation]]:
        (corpus / name).write_text(OTHERS[name].format(**fields), encoding="utf-8")
        return _step(corpus, store, scratch)

    assert len(add("back.txt")["report_cycle"]) == 1  # a circle through the parent's line
    (old,) = add("repeal.txt", year="2021")["citation_superseded"]  # the child's basis, repealed before it
    assert old.entity_label == "8/QĐ-UBND"
    assert "citation_superseded" not in add("repeal.txt", year="2023")  # repealed after the child

    (corpus / "parent.txt").write_text(PARENT.format(share=85), encoding="utf-8")
    assert "target_weaker" not in _step(corpus, store, scratch)  # the parent asks less now
    (corpus / "back.txt").unlink()
    assert "report_cycle" not in _step(corpus, store, scratch)


def test_kept_findings_are_the_audit_asked_now(corpus: Path, tmp_path: Path) -> None:
    for name, text in OTHERS.items():
        (corpus / name).write_text(text.format(year="2021"), encoding="utf-8")
    store = tmp_path / "store"
    Store(store).build([corpus])
    child = "child"
    for kw in ({}, {"min_severity": "warning"}, {"document": child}, {"rules": ("report_cycle",)},
               {"rules": ("task_no_lead", "citation_superseded"), "min_severity": "warning"},
               {"document": child, "rules": ("citation_unresolved",)}):
        found, counts, groups = _asked(store, **kw)
        assert (found, counts, groups) == _live(store, **kw), kw
        assert counts.total == len(found) == sum(n for _, n, _ in groups)
        assert counts.documents == len(groups) == len({v.document for v in found})
        assert [v for _, _, shown in groups for v in shown] == [v for d, _, _ in groups
                                                                 for v in [x for x in found if x.document == d][:2]]
    assert {v.rule for v in _asked(store)[0]} >= {"report_cycle", "target_weaker", "citation_superseded",
                                                 "task_many_leads", "citation_unresolved"}


@pytest.mark.parametrize("store", ["seed_store", "own_store"])
def test_kept_findings_of_the_bundled_corpora_are_the_audit(store: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(store)
    assert _asked(path) == _live(path)


def test_a_window_of_kept_findings_reads_that_window(seed_store: Path) -> None:
    with open_store(seed_store).snapshot() as c:
        found = audit.audit(c)
        every = list(found)
        assert len(found) == len(every) > 60
        assert found[10:60] == every[10:60] and found[-1] == every[-1] and found[3] == every[3]
        with pytest.raises(IndexError):
            found[len(every)]


def test_a_corpus_held_in_memory_is_audited_as_asked(seed_store: Path) -> None:
    c = Corpus.from_export(Store(seed_store).read_export())
    assert not audit.kept(c)
    assert list(audit.audit(c)) == _asked(seed_store)[0]


def test_findings_naming_an_agency_follow_its_record(corpus: Path, tmp_path: Path) -> None:
    """A merged agency's record changes with documents other than those naming it in a task
    (its name is the first document's, its first document moves): the tasks it leads with
    others, and its own finding, are found again. The change is made on the row, in a build's
    transaction, then rolled back."""
    store = tmp_path / "store"
    Store(store).build([corpus])
    conn = db.connect(store / db.DB_NAME)
    try:
        conn.execute("BEGIN IMMEDIATE")
        assert findings.track(conn)
        rowid, rec = conn.execute("SELECT rowid, rec FROM agencies WHERE name = 'Phòng Tư pháp'").fetchone()
        a = {**db.decode(rec, conn), "name": "Phòng Tư pháp huyện", "kind": "unknown"}
        conn.execute("UPDATE agencies SET name = ?, kind = ?, rec = ? WHERE rowid = ?",
                     (a["name"], a["kind"], orjson.dumps(a), rowid))
        kept = "SELECT kind, unit, sev, rule, document, start, tie, rec FROM findings"
        counted = "SELECT * FROM finding_counts ORDER BY document, sev, rule"
        findings.refresh(conn, True, "again")
        again = sorted(conn.execute(kept).fetchall()), conn.execute(counted).fetchall()
        (version,) = conn.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        findings.refresh(conn, False, version)
        every = conn.execute(kept).fetchall()
        assert again == (sorted(every), conn.execute(counted).fetchall())
        assert any(r[0] == "agencies" and r[1] == a["id"] for r in every)
        # the tasks it leads with others: their findings, read from the tasks, name it as it is now
        c = Corpus(conn)
        assert audit.kept(c)
        assert any("lead agencies: Phòng Tư pháp huyện" in v.message for v in audit.audit(c)
                   if v.rule == "task_many_leads")
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def test_a_check_failing_on_some_data_does_not_stop_the_build(corpus: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings are a derived table: a check that fails leaves the documents stored, says
    so in the build's warnings, and the audit finds them when asked."""
    store = tmp_path / "store"
    Store(store).build([corpus])
    (corpus / "back.txt").write_text(OTHERS["back.txt"], encoding="utf-8")
    check = audit.RULES["cascade"]

    def broken(c: Corpus, units: audit.Units) -> Iterator[audit.Violation]:
        raise ValueError("a form no check expected")
        yield from ()
    monkeypatch.setitem(audit.RULES, "cascade", audit.Check(broken, check.rules, check.unit))
    report = Store(store).build([corpus])
    assert report.written and report.loaded == [str(corpus / "back.txt")]
    assert [w for w in report.warnings if "audit findings not kept" in w and "a form no check expected" in w]
    monkeypatch.setitem(audit.RULES, "cascade", check)
    with open_store(store).snapshot() as c:
        assert not audit.kept(c) and "back" in c.documents
        assert any(v.rule == "report_cycle" for v in audit.audit(c))  # found as asked
    assert not [w for w in Store(store).build([corpus], add=True).warnings if "not kept" in w]
    (corpus / "child.txt").write_text(CHILD.replace("90%", "91%"), encoding="utf-8")
    Store(store).build([corpus])  # the next build that writes keeps them again, all of them
    assert _asked(store) == _live(store)


def test_a_document_citing_a_reference_otherwise_is_compared_again(corpus: Path, tmp_path: Path) -> None:
    """A document written again that now gives another date for a reference the child also
    cites: the reference's citations disagree (a finding of the reference, found although the
    child was not written); given back its date, they agree again. The same citations written
    again leave the reference's findings as they were."""
    store, scratch = tmp_path / "store", tmp_path / "scratch"
    repeal = corpus / "repeal.txt"

    def inconsistent(day: str, line: str = "") -> list[audit.Violation]:
        text = OTHERS["repeal.txt"].format(year="2023").replace("ngày 2/1/2020", f"ngày {day}") + line
        repeal.write_text(text, encoding="utf-8")
        _step(corpus, store, scratch)
        return [v for v in _asked(store)[0] if v.rule == "citation_inconsistent"]

    assert inconsistent("2/1/2020") == []
    (found,) = inconsistent("5/1/2020")
    assert found.entity_label == "8/QĐ-UBND"
    assert inconsistent("5/1/2020", "Điều 3. Sở Tư pháp theo dõi.\n") == [found]  # rewritten alike
    assert inconsistent("2/1/2020") == []


def test_the_rules_read_from_records_are_read_through_their_indexes(corpus: Path, tmp_path: Path) -> None:
    """A rule's findings read from records (the task rules', the unresolved citations') are not
    kept rows: they are the records meeting its condition, read in the audit's order through
    the rule's partial index, and counted with the others."""
    store = tmp_path / "store"
    Store(store).build([corpus])
    conn = sqlite3.connect(store / db.DB_NAME)
    try:
        kinds = [k for k, check in audit.RULES.items() if set(check.rules) <= audit.READ_RULES]
        assert kinds == ["tasks", "unresolved"]
        assert conn.execute(f"SELECT count(*) FROM findings WHERE kind IN {words_list(kinds)}").fetchone() == (0,)
        for read in audit.READ.values():  # (as the audit reads them: by the rule's index)
            plan = str(conn.execute(f"EXPLAIN QUERY PLAN SELECT rec FROM {read.table} INDEXED BY {read.index} "
                                    f"WHERE {read.cond} ORDER BY {read.columns}, rowid").fetchall())
            # (no sort: a page reads as far as it shows)
            assert read.index in plan and "TEMP B-TREE" not in plan, plan
        counted = dict(conn.execute("SELECT rule || ' ' || sev, sum(n) FROM finding_counts GROUP BY rule, sev"
                                    ).fetchall())
        # the audit's parts, counted in its order without sorting the counts
        plan = str(conn.execute("EXPLAIN QUERY PLAN SELECT sev, rule, sum(n) FROM finding_counts WHERE sev <= 2 "
                                "GROUP BY sev, rule ORDER BY sev, rule").fetchall())
        assert "finding_counts_order" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        conn.close()
    found = _asked(store)[0]
    for rule, severity in audit.READ:
        assert counted.get(f"{audit.RULE_NAMES.index(rule)} {audit.SEVERITIES.index(severity)}", 0) == \
            sum(v.rule == rule and v.severity == severity for v in found)
    assert {("task_many_leads", "warning"), ("task_no_deadline", "info"), ("citation_unresolved", "info"),
            ("citation_unresolved", "warning")} <= {(v.rule, v.severity) for v in found}


def test_a_store_that_kept_the_findings_now_read_from_records_answers_the_same_and_drops_them(
        corpus: Path, tmp_path: Path) -> None:
    """A store built when the task rules' and the unresolved citations' findings were kept as
    rows (and the rules' indexes did not exist): its audit reads them from the records all the
    same (not twice), and its next build deletes the rows and makes the indexes."""
    store = tmp_path / "store"
    Store(store).build([corpus])
    read = ("tasks", "unresolved")
    indexes = sorted({r.index for r in audit.READ.values()})
    conn = db.connect(store / db.DB_NAME)
    try:
        conn.execute("BEGIN IMMEDIATE")  # the rows such a build kept, and none of the rules' indexes
        for kind in read:
            findings._write(conn, kind, audit.RULES[kind].run(Corpus(conn), None))
        for index in indexes:
            conn.execute(f"DROP INDEX {index}")
        conn.execute("COMMIT")
        for kind in read:
            assert conn.execute("SELECT count(*) FROM findings WHERE kind = ?", (kind,)).fetchone()[0] >= 2
    finally:
        conn.close()
    assert _asked(store) == _live(store)
    (corpus / "back.txt").write_text(OTHERS["back.txt"], encoding="utf-8")
    Store(store).build([corpus])
    conn = sqlite3.connect(store / db.DB_NAME)
    try:
        assert conn.execute(f"SELECT count(*) FROM findings WHERE kind IN {words_list(read)}").fetchone() == (0,)
        assert [n for (n,) in conn.execute(f"SELECT name FROM sqlite_master WHERE name IN {words_list(indexes)} "
                                           "ORDER BY name")] == indexes
    finally:
        conn.close()
    assert _asked(store) == _live(store)


def test_the_kinds_of_kept_findings_are_found_from_their_index(seed_store: Path) -> None:
    """What a build looks at to drop the findings of checks no longer kept: the kinds the
    store holds, as a scan of every finding gives them, found from the index."""
    conn = sqlite3.connect(f"file:{seed_store / db.DB_NAME}?mode=ro", uri=True)
    try:
        kinds = [k for (k,) in conn.execute(findings.KINDS)]
        assert kinds == sorted({k for (k,) in conn.execute("SELECT kind FROM findings")}) and kinds
        plan = [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {findings.KINDS}")]
        assert all("findings_unit" in step for step in plan if "findings" in step), plan
    finally:
        conn.close()


def test_each_checks_findings_are_compressed_with_a_dictionary_of_their_own(corpus: Path, tmp_path: Path) -> None:
    """One dictionary a check (its findings share their own strings); a store whose findings
    were all compressed with one dictionary, as before, answers the same, and what its next
    build writes of a check is compressed with that check's dictionary."""
    for name, text in OTHERS.items():
        (corpus / name).write_text(text.format(year="2021"), encoding="utf-8")
    store = tmp_path / "store"
    Store(store).build([corpus])
    conn = db.connect(store / db.DB_NAME)
    dictionaries = {name: zlib.crc32(data).to_bytes(4, "big") for name, data in conn.execute(
        "SELECT name, data FROM dictionaries WHERE name LIKE 'findings%'")}
    kinds = {k for (k,) in conn.execute("SELECT DISTINCT kind FROM findings")}
    assert len(kinds) > 1 and set(dictionaries) == {findings.dictionary_of(k) for k in kinds}
    for kind, rec in conn.execute("SELECT kind, rec FROM findings"):
        assert rec[1:5] == dictionaries[findings.dictionary_of(kind)]
    asked = _asked(store)
    # as a store of one dictionary for every finding wrote them
    with db.transaction(conn):
        recs = conn.execute("SELECT rowid, rec FROM findings").fetchall()
        raw = [(rowid, db.unpack(rec, conn)) for rowid, rec in recs]
        conn.execute("DELETE FROM dictionaries WHERE name LIKE 'findings.%'")
        db.train(conn, "findings", [r for _, r in raw])
        conn.executemany("UPDATE findings SET rec = ? WHERE rowid = ?",
                         ((db.pack(conn, "findings", r), rowid) for rowid, r in raw))
    db.forget(conn)
    conn.close()
    assert _asked(store) == asked == _live(store)
    (corpus / "parent.txt").write_text(PARENT.format(share=85), encoding="utf-8")
    Store(store).build([corpus])
    assert _asked(store) == _live(store)
    conn = db.connect(store / db.DB_NAME)
    now = {name: zlib.crc32(data).to_bytes(4, "big") for name, data in conn.execute(
        "SELECT name, data FROM dictionaries WHERE name LIKE 'findings.%'")}
    assert now  # the checks written again have theirs
    for kind, rec in conn.execute("SELECT kind, rec FROM findings"):
        assert rec[1:5] in (now.get(findings.dictionary_of(kind)), db.learn(conn)["findings"].key)
    conn.close()


@pytest.mark.parametrize("fails", ["finding", "keeping"])
def test_a_new_store_whose_findings_fail_is_put_in_place_without_them(corpus: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      fails: str) -> None:
    """A new store's findings are found while its file is compacted, then kept in the compacted
    file: a check failing, or the keeping failing, leaves the store in place without any
    findings (none half kept), says so, and the audit finds them when asked."""
    from cchc_graph.graph.questions import findings

    def broken(*args: Any) -> Any:
        raise ValueError("a form no check expected")
    if fails == "finding":
        check = audit.RULES["cascade"]
        monkeypatch.setitem(audit.RULES, "cascade", audit.Check(broken, check.rules, check.unit))
    else:
        monkeypatch.setattr(findings, "_count", broken)
    store = tmp_path / "store"
    report = Store(store).build([corpus])
    assert report.written
    assert [w for w in report.warnings if "audit findings not kept" in w and "a form no check expected" in w]
    monkeypatch.undo()
    assert sorted(os.listdir(store)) == [".lock", db.DB_NAME]
    conn = sqlite3.connect(store / db.DB_NAME)
    try:
        assert conn.execute("SELECT count(*) FROM findings").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM finding_counts").fetchone() == (0,)
    finally:
        conn.close()
    with open_store(store).snapshot() as c:
        assert not audit.kept(c)
        assert any(v.rule == "target_weaker" for v in audit.audit(c))  # found as asked
