"""Quotes kept as spans of their document's stored text (``codec.elide``): what is stored, what
is read back, and what a changed document, a reader without its store, or a damaged store get."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import cchc_graph
import orjson
import pytest
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store.build import Store

TEXT = "Mở đầu.\nSở Nội vụ chủ trì rà soát thủ tục.\nHết."
SENTENCE = "Sở Nội vụ chủ trì rà soát thủ tục."
AT = TEXT.index(SENTENCE)


def _record(quote: Any = SENTENCE, document: str = "d1", start: int = AT, text: Any = SENTENCE,
            title: Any = "Sở Nội vụ chủ trì …") -> dict[str, Any]:
    return {"id": "task:d1:1", "title": title, "text": text, "document": "d1",
            "provenance": {"document": document, "section": "I", "start": start, "end": start + len(SENTENCE),
                           "quote": quote, "line": 2}}


@pytest.mark.parametrize(("rec", "text", "title"), [
    # the quote at its span: the text equal to it 0, the title a part of it (and its ending)
    (_record(), 0, [0, 17, " …"]),
    (_record(text="Rà soát thủ tục.", title="chủ trì rà soát"), "Rà soát thủ tục.", [10, 25]),
    (_record(title=SENTENCE), 0, 0),
    (_record(title="Cải cách hành chính"), 0, "Cải cách hành chính"),  # not of the quote: kept
    (_record(title=None), 0, None),
    (_record(title=""), 0, [0, 0]),
    # kept whole: a quote that is not the text at its span, one of another document, none
    (_record(start=AT + 1), None, None),
    (_record(document="d2"), None, None),
    (_record(quote=None), None, None),
    (_record(quote=""), None, None),
    (_record(text=0), None, None),  # (a field that would read as a part of the quote)
    ({"id": "x", "provenance": None}, None, None),
    ({"id": "x"}, None, None),
])
def test_elide_keeps_a_quote_as_its_span_only_where_it_is_that_span(rec: dict, text: Any, title: Any) -> None:
    key = db.text_key(TEXT.encode())
    out = db.elide(rec, "d1", TEXT, key)
    if text is None:
        assert out is rec
        return
    assert list(out) == [*rec, "~"] and out["~"] == key  # (the fields in their order: the export's)
    assert list(out["provenance"]) == list(rec["provenance"]) and out["provenance"]["quote"] == 0
    assert (out["text"], out["title"]) == (text, title)
    assert rec["provenance"]["quote"] == SENTENCE  # (the record given is left as it was)


def test_text_keys_tell_versions_of_a_text_apart() -> None:
    raw = TEXT.encode()
    assert db.text_key(raw) == db.text_key(bytes(raw))
    # another length, or the same length and other bytes
    assert len({db.text_key(raw), db.text_key(raw + b"!"), db.text_key(raw.replace("Hết.".encode(), "Hết!".encode()))}) == 3


def _plan(tmp_path: Path, before: str, task: str) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)
    (folder / "ke-hoach.md").write_text(
        "**ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG**\n\nSố: 12/KH-UBND\n\n*Lâm Đồng, ngày 3 tháng 2 năm 2024*\n\n"
        f"# KẾ HOẠCH\n\n**Cải cách hành chính năm 2024**\n\n{before}## I. NHIỆM VỤ\n\n"
        f"1. Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ {task} trước ngày 30/6/2024.\n\n"
        "2. Văn phòng Ủy ban nhân dân tỉnh chủ trì kiểm soát thủ tục hành chính.\n", encoding="utf-8")
    return folder


def _quotes(store: Path) -> list[tuple[str, str, str]]:
    """Every task's, responsibility's and target's quote as read, with the text at its span."""
    conn = db.connect(store / db.DB_NAME, readonly=True)
    try:
        texts = {d: db.unpack_text(t, conn) for d, t in conn.execute("SELECT doc, text FROM sources")}
        return [(table, p["quote"], texts[p["document"]][p["start"]:p["end"]])
                for table in db.QUOTED for p in (r["provenance"] for r in db.records(conn, table))]
    finally:
        conn.close()


def test_a_changed_document_is_quoted_from_its_new_text_by_a_reader_that_read_the_old(tmp_path: Path) -> None:
    """Spans move when a document changes: the next build (another process, which never read
    the old text) forgets the old rows, the full-text index the old sentence (its rows told
    apart by the old text); a process that read the old version's quotes (its text held) reads
    the new version's."""
    store = tmp_path / "store"
    folder = _plan(tmp_path, "", "rà soát quy trình nội bộ")
    Store(store).build([folder])
    old = _quotes(store)
    assert old and all(quote == at for _, quote, at in old)
    assert any("rà soát quy trình nội bộ" in q for _, q, _ in old)
    _plan(tmp_path, "Căn cứ tình hình thực tế của địa phương.\n\n", "số hóa hồ sơ lưu trữ")
    subprocess.run([sys.executable, "-m", "cchc_graph.api.cli", "build", str(folder), "--store", str(store)],
                   capture_output=True, check=True)
    new = _quotes(store)
    assert len(new) == len(old) and all(quote == at for _, quote, at in new)
    assert any("số hóa hồ sơ lưu trữ" in q for _, q, _ in new)
    assert not any("rà soát quy trình nội bộ" in q for _, q, _ in new)
    with cchc_graph.open(store) as g:
        assert [h for h in g.search("quy trình nội bộ") if h.type == "task"] == []
        assert [h for h in g.search("hồ sơ lưu trữ") if h.type == "task"]


def _first_elided(store: Path) -> bytes:
    conn = db.connect(store / db.DB_NAME)
    try:
        blob = conn.execute("SELECT rec FROM responsibilities ORDER BY rowid LIMIT 1").fetchone()[0]
        db.learn(conn)
        assert orjson.loads(db.unpack(blob))["provenance"]["quote"] == 0
        return blob
    finally:
        conn.close()


def test_a_quote_read_without_its_store_or_from_a_damaged_one_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    Store(store).build([_plan(tmp_path, "", "chuẩn hóa biểu mẫu")])
    damaged = tmp_path / "damaged"
    shutil.copytree(store, damaged)
    conn = db.connect(damaged / db.DB_NAME)
    with db.transaction(conn):  # (another version of the text: the records quote the one they were made from)
        conn.execute("UPDATE sources SET text = ?", (db.pack_text("Một văn bản khác.", conn),))
    blob = _first_elided(damaged)
    with pytest.raises(LookupError, match="ke_hoach: a record quoting the document's text, read without its store"):
        db.decode(blob)
    with pytest.raises(LookupError, match="ke_hoach: a record quoting a version of the document's text the store "
                                          "does not hold"):
        db.decode(blob, conn)
    conn.close()
