"""The phrase index (FTS5) finds what a regex per record finds; large answers are built lazily
in the order their eager definitions give."""

from __future__ import annotations

import pytest
from cchc_graph.graph.questions import cascade, queries, trace
from cchc_graph.graph.questions.index import ROLES, Corpus, Lazy
from cchc_graph.graph.questions.phrases import TextTable, phrase_words, scan_only
from cchc_graph.graph.questions.queries import _phrase_rx
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
]


@pytest.mark.parametrize(("phrase", "expected"), CASES)
@pytest.mark.parametrize("index", ["fts", "scan"])
def test_phrase_lookup_finds_what_a_regex_per_record_finds(phrase: str, expected: list[int], index: str) -> None:
    rx = _phrase_rx(phrase)
    per_record = [i for i, t in enumerate(TEXTS) if rx.search(fold(t))]
    assert per_record == expected  # the table above is right about the regex
    table = TextTable(TEXTS) if index == "fts" else TextTable(TEXTS, index=scan_only)
    assert table.matched((rx,)) == expected


def test_without_fts5_every_phrase_is_scanned(monkeypatch: pytest.MonkeyPatch) -> None:
    """An SQLite built without FTS5 (here: a tokenizer it does not know) fails to create the
    index; the table then scans, with the same answers."""
    monkeypatch.setattr("cchc_graph.graph.questions.phrases._TOKENIZER", "no_such_tokenizer")
    table = TextTable(TEXTS)
    for phrase, expected in CASES:
        assert table.matched((_phrase_rx(phrase),)) == expected, phrase
    assert table._indexed and table._index is None


def test_a_hit_the_regex_would_not_find_still_gets_a_snippet() -> None:
    """FTS5 reads the long s (ſ) as s where fold keeps it: the hit is listed, with the text."""
    c = Corpus({"tasks": [{"id": "t1", "document": "d", "text": "Kiểm ſoát thủ tục", "title": "",
                           "provenance": {"document": "d", "section": "", "start": 0, "end": 17,
                                          "quote": "Kiểm ſoát thủ tục"}}]})
    hits = list(queries.search(c, "kiểm soát"))
    assert [(h.id, h.snippet) for h in hits] == [("t1", "Kiểm ſoát thủ tục")]


def test_only_plain_phrases_go_to_the_index() -> None:
    assert phrase_words(_phrase_rx("Tuyên truyền")) == ["tuyen", "truyen"]
    assert phrase_words(_phrase_rx("95%")) == []  # % is no word character: scanned


def test_two_patterns_find_the_union_once() -> None:
    table = TextTable(TEXTS)
    assert table.matched((_phrase_rx("nội vụ"), _phrase_rx("tuyên truyền"))) == [0, 1, 2]


def test_lazy_answers_build_only_what_is_read() -> None:
    built: list[int] = []

    def build(k: int) -> str:
        built.append(k)
        return f"answer {k}"

    answers = Lazy(list(range(1000)), build)
    assert len(answers) == 1000 and built == []
    assert answers[10:12] == ["answer 10", "answer 11"] and answers[-1] == "answer 999"
    assert built == [10, 11, 999]
    assert list(Lazy([3, 1], build)) == ["answer 3", "answer 1"]


# --- the lazy questions give the answers of their eager definitions --------------------------

@pytest.mark.parametrize("phrase", ["cải cách", "tuyên truyền", "thủ tục hành chính", "Nội vụ"])
def test_who_leads_is_every_matching_task_led_first(seed_corpus: Corpus, phrase: str) -> None:
    rx = _phrase_rx(phrase)
    tasks = [t for t in seed_corpus.tasks.values() if rx.search(fold(t["text"]))]
    led = {r["task"] for r in seed_corpus.responsibilities if r["role"] == "lead"}
    tasks.sort(key=lambda t: (t["id"] not in led, t["document"], t["provenance"]["start"]))
    assert [a.task for a in queries.who_leads(seed_corpus, phrase)] == [t["id"] for t in tasks]


@pytest.mark.parametrize("name", ["Phòng Nội vụ", "Phòng Tư pháp", "Phòng"])
def test_agency_roles_are_ordered_by_role_then_document(own_corpus: Corpus, name: str) -> None:
    rows = list(queries.agency_roles(own_corpus, name))
    aids = set(own_corpus.find_agencies(name))
    expected = [r for r in own_corpus.responsibilities if r["agency"] in aids]
    assert len(rows) == len(expected) > 0
    keys = [(ROLES.index(r.role), r.document.id, r.provenance.start) for r in rows]
    assert keys == sorted(keys)
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


def test_prepare_builds_every_index_the_questions_read(own_store) -> None:
    from cchc_graph.graph.questions import audit
    from cchc_graph.graph.questions.backend import prepare
    from cchc_graph.graph.store.build import Store

    c = Corpus(Store(own_store).load_export())
    assert not c.memo
    prepare(c)
    built = set(c.memo)
    assert "adjacency" in vars(c) and "graph" not in vars(c)  # edges by node, no networkx graph
    docs = sorted(c.documents)
    assert trace.dependencies(c, docs[0])[1]  # what rests on a document: its tasks at least
    trace.path(c, docs[0], docs[-1])
    assert list(queries.who_leads(c, "tuyên truyền")) and list(queries.search(c, "nội vụ"))
    assert list(queries.agency_roles(c, "Phòng Nội vụ")) and list(trace.cited_by(c, "07-NQ/TU", depth=2))
    assert list(cascade.compare(c, cascade.metrics(c)[0].key))
    audit.audit(c)
    assert set(c.memo) == built  # nothing was left for a question to build
    assert all(c.text_table(t)[0]._indexed for t in ("tasks", "targets", "citations"))


def test_the_api_prepares_each_corpus_it_reads(own_store) -> None:
    from cchc_graph.api.deps import LiveCorpus
    from cchc_graph.graph.store.build import Store

    live = LiveCorpus(Store(own_store))
    c = live.get()
    assert live.preparing is not None
    live.preparing.join(timeout=60)
    assert ("texts", "tasks") in c.memo and "task_rank" in c.memo
