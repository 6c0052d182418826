"""Phrases are found by the store's FTS5 tables as a regex per record finds them; questions
order their answers in SQL as their plain definitions do; each reads one snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from cchc_graph import keys
from cchc_graph.graph.questions import cascade, match, queries, trace
from cchc_graph.graph.questions.index import ROLES, Corpus, Database
from cchc_graph.graph.questions.tables import EXPORT_ORDER, Answers
from cchc_graph.graph.store import database as db
from cchc_graph.keys import fold

# Own sentences: accents, đ/Đ, case, punctuation and line breaks between words, underscores,
# digits, a phrase split over two records, a false start inside a word.
TEXTS = [
    "Sở Nội vụ chủ trì tuyên truyền cải cách hành chính.",
    "ĐẨY MẠNH TUYÊN-TRUYỀN; đánh giá",
    "tuyen\ntruyen khong dau, don gian hoa",
    "Giao Sở Nội",
    "vụ tổng hợp",
    "nội_vụ không phải hai từ",
    "ba a a",
    "ba a",
    "đạt 95% hồ sơ trực tuyến năm 2025",
    "Đơn giản hóa thủ tục; đơn   giản   hoá",
    "",
    "hệ thống quản lý chất lượng ISO 9001:2015",
    "tỷ lệ 100 % và 95 %",
]
CASES = [  # phrase → records it occurs in
    ("tuyên truyền", [0, 1, 2]),
    ("TUYEN TRUYEN", [0, 1, 2]),
    ("nội vụ", [0]),
    ("noi", [0, 3]),
    ("a a", [6]),
    ("don gian", [2, 9]),
    ("đơn giản hóa", [2, 9]),
    ("95%", [8]),
    ("2025", [8]),
    ("iso 9001", [11]),
    ("9001 2015", [11]),
    ("danh gia", [1]),
    ("khong", [2, 5]),
    ("tuyen truyen cai cach", [0]),
    ("hanh chinh sở", []),
    ("%", [12]),  # a lone % (95% is a word)
    ("100 %", [12]),
]


def _task(i: int, text: str) -> dict:
    return {"id": f"t{i}", "document": "d", "text": text, "title": "",
            "provenance": {"document": "d", "section": "", "start": i, "end": i + len(text), "quote": text}}


@pytest.fixture(scope="module")
def texts() -> Corpus:
    return Corpus.from_export({"tasks": [_task(i, t) for i, t in enumerate(TEXTS)]})


def _matched(c: Corpus, table: str, *phrases: str) -> list[str]:
    where, params = match.condition(c, table, [match.words(p) for p in phrases])
    return [i for (i,) in c.rows(f"SELECT id FROM {table} WHERE {where} ORDER BY {EXPORT_ORDER}", params)]


@pytest.mark.parametrize(("phrase", "expected"), CASES)
def test_phrase_lookup_finds_what_a_regex_per_record_finds(texts: Corpus, phrase: str, expected: list[int]) -> None:
    rx = match.phrase_rx(match.words(phrase))
    assert [i for i, t in enumerate(TEXTS) if rx.search(fold(t))] == expected  # the table is right
    assert _matched(texts, "tasks", phrase) == [f"t{i}" for i in expected]


def test_two_phrases_find_the_union_once(texts: Corpus) -> None:
    assert _matched(texts, "tasks", "nội vụ", "tuyên truyền") == ["t0", "t1", "t2"]


def test_a_text_is_folded_alike_with_or_without_the_indexes_d() -> None:
    """A phrase with % is checked on the record's text folded as it is: folding it after the
    index's ``đ`` → ``d`` (``plain_d``) gives the same text, for each character it maps."""
    mapped = db.D_LETTERS
    for text in (mapped, TEXTS[1], "Đ" + mapped.upper() + "đ 95%"):
        assert fold(db.plain_d(text)) == fold(text)
        assert db.fts_text(text).startswith(db.plain_d(text))  # (the marks of % after it)


@pytest.mark.parametrize("through_numpy", [False, True])
def test_texts_checked_for_a_phrase_with_percent_are_folded_at_once_alike(
        texts: Corpus, seed_corpus: Corpus, through_numpy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase with % checks its rows' texts folded as one text (through numpy when that is
    worth it) and cut back into each: the rows found are those of each text folded alone."""
    import numpy as np

    monkeypatch.setattr(keys, "numpy_if_worth", lambda n: np if through_numpy else None)
    # (texts whose ends would match, or stop matching, with their neighbours' starts)
    edges = ["tỷ lệ đạt 95%", "xã 95% hồ sơ", "95", "% Đạt", "đạt 95", "%x", "", "95%"]
    ends = Corpus.from_export({"tasks": [_task(i, t) for i, t in enumerate(edges)]})
    for phrase in ("95%", "95 %", "100 %", "%", "đạt 95%", "% đạt"):
        rx = match.phrase_rx(match.words(phrase))
        assert _matched(texts, "tasks", phrase) == [f"t{i}" for i, t in enumerate(TEXTS) if rx.search(fold(t))]
        assert _matched(ends, "tasks", phrase) == [f"t{i}" for i, t in enumerate(edges) if rx.search(fold(t))]
        for table in ("tasks", "targets"):
            expected = [r["id"] for r in getattr(seed_corpus, table).values() if rx.search(fold(r["text"]))]
            assert _matched(seed_corpus, table, phrase) == expected, (phrase, table)


# Own texts around a % ending a word: inside a longer number, after an underscore, before a
# letter, alone, after letters with marks, twice, at either end.
PERCENT_TEXTS = ["đạt 95% hồ sơ", "195%", "95 %", "95%abc", "abc_95%", "tỷ lệ (%)", "ĐẠT% kế hoạch",
                 "95%%", "%", "giảm 5% và tăng 95%.", "95", "x95%", "100% 95%"]


@pytest.mark.parametrize("phrase", ["95%", "%", "195%", "đạt%", "100%", "5%", "95%abc", "%%", "95 %",
                                    "đạt 95%", "abc 95%", "95% 95%"])
def test_a_percent_ending_a_word_is_found_by_its_mark_as_the_regex_finds_it(phrase: str) -> None:
    """A phrase that is one word ending with % is looked up exactly by its mark (no record
    read); any other phrase with % by its words and marks, each record found then checked."""
    ws = match.words(phrase)
    rx = match.phrase_rx(ws)
    expected = [f"t{i}" for i, t in enumerate(PERCENT_TEXTS) if rx.search(fold(t))]
    c = Corpus.from_export({"tasks": [_task(i, t) for i, t in enumerate(PERCENT_TEXTS)]})
    assert _matched(c, "tasks", phrase) == expected
    query = match.fts_query([ws])
    exact = len(ws) == 1 and ws[0].count("%") == 1 and ws[0].endswith("%")
    assert (query is not None) == exact
    if exact:
        assert c.rows("SELECT count(*) FROM fts_tasks WHERE fts_tasks MATCH ?", (query,)) == [(len(expected),)]
        assert list(match.in_export_order(c, "tasks", query, {})) == expected


def test_a_hit_the_regex_would_not_find_still_gets_a_snippet() -> None:
    """FTS5 reads the long s (ſ) as s where fold keeps it: the hit is listed, with the text."""
    c = Corpus.from_export({"tasks": [_task(1, "Kiểm ſoát thủ tục")]})
    hits = list(queries.search(c, "kiểm soát"))
    assert [(h.id, h.snippet) for h in hits] == [("t1", "Kiểm ſoát thủ tục")]


@pytest.mark.parametrize("phrase", ["tuyên truyền", "kiểm soát thủ tục hành chính", "95%", "nội vụ",
                                    "cai cach", "ISO 9001", "một cửa", "x"])
def test_matching_in_the_store_equals_a_search_per_record(seed_corpus: Corpus, phrase: str) -> None:
    rx = match.phrase_rx(match.words(phrase))
    for table, field in (("tasks", lambda r: r["text"]), ("targets", lambda r: r["text"]),
                         ("citations", lambda r: r["provenance"]["quote"])):
        expected = [r["id"] for r in getattr(seed_corpus, table).values() if rx.search(fold(field(r)))]
        assert _matched(seed_corpus, table, phrase) == expected, table


def test_answers_build_only_what_is_read() -> None:
    built: list[int] = []

    def build(k: int) -> str:
        built.append(k)
        return f"answer {k}"

    answers = Answers(list(range(1000)), build)
    assert len(answers) == 1000 and built == []
    assert answers[10:12] == ["answer 10", "answer 11"] and answers[-1] == "answer 999"
    assert built == [10, 11, 999]
    assert list(Answers([3, 1], build)) == ["answer 3", "answer 1"]


# --- the SQL orders give the answers of the plain definitions ------------------------------

@pytest.mark.parametrize("phrase", ["cải cách", "tuyên truyền", "thủ tục hành chính", "Nội vụ"])
def test_who_leads_is_every_matching_task_led_first(seed_corpus: Corpus, phrase: str) -> None:
    rx = match.phrase_rx(match.words(phrase))
    tasks = [t for t in seed_corpus.tasks.values() if rx.search(fold(t["text"]))]
    led = {r["task"] for r in seed_corpus.recs("responsibilities") if r["role"] == "lead"}
    tasks.sort(key=lambda t: (t["id"] not in led, t["document"], t["provenance"]["start"]))
    assert [a.task for a in queries.who_leads(seed_corpus, phrase)] == [t["id"] for t in tasks]


@pytest.mark.parametrize("name", ["Phòng Nội vụ", "Phòng Tư pháp", "Phòng"])
def test_agency_roles_are_ordered_by_role_then_document(own_corpus: Corpus, name: str) -> None:
    rows = list(queries.agency_roles(own_corpus, name))
    aids = set(own_corpus.find_agencies(name))
    resps = [r for r in own_corpus.recs("responsibilities") if r["agency"] in aids]
    expected = sorted(resps, key=lambda r: (ROLES.index(r["role"]), r["document"], r["provenance"]["start"],
                                            r["agency"]))
    assert [(r.agency.id, r.role, r.provenance.start) for r in rows] == [
        (r["agency"], r["role"], r["provenance"]["start"]) for r in expected]
    assert len({r.role for r in rows}) > 1
    leads = list(queries.agency_roles(own_corpus, name, roles=("lead",)))
    assert leads == [r for r in rows if r.role == "lead"]


def test_cited_by_is_ordered_by_depth_then_citing_document(own_corpus: Corpus) -> None:
    hops = list(trace.cited_by(own_corpus, "07-NQ/TU", depth=2))
    keys = [(h.depth, h.source.id, h.provenance.start) for h in hops]
    assert keys == sorted(keys) and {h.depth for h in hops} == {1, 2}


def test_compare_is_every_target_of_the_metric_in_order(seed_corpus: Corpus) -> None:
    metric = cascade.metrics(seed_corpus)[0].key
    rows = list(cascade.compare(seed_corpus, metric))
    assert sorted(r.target for r in rows) == sorted(t["id"] for t in seed_corpus.targets.values()
                                                    if t["metric"] == metric)
    keys = [(r.metric, r.jurisdiction or "", r.document.id, r.provenance.start) for r in rows]
    assert keys == sorted(keys)


def test_search_ranks_equal_names_first_and_finds_each_node_once(seed_corpus: Corpus) -> None:
    hits = list(queries.search(seed_corpus, "UBND tỉnh"))
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids))
    order = {"agency": 0, "document": 1, "indicator": 1, "task": 2, "target": 3, "citation": 4}
    ranks = [order[h.type] for h in hits]
    first = next(i for i, h in enumerate(hits) if fold(h.label).lower() != "uy ban nhan dan tinh")
    assert hits[0].type == "agency" and hits[0].label.lower() == "ủy ban nhân dân tỉnh"
    assert ranks[first:] == sorted(ranks[first:])
    assert all("ủy ban nhân dân tỉnh" in fold(h.snippet).replace("uy ban nhan dan tinh", "ủy ban nhân dân tỉnh")
               or "ubnd tinh" in fold(h.snippet) for h in hits)


# --- one snapshot per question ----------------------------------------------------------------

def test_a_question_reads_one_snapshot_while_a_build_commits(seed_export: dict, tmp_path: Path) -> None:
    """A snapshot keeps seeing the data it started with while a writer replaces a document; the
    next snapshot sees the new data, and what was derived from the old is not reused."""
    from cchc_graph.graph.questions.index import agency_keys

    path = tmp_path / db.DB_NAME
    writer = db.connect(path)
    with db.transaction(writer):
        db.write_export(writer, seed_export, agency_keys(seed_export["agencies"]))
        writer.execute("INSERT INTO meta (name, value) VALUES ('version', 'v1')")
    database = Database(path)
    gone = seed_export["documents"][0]["id"]
    with database.snapshot() as before:
        assert gone in before.documents
        metrics = cascade.metrics(before)
        with db.transaction(writer):  # WAL: the writer does not wait for the reader
            writer.execute("DELETE FROM documents WHERE id = ?", (gone,))
            writer.execute("DELETE FROM tasks WHERE doc = ?", (gone,))
            writer.execute("DELETE FROM targets WHERE doc = ?", (gone,))
            writer.execute("UPDATE meta SET value = 'v2' WHERE name = 'version'")  # as each build does
        assert gone in before.documents and cascade.metrics(before) is metrics
        assert len(list(before.tasks)) == len(seed_export["tasks"])
    with database.snapshot() as after:
        assert gone not in after.documents
        assert cascade.metrics(after) is not metrics
        assert len(list(after.tasks)) < len(seed_export["tasks"])
