"""What a new store's dictionaries are made from: documents spread over the corpus, not its
first files (which, listed by name, are often variants of one document)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store.build import Store
from conftest import EXAMPLES


@pytest.mark.parametrize(("n", "k", "first"), [
    (0, 4, []),
    (3, 4, [0, 1, 2]),  # fewer than k: all, in order
    (4, 4, [0, 1, 2, 3]),
    (10, 4, [0, 2, 5, 7]),  # i * n // k
    (100, 4, [0, 25, 50, 75]),
])
def test_spread_takes_k_documents_evenly_then_the_others_in_order(n: int, k: int, first: list[int]) -> None:
    order = db.spread(n, k)
    assert order[:len(first)] == first
    assert sorted(order) == list(range(n))  # every document once
    rest = order[len(first):]
    assert rest == sorted(rest)


def test_a_new_stores_dictionaries_are_made_from_documents_spread_over_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 files: the first 32 by name leave the last 8 out; a spread sample takes some of them."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    examples = sorted(EXAMPLES.glob("*.md")) + sorted(EXAMPLES.glob("*.txt"))
    assert examples
    for i in range(40):
        src = examples[i % len(examples)]
        shutil.copy(src, corpus / f"{i:02d}-{src.name}")
    trained: dict[str, list[bytes]] = {}
    real_train = db.train

    def train(conn, table, samples):  # type: ignore[no-untyped-def]
        trained.setdefault(table, list(samples))
        return real_train(conn, table, samples)

    monkeypatch.setattr(db, "train", train)
    Store(tmp_path / "store").build([corpus])
    conn = sqlite3.connect(tmp_path / "store" / "cchc.sqlite")
    try:
        late = [doc for doc, path in conn.execute("SELECT doc, source_path FROM sources")
                if int(Path(path).name[:2]) >= 32]
    finally:
        conn.close()
    assert len(late) == 8
    sampled = b"".join(trained["tasks"]).decode()
    assert any(f'"document":"{d}"' in sampled for d in late)
