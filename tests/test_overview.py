"""Browsing a large store: labels people can tell apart, and the overview that replaces the
hairball (places with their documents, lines between places, documents on demand)."""

from __future__ import annotations

import copy
import json
import re

import pytest
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.questions.labels import document_labels
from cchc_graph.visualizations import overview
from cchc_graph.visualizations.html import LABEL_MIN_PX, graph_data, graph_html
from cchc_graph.visualizations.view import ViewSpec, select

HG_RESOLUTION = "000_def938038e5dae73"
TUAN_GIAO = "001_ee741e6811c4e2db"
VI_THANH_PLAN = "002_0387e2864a5773df"


def test_seed_labels_carry_type_number_or_date_and_place(seed_corpus) -> None:
    labels = document_labels(seed_corpus)
    assert labels[HG_RESOLUTION] == "NQ 03-NQ/TU · Hậu Giang"  # the number 002 cites it by
    assert labels[TUAN_GIAO] == "NQ 24/3/2022 · Tuần Giáo"  # no number printed: its date
    assert labels[VI_THANH_PLAN] == "KH 2021–2025 · Vị Thanh"  # undated: its period
    shown = [labels[d] for d in seed_corpus.documents]
    assert len(set(shown)) == len(shown)  # three resolutions on CCHC no longer read alike


def test_colliding_labels_get_a_distinguishing_suffix(seed_export: dict) -> None:
    """Two plans with the same number in the same place (numbers are unique per issuer only)."""
    export = copy.deepcopy(seed_export)
    a, b = (d for d in export["documents"] if d["id"] in (HG_RESOLUTION, VI_THANH_PLAN))
    for d, day in ((a, "2021-03-05"), (b, "2022-07-01")):
        d.update(number="12/KH-UBND", type="ke_hoach", jurisdiction="vn-hau-giang", date=day)
    labels = document_labels(Corpus.from_export(export))
    assert labels[HG_RESOLUTION] == "KH 12/KH-UBND · Hậu Giang (5/3/2021)"
    assert labels[VI_THANH_PLAN] == "KH 12/KH-UBND · Hậu Giang (1/7/2022)"
    b["date"] = a["date"]  # same day too: the id tells them apart
    labels = document_labels(Corpus.from_export(export))
    assert labels[HG_RESOLUTION].endswith("(000)") and labels[VI_THANH_PLAN].endswith("(002)")


def test_graph_page_labels_and_tooltips(seed_corpus) -> None:
    view = select(seed_corpus, ViewSpec())
    doc = next(n for n in view.nodes if n.id == VI_THANH_PLAN)
    assert doc.label.replace("\n", " ") == "KH 2021–2025 · Vị Thanh"
    assert "Tổng thể Cải cách hành chính nhà nước thành phố Vị Thanh" in doc.tooltip  # the title
    data = graph_data(view)
    assert data["options"]["nodes"]["scaling"]["label"]["drawThreshold"] == LABEL_MIN_PX  # not drawn tiny


@pytest.fixture
def small_overview(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeds stand for a large store: the overview from two documents and ten nodes."""
    monkeypatch.setattr(overview, "OVERVIEW_DOCS", 2)


def test_overview_counts_documents_per_place(seed_corpus, small_overview) -> None:
    view = select(seed_corpus, ViewSpec(max_nodes=10))
    assert view.overview is not None and {n.kind for n in view.nodes} <= {"jurisdiction", "reference"}
    places = {p["name"]: p for p in view.overview.places}
    # Hậu Giang: its resolution and the Vị Thanh plan (a city of the province); the plan
    # implements the resolution, a citation inside the place
    assert places["Hậu Giang"]["count"] == 2 and places["Hậu Giang"]["inside"] >= 1
    assert {"Điện Biên", "Quảng Trị", "Hà Tĩnh"} <= set(places)
    assert sum(p["count"] for p in places.values()) == len(seed_corpus.documents)
    rows = {r[0]: r for r in view.overview.documents}
    plan = view.overview.documents.index(rows[VI_THANH_PLAN])
    resolution = view.overview.documents.index(rows[HG_RESOLUTION])
    # the plan rests on the resolution (its "Căn cứ" names it)
    assert [(a, b) for a, b, rel in view.overview.citations if rel in ("implements", "based_on")] == [
        (plan, resolution)]
    assert rows[VI_THANH_PLAN][1] == "KH 2021–2025 · Vị Thanh"
    assert "quá" not in " ".join(view.notes) and "Bấm đúp một địa bàn" in view.notes[0]


def test_overview_page_holds_no_agencies_or_tasks(seed_corpus, small_overview) -> None:
    view = select(seed_corpus, ViewSpec(max_nodes=10))
    html = graph_html(view)
    data = json.loads(re.search(r'<script id="cchc-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["reserve"] == {"nodes": [], "edges": []}  # the documents come from the table
    assert not any(k.startswith(("ag:", "task:", "tgt:")) for k in data["info"])
    assert "Hậu Giang" in html  # UTF-8, not \\u escapes


def test_small_store_keeps_the_detailed_page(seed_corpus) -> None:
    assert select(seed_corpus, ViewSpec(max_nodes=150)).overview is None  # five documents


def test_documents_without_a_place_are_not_called_national(seed_export: dict, small_overview) -> None:
    export = copy.deepcopy(seed_export)
    for d in export["documents"]:
        if d["id"] == TUAN_GIAO:
            d["jurisdiction"] = None
    view = select(Corpus.from_export(export), ViewSpec(max_nodes=10))
    names = {p["name"]: p["count"] for p in view.overview.places}
    assert names["Không rõ địa bàn"] == 1 and "Trung ương" not in names


def test_one_province_is_shown_by_district(seed_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "OVERVIEW_DOCS", 1)
    view = select(seed_corpus, ViewSpec(jurisdiction="Hậu Giang", max_nodes=10))
    # the province's own resolution, and the plan of Vị Thanh (a city in it)
    assert {p["name"]: p["count"] for p in view.overview.places} == {"Hậu Giang": 1, "Vị Thanh": 1}


def test_aggregated_page_counts_agree(seed_corpus) -> None:
    """The note's hidden count is what the page holds to expand; kinds left out are not said to
    be switched off (there is nothing in the page to switch on)."""
    view = select(seed_corpus, ViewSpec(max_nodes=150))
    assert f"{len(view.reserve_nodes):,} nút ẩn" in view.notes[0]
    assert any(n.startswith("Không có trong trang") and "địa bàn" in n for n in view.notes)
    assert not any("Đang tắt" in n for n in view.notes)


def test_agencies_of_one_name_are_told_apart_by_place(seed_corpus) -> None:
    view = select(seed_corpus, ViewSpec())
    labels = [n.label for n in view.nodes if n.kind == "agency"]
    assert len(labels) == len(set(labels))
    # two provincial propaganda boards: Hậu Giang's and Hà Tĩnh's
    boards = {x for x in labels if x.startswith("Ban Tuyên giáo Tỉnh ủy")}
    assert boards == {"Ban Tuyên giáo Tỉnh ủy\n(Hậu Giang)", "Ban Tuyên giáo Tỉnh ủy\n(Hà Tĩnh)"}


def test_a_province_and_its_city_of_one_name_are_told_apart(seed_export: dict,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "OVERVIEW_DOCS", 1)
    export = copy.deepcopy(seed_export)
    export["jurisdictions"] += [
        {"id": "vn-ha-giang", "name": "tỉnh Hà Giang", "level": "province", "parent": "vn"},
        {"id": "vn-ha-giang-ha-giang", "name": "thành phố Hà Giang", "level": "district",
         "parent": "vn-ha-giang"}]
    for d in export["documents"]:
        d["jurisdiction"] = {HG_RESOLUTION: "vn-ha-giang", VI_THANH_PLAN: "vn-ha-giang-ha-giang"}.get(
            d["id"], d["jurisdiction"])
    view = select(Corpus.from_export(export), ViewSpec(documents=(HG_RESOLUTION, VI_THANH_PLAN), max_nodes=10))
    assert {p["name"] for p in view.overview.places} == {"tỉnh Hà Giang", "thành phố Hà Giang"}



def test_overview_is_the_same_whatever_order_the_documents_come_in(seed_export: dict) -> None:
    """The page must not change between runs: places, documents and lines in one order."""
    export = copy.deepcopy(seed_export)
    ids = [d["id"] for d in export["documents"]]
    for c in export["citations"]:  # every document cites the next one: several lines to order
        if c["document"] in ids:
            nxt = ids[(ids.index(c["document"]) + 1) % len(ids)]
            c["resolves_to"] = c["ref"] = nxt
    corpus = Corpus.from_export(export)
    first = overview.build(corpus, ids)
    again = overview.build(corpus, ids[::-1])
    assert len(first.citations) >= 2
    assert (first.places, first.documents, first.citations, first.links) == \
           (again.places, again.documents, again.citations, again.links)
