"""The store never loses what it holds: failed files, empty builds, locks, versions, kill -9,
readers during writes, the earlier file layout."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import cchc_graph
import orjson
import pytest
import zstandard
from cchc_graph.api.cli import cli
from cchc_graph.graph.store import parallel
from cchc_graph.graph.store.build import SOURCES, Store, StoreError, input_files
from cchc_graph.loaders.model import SCHEMA_VERSION
from click.testing import CliRunner
from conftest import EXAMPLES, SEEDS

from tests.test_windows import without_indexes


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    return corpus


def _docs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.md") if p.stem != "README")


def _digest(store: Path) -> str:
    return hashlib.sha256(json.dumps(Store(store).read_export(), sort_keys=True).encode()).hexdigest()


def _sql(store: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on the store's file (committed at once)."""
    conn = sqlite3.connect(store / "cchc.sqlite", isolation_level=None)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_a_file_that_breaks_keeps_its_stored_version(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    assert Store(store).build([corpus]).loaded
    before = Store(store).read_export()
    victim = _docs(corpus)[0]
    victim.write_bytes(b"\x00\x01binary now" * 10)
    report = Store(store).build([corpus])
    assert report.kept == [str(victim)] and not report.written  # the others unchanged: nothing to write
    assert report.skipped == [(str(victim), "content is binary content, not a text document; "
                                            "the version already stored is kept")]
    after = Store(store).read_export()
    assert [d["id"] for d in after["documents"]] == [d["id"] for d in before["documents"]]
    assert len(after["tasks"]) == len(before["tasks"])


def test_a_build_where_nothing_loads_changes_nothing(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    version, before = Store(store).version(), _digest(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    r = CliRunner().invoke(cli, ["build", str(bad), "--store", str(store)])
    assert r.exit_code == 2
    assert "left unchanged" in r.output and "empty file" in r.stderr
    assert Store(store).version() == version and _digest(store) == before
    r = CliRunner().invoke(cli, ["build", str(bad), "--store", str(tmp_path / "new")])
    assert r.exit_code == 2 and not Store(tmp_path / "new").exists()  # no store made of nothing


def test_a_second_build_waits_or_fails_on_the_lock(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), Store(tmp_path / "store")
    store.build([corpus])
    with store.lock():
        with pytest.raises(StoreError, match="another build is writing this store"):
            Store(store.root).build([corpus])
        r = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store.root)])
        assert r.exit_code == 3 and "another build" in r.stderr
    held = threading.Event()

    def hold() -> None:
        with store.lock():
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=hold)
    t.start()
    held.wait()
    (corpus / "new.md").write_text(_docs(corpus)[0].read_text(encoding="utf-8"), encoding="utf-8")
    report = Store(store.root).build([corpus], wait_s=10)  # waits for the holder, then builds
    t.join()
    assert report.written and report.cached and report.loaded == [str(corpus / "new.md")]


def test_store_of_another_schema_says_how_to_migrate(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    expected = _digest(store)
    _sql(store, "UPDATE meta SET value = ? WHERE name = 'schema'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreError, match="newer cchc"):
        Store(store).read_export()
    r = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store)])
    assert r.exit_code == 3 and "upgrade cchc-graph" in r.stderr
    _sql(store, "UPDATE meta SET value = '0' WHERE name = 'schema'")
    r = CliRunner().invoke(cli, ["stats", "--store", str(store)])
    assert r.exit_code == 3 and f"cchc rebuild --store {store}" in r.stderr
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["loaded"]) == len(_docs(corpus))
    assert _digest(store) == expected


def _earlier_layout(store: Path, sources: list[Path]) -> None:
    """A store as the file layout before SQLite left it: a manifest naming each document's
    source, facts and graph files (their content does not matter: only the sources are read)."""
    from cchc_graph.loaders.pipeline import doc_id_for

    (store / "facts").mkdir(parents=True)
    (store / "graphs").mkdir()
    (store / "graphs" / "links-0123.marshal").write_bytes(b"\x00")
    documents = {}
    for p in sources:
        name = f"{doc_id_for(p)}-0123-v1.json"
        (store / "facts" / name).write_text("{}")
        documents[doc_id_for(p)] = {"source_path": str(p), "sha256": "0" * 64, "facts": name}
    (store / "manifest.json").write_text(json.dumps({"schema_version": 1, "store_version": 3,
                                                     "graph": {}, "documents": documents}))


def test_a_store_of_the_earlier_file_layout_is_imported_by_rebuild(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(tmp_path / "fresh").build([corpus])
    expected = _digest(tmp_path / "fresh")
    _earlier_layout(store, _docs(corpus))
    hint = f"earlier file layout (manifest.json); import it once with 'cchc rebuild --store {store}'"
    for args in (["stats"], ["build", str(corpus)], ["who-leads", "một cửa"]):
        r = CliRunner().invoke(cli, [*args, "--store", str(store)])
        assert r.exit_code == 3 and hint in r.stderr, (args, r.output)
    assert Store(store).exists() and Store(store).sources() == sorted(str(p) for p in _docs(corpus))
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["loaded"]) == len(_docs(corpus))
    assert _digest(store) == expected
    assert not {p.name for p in store.iterdir()} & {"manifest.json", "facts", "graphs"}  # imported: gone


def test_damaged_store_files_get_a_clear_message(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    doc = _sql(store, "SELECT doc FROM sources LIMIT 1")[0][0]
    with cchc_graph.open(store) as g:
        text = g.text(doc).text
    # not zstd; not UTF-8; a record of a dictionary the store does not have; its own dictionary's, cut short
    blob = _sql(store, "SELECT text FROM sources WHERE doc = ?", (doc,))[0][0]
    for damaged in (zlib.compress(text.encode()), zstandard.compress(b"\xff" + text.encode()),
                    b"\x01\xde\xad\xbe\xef" + blob[5:], blob[:len(blob) // 2]):
        _sql(store, "UPDATE sources SET text = ? WHERE doc = ?", (damaged, doc))
        r = CliRunner().invoke(cli, ["text", doc, "--store", str(store)])
        assert r.exit_code == 3 and not r.stdout
        assert f"the stored text of {doc} is unreadable" in r.stderr and "'cchc rebuild' reads its file" in r.stderr
    (store / "cchc.sqlite").write_bytes(b"not a database" * 1000)
    r = CliRunner().invoke(cli, ["stats", "--store", str(store)])
    assert r.exit_code == 3 and "cchc.sqlite: unreadable store" in r.stderr


def test_changed_file_is_reextracted_and_old_facts_collected(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nVăn phòng UBND tỉnh chủ trì tổng hợp.\n",
                   encoding="utf-8")
    derived = Store(store).derived_path(f"{Store(store).graph_version}.nt")
    derived.parent.mkdir()
    derived.write_text("made from this version of the graph")
    report = Store(store).build([corpus])
    assert report.loaded == [str(doc)]
    sha = hashlib.sha256(doc.read_bytes()).hexdigest()
    assert _sql(store, "SELECT sha256 FROM sources WHERE source_path = ?", (str(doc),)) == [(sha,)]
    assert _sql(store, "SELECT count(*) FROM sources")[0][0] == len(_docs(corpus))
    assert not derived.exists()  # files made from the older graph go with it


def test_the_store_keeps_each_documents_normalized_text(tmp_path: Path) -> None:
    """Of a document's facts the store keeps the normalized text alone (the rest is in its
    rows), compressed, and reads it back equal (``Graph.text``)."""
    from cchc_graph.loaders.pipeline import doc_id_for, load_document

    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    with cchc_graph.open(store) as g:
        for doc in _docs(corpus):
            facts = load_document(doc)
            blob = _sql(store, "SELECT text FROM sources WHERE doc = ?", (doc_id_for(doc),))[0][0]
            # compressed with the store's dictionary of texts: smaller than a frame of its own
            assert blob[:1] == b"\x01" and len(blob) < len(zstandard.compress(facts.text.encode(), 3))
            assert g.text(doc_id_for(doc)).text == facts.text != ""
            number = g.corpus.documents[doc_id_for(doc)].get("number")
            if number:  # found as any question finds a document
                assert g.text(number).text == facts.text
        with pytest.raises(cchc_graph.NotFound, match="no document matches"):
            g.text("không có văn bản này")
    assert _sql(store, "SELECT name FROM dictionaries WHERE name = 'facts'") == []


def _orphan_workers() -> set[int]:
    """Worker processes (multiprocessing spawn) whose parent is gone (adopted by init)."""
    out = set()
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"spawn_main" in cmd and ppid == 1:
            out.add(int(proc.name))
    return out


@pytest.mark.skipif(not SEEDS.exists(), reason="seed corpus not found")
def test_build_killed_midway_leaves_the_previous_store(tmp_path: Path) -> None:
    """kill -9 a build at several moments; the store is always the old one or the new one."""
    store = tmp_path / "store"
    assert Store(store).build([EXAMPLES]).written
    old = _digest(store)
    big = tmp_path / "big"
    big.mkdir()
    for i in range(8):  # 40 documents: long enough to be caught in every phase
        for p in sorted(SEEDS.glob("*.txt")):
            shutil.copy(p, big / f"{i}_{p.name}")
    cmd = [sys.executable, "-m", "cchc_graph.api.cli", "build", str(big), "--store", str(store)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def run(kill_after: float | None) -> float:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill_after is None:
            assert proc.wait(timeout=300) == 0
        else:
            try:
                proc.wait(timeout=kill_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        return time.monotonic() - start

    orphans_before = _orphan_workers()
    t0 = time.monotonic()  # the same build into a scratch store: its result and its duration
    full = subprocess.run([*cmd[:-1], str(tmp_path / "scratch")], env=env, capture_output=True)
    run_time = time.monotonic() - t0
    assert full.returncode == 0, full.stderr
    new = _digest(tmp_path / "scratch")
    seen = set()
    for fraction in (0.1, 0.4, 0.7, 0.9, 0.97, 0.995):
        duration = run(run_time * fraction)
        state = _digest(store)  # loads: never half-written
        assert state in (old, new), f"killed after {duration:.2f}s: store is neither old nor new"
        seen.add("new" if state == new else "old")
        if state == new:
            break
    print(f"build {run_time:.2f}s; kills saw the {' and the '.join(sorted(seen))} store")
    assert "old" in seen  # at least one kill landed before the commit
    deadline = time.monotonic() + 5  # the killed builds' extraction workers exit with them
    while _orphan_workers() - orphans_before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _orphan_workers() - orphans_before
    run(None)
    assert _digest(store) == new


def test_rebuild_extracts_afresh_and_keeps_documents_whose_source_is_gone(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    expected = _digest(store)
    gone = _docs(corpus)[0]
    gone.unlink()
    report = Store(store).rebuild()
    assert report.cached == [] and len(report.loaded) == len(_docs(corpus))  # nothing reused
    assert report.kept == [str(gone)] and "No such file" in report.skipped[0][1]
    assert _digest(store) == expected  # the same graph: the gone document is still in it


def test_rebuild_refuses_a_store_of_a_newer_cchc(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    _sql(store, "PRAGMA user_version = 99")
    before = (store / "cchc.sqlite").read_bytes()
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(store)])
    assert r.exit_code == 3 and "newer cchc" in r.stderr
    assert (store / "cchc.sqlite").read_bytes() == before


def test_parallel_build_equals_the_in_process_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction in worker processes (≥ MIN_PARALLEL files) gives exactly the in-process graph."""

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(4):
        for p in sorted(SEEDS.glob("*.txt")):
            shutil.copy(p, corpus / f"{i}_{p.name}")
    (corpus / "broken.txt").write_bytes(b"")
    assert len(list(corpus.iterdir())) > parallel.MIN_PARALLEL
    a = Store(tmp_path / "a").build([corpus])
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10_000)
    b = Store(tmp_path / "b").build([corpus])
    assert a.loaded == b.loaded and a.skipped == b.skipped == [(str(corpus / "broken.txt"), "empty file")]
    assert Store(tmp_path / "a").load_export() == Store(tmp_path / "b").load_export()


def test_unchanged_files_are_not_reread_and_touched_ones_are_hashed(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    read: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: (read.append(p), real(p))[1])
    version, before = Store(store).version(), _digest(store)
    report = Store(store).build([corpus])
    assert not report.loaded and not [p for p in read if p.parent == corpus]  # size + mtime said so
    # nothing changed: nothing written, and the version stays (servers keep what they derived)
    assert not report.written and Store(store).version() == version and _digest(store) == before
    doc = _docs(corpus)[0]
    os.utime(doc, ns=(doc.stat().st_atime_ns, doc.stat().st_mtime_ns + 10**9))  # touched, same bytes
    report = Store(store).build([corpus])
    assert str(doc) in report.cached and doc in read  # hashed, found unchanged, not re-extracted
    assert _sql(store, "SELECT mtime_ns FROM sources WHERE source_path = ?", (str(doc),)) == [
        (doc.stat().st_mtime_ns,)]
    assert report.written  # (its new stamp)
    removed = _docs(corpus)[-1]
    removed.unlink()
    report = Store(store).build([corpus])
    assert report.written and report.documents == len(_docs(corpus))  # a file gone: written


def test_the_stored_files_are_checked_through_their_index(tmp_path: Path) -> None:
    """A build reads every stored file's row from ``sources_stamp`` (not the table, a page of
    facts a row); a store made before that index reads the same, and gets it at its next
    build that writes."""
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    assert "COVERING INDEX sources_stamp" in " ".join(r[3] for r in _sql(store, f"EXPLAIN QUERY PLAN {SOURCES}"))
    old = without_indexes(store, tmp_path, "sources_stamp")
    assert Store(old)._read_sources() == Store(store)._read_sources()
    assert not Store(old).build([corpus]).written  # nothing changed: the store left as it was
    assert not _sql(old, "SELECT 1 FROM sqlite_master WHERE name = 'sources_stamp'")
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nThêm một dòng.\n", encoding="utf-8")
    assert Store(old).build([corpus]).loaded == [str(doc)]
    assert _sql(old, "SELECT 1 FROM sqlite_master WHERE name = 'sources_stamp'") == [(1,)]


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_pauses_the_collector_and_leaves_it_as_it_was(tmp_path: Path, enabled: bool) -> None:
    """Paused while the build reads and writes (many records, no cycle), as it was after,
    whether the build succeeds or fails."""
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    during: list[bool] = []
    (gc.enable if enabled else gc.disable)()
    try:
        Store(store).build([corpus], progress=lambda done, total: during.append(gc.isenabled()))
        assert during and not any(during)
        assert gc.isenabled() is enabled
        with Store(store).lock(), pytest.raises(StoreError, match="another build"):
            Store(store).build([corpus])
        assert gc.isenabled() is enabled
        _docs(corpus)[0].write_text("Thêm một dòng.\n", encoding="utf-8")

        def stop(done: int, total: int) -> None:
            raise KeyboardInterrupt  # (the user stops it mid-way)

        with pytest.raises(KeyboardInterrupt):
            Store(store).build([corpus], progress=stop)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()


@pytest.mark.skipif(not SEEDS.exists(), reason="seed corpus not found")
def test_a_document_part_holds_each_repeated_text_once() -> None:
    """A task's text, its responsibilities' quotes and the sentence several targets share are
    one string in the part, so the part is sent once from the extraction worker (pickled)."""
    from cchc_graph.graph.store.linking import document_part
    from cchc_graph.loaders.pipeline import load_document

    seen: dict[str, set[int]] = {}

    def walk(o: object, key: str = "") -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, k)
        elif isinstance(o, list):
            for v in o:
                walk(v, key)
        elif isinstance(o, str) and key in ("text", "quote", "agency", "lead", "cooperating"):
            seen.setdefault(o, set()).add(id(o))

    for path in sorted(SEEDS.glob("*.txt"))[:5]:
        part = document_part(load_document(path))
        seen.clear()
        walk(part["body"])
        repeated = [s for s in seen if len(seen[s]) > 1]
        assert repeated == [], path.name
        body = part["body"]
        quotes = [r["provenance"]["quote"] for r in body["responsibilities"]]
        assert any(q in {t["text"] for t in body["tasks"]} for q in quotes)  # the case at stake


def test_readers_see_the_old_or_the_new_store_while_a_build_writes(tmp_path: Path) -> None:
    """Readers go on during a build (WAL): each read is a whole committed state."""
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    first = _docs(corpus)[:1]
    Store(store).build(first)
    old, v1 = _digest(store), Store(store).version()
    seen: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(_digest(store))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        Store(store).build([corpus])
    finally:
        done.set()
        reader.join()
    new = _digest(store)
    assert new != old and Store(store).version() not in (None, v1)
    assert seen and set(seen) <= {old, new}


def test_records_are_compressed_with_dictionaries_the_store_keeps(tmp_path: Path) -> None:
    from cchc_graph.graph.store import database as db

    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    dictionaries = _sql(store, "SELECT name, data FROM dictionaries ORDER BY name")
    assert {"tasks", "responsibilities", "edge_rows", "doc_agencies", "doc_keys"} <= {n for n, _ in dictionaries}
    blobs = [b for (b,) in _sql(store, "SELECT rec FROM tasks")]
    assert blobs and all(b[:1] == b"\x01" for b in blobs)
    conn = sqlite3.connect(store / "cchc.sqlite")
    try:
        texts = [db.unpack(b, conn) for b in blobs]
    finally:
        conn.close()
    assert sum(map(len, blobs)) < sum(map(len, texts)) / 2
    before = Store(store).read_export()
    victim = _docs(corpus)[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n- Bổ sung: rà soát danh mục.\n", encoding="utf-8")
    assert Store(store).build([corpus]).loaded == [str(victim)]
    # a later build compresses with the same dictionaries; a reader that has met none of them
    # (another process) finds each by the key its records carry
    assert _sql(store, "SELECT name, data FROM dictionaries ORDER BY name") == dictionaries
    db._KNOWN.clear()
    with pytest.raises(LookupError):
        db.decode(_sql(store, "SELECT rec FROM tasks LIMIT 1")[0][0])
    after = Store(store).read_export()
    assert after["documents"] != before["documents"] and after["tasks"] == before["tasks"]


@pytest.mark.parametrize("count, trained", [(3, False), (400, True)])
def test_a_dictionary_is_trained_when_there_are_records_enough(count: int, trained: bool) -> None:
    from cchc_graph.graph.store import database as db

    samples = [orjson.dumps({"id": f"task:{i}", "title": f"Rà soát thủ tục hành chính số {i}",
                             "provenance": {"document": f"doc-{i % 7}", "start": i * 31}})
               for i in range(count)]
    codec = db.Codec(db.make_dictionary(samples))
    assert codec.data.startswith(b"\x37\xa4\x30\xec") == trained  # zstd's dictionary magic
    # a record of the table, and one unlike any sample, come back as they went in
    for raw in (samples[-1], orjson.dumps({"tên": "Sở Nội vụ", "vai trò": ["chủ trì"] * 50})):
        blob = codec.pack(raw)
        assert blob[:5] == b"\x01" + codec.key and codec.unpack(blob) == raw
    assert len(codec.pack(samples[0])) < len(samples[0]) / 2


def test_records_decode_in_many_threads_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from cchc_graph.graph.store import database as db

    samples = [orjson.dumps({"id": i, "text": "kế hoạch cải cách hành chính " * (i % 5 + 1)}) for i in range(300)]
    codec = db.Codec(db.make_dictionary(samples))
    blobs = [codec.pack(s) for s in samples]
    with ThreadPoolExecutor(4) as pool:
        back = list(pool.map(lambda b: codec.unpack(b), blobs * 20))
    assert back == samples * 20


@pytest.mark.parametrize("top", [".", "./", "corpus", "corpus/", "./corpus"])
def test_input_files_are_spelled_as_paths_spell_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      top: str) -> None:
    """The files a build lists are named as ``Path`` names them (no "./", no trailing "/"),
    supported ones only, in path order: their stored source paths do not depend on how the
    folder was written."""
    monkeypatch.chdir(tmp_path)
    for name in ("corpus/b.txt", "corpus/a-b/c.md", "corpus/a/z.txt", "corpus/README.md", "corpus/x.bin",
                 "corpus/.hidden.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = input_files([top, "corpus/b.txt"])
    assert [name for name, _ in found] == ["corpus/a/z.txt", "corpus/a-b/c.md", "corpus/b.txt", "corpus/b.txt"]
    # each found file's status, read while listing (one named directly is read later)
    assert [st.st_size if st else None for _, st in found] == [1, 1, 1, None]


def test_a_build_makes_the_indexes_added_to_the_schema_since_the_store_was_made(tmp_path: Path) -> None:
    """A store of this schema made before an index was added gets it at its next build (the
    linked names are then rewritten without a scan of every name); its graph is unchanged."""
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    _sql(store, "DROP INDEX names_linked")
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\n- Bổ sung: rà soát quy trình nội bộ.\n", encoding="utf-8")
    assert Store(store).build([corpus]).loaded == [str(doc)]
    assert _sql(store, "SELECT name FROM sqlite_master WHERE name = 'names_linked'") == [("names_linked",)]
    plan = _sql(store, "EXPLAIN QUERY PLAN SELECT rowid FROM names WHERE grp = 0 AND doc IS NULL AND node = 'x'")
    assert "names_linked" in str(plan)
    Store(tmp_path / "fresh").build([corpus])
    assert _digest(store) == _digest(tmp_path / "fresh")


def test_linked_rows_are_compressed_once_there_are_enough_to_learn_from(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The agencies, references … linking makes are compressed like the documents' rows once a
    table has enough of them to make its dictionary from (fewer stay plain JSON); a store with
    plain linked rows (as before) reads and changes the same."""
    from cchc_graph.graph.store import database

    corpus, store, plain = _corpus(tmp_path), tmp_path / "store", tmp_path / "plain"
    monkeypatch.setattr(database, "MIN_SAMPLES", 4)  # the bundled examples name ~20 agencies
    Store(store).build([corpus])
    linked = [r for (r,) in _sql(store, "SELECT rec FROM agencies WHERE doc IS NULL")]
    assert len(linked) >= 4 and all(r[:1] == b"\x01" for r in linked)
    assert all(r[:1] == b"{" for (r,) in _sql(store, "SELECT rec FROM indicators WHERE doc IS NULL"))  # too few
    monkeypatch.setattr(database, "MIN_SAMPLES", 10**9)
    Store(plain).build([corpus])
    assert all(r[:1] == b"{" for (r,) in _sql(plain, "SELECT rec FROM agencies WHERE doc IS NULL"))
    assert Store(store).read_export() == Store(plain).read_export()
    # a change adding an agency and naming known ones again: rows inserted and rewritten
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nSở Khoa học và Công nghệ chủ trì, phối hợp với Sở Nội vụ "
                   "kiểm tra việc số hóa hồ sơ trước ngày 30/9/2025.\n", encoding="utf-8")
    for s in (store, plain):
        assert len(Store(s).build([corpus]).loaded) == 1
    fresh = tmp_path / "fresh"
    Store(fresh).build([corpus])
    assert Store(store).read_export() == Store(plain).read_export() == Store(fresh).read_export()
    assert any("khoa-hoc-va-cong-nghe" in a["id"] for a in Store(store).read_export()["agencies"])


def test_a_new_store_file_is_made_of_large_pages_and_compacted(tmp_path: Path) -> None:
    """A store made from nothing: pages of ``PAGE_SIZE``, none free and none part-empty from the
    order its rows came in (vacuumed before it was put in place: a vacuumed copy is no
    smaller); no FTS5 table keeps its texts' sizes (read only by bm25)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from cchc_graph.graph.store.database import DB_NAME, PAGE_SIZE
    from synth import generate

    generate(tmp_path / "docs", 60, seed=3)  # (enough rows that some b-trees split pages)
    Store(tmp_path / "store").build([tmp_path / "docs"])
    conn = sqlite3.connect(f"file:{tmp_path / 'store' / DB_NAME}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)
        assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)
        conn.execute(f"VACUUM INTO '{tmp_path / 'copy.sqlite'}'")
        pages = conn.execute("PRAGMA page_count").fetchone()
        assert sqlite3.connect(tmp_path / "copy.sqlite").execute("PRAGMA page_count").fetchone() == pages
        assert conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'fts%docsize'").fetchall() == []
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'fts%data'").fetchone()[0] == 4
    finally:
        conn.close()


def test_a_new_store_that_cannot_be_compacted_is_put_in_place_as_written(tmp_path: Path, monkeypatch) -> None:
    """When the compacted copy of a new store cannot be written (no room for a second file),
    the build puts the file it wrote in place: the same answers, nothing left beside it."""
    from cchc_graph.graph.store import write
    from cchc_graph.graph.store.database import DB_NAME

    class NoRoom:  # a connection whose VACUUM INTO fails as a full disk makes it fail
        def __init__(self, conn: sqlite3.Connection) -> None:
            self._conn = conn

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql.startswith("VACUUM INTO"):
                Path(args[0][0]).write_bytes(b"partial")  # type: ignore[index]
                raise sqlite3.OperationalError("database or disk is full")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(self._conn, name)

    connect = write.db.connect
    monkeypatch.setattr(write.db, "connect", lambda *a, **k: NoRoom(connect(*a, **k)))
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "ke-hoach-cchc-duc-trong.md", docs)
    report = Store(tmp_path / "store").build([docs])
    monkeypatch.undo()
    assert report.loaded and sorted(os.listdir(tmp_path / "store")) == [".lock", DB_NAME]
    Store(tmp_path / "again").build([docs])  # (compacted)
    assert Store(tmp_path / "store").read_export() == Store(tmp_path / "again").read_export()


def test_the_files_of_a_killed_new_store_are_removed_by_the_next_build_that_writes(tmp_path: Path) -> None:
    """A new store killed while written (a rebuild, a store of another layout) leaves its file
    and perhaps its compacted copy beside the store: the next build that writes removes them."""
    from cchc_graph.graph.store.database import DB_NAME

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "ke-hoach-cchc-duc-trong.md", docs)
    store = tmp_path / "store"
    Store(store).build([docs])
    for left in (".new", ".compact"):
        (store / f"{DB_NAME}{left}").write_bytes(b"half a file")
    shutil.copy(EXAMPLES / "nghi-quyet-cchc-lam-dong.md", docs)
    assert Store(store).build([docs]).written
    assert not [name for name in os.listdir(store) if name.endswith((".new", ".compact"))]


def test_a_new_store_is_indexed_on_a_thread_before_linking_writes(tmp_path: Path, monkeypatch) -> None:
    """A new store's secondary indexes are made on a thread of their own while linking
    computes, and are all there when linking's writes (which read through them) begin."""
    from cchc_graph.graph.store import write

    made_on, seen = [], []
    indexes = write.db.secondary_indexes
    patch = write.patch_unchanged

    def recorded() -> list[tuple[str, str]]:
        made_on.append(threading.current_thread().name)
        return indexes()

    def checked(conn: sqlite3.Connection, *args: object) -> None:
        seen.append({n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")})
        patch(conn, *args)

    monkeypatch.setattr(write.db, "secondary_indexes", recorded)
    monkeypatch.setattr(write, "patch_unchanged", checked)
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "ke-hoach-cchc-duc-trong.md", docs)
    Store(tmp_path / "store").build([docs])
    assert made_on[-1] == "cchc-indexes" != threading.current_thread().name
    assert seen and {name for name, _ in indexes()} <= seen[0]


@pytest.mark.parametrize("fails", ["index", "linking"])
def test_a_new_store_whose_indexing_or_linking_fails_leaves_nothing(tmp_path: Path, monkeypatch,
                                                                   fails: str) -> None:
    """An index that cannot be made, or linking failing while the indexes are being made: the
    build says so, and neither a new file nor the indexing thread is left behind."""
    from cchc_graph.graph.store import write
    from cchc_graph.graph.store.database import DB_NAME

    if fails == "index":
        indexes = write.db.secondary_indexes
        monkeypatch.setattr(write.db, "secondary_indexes",
                            lambda: [*indexes(), ("bad", "CREATE INDEX bad ON no_such_table(x)")])
        expected: type[BaseException] = sqlite3.OperationalError
    else:
        def broken(*args: object, **kw: object) -> None:
            raise RuntimeError("linking failed")
        monkeypatch.setattr(write, "link", broken)
        expected = RuntimeError
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "ke-hoach-cchc-duc-trong.md", docs)
    with pytest.raises(expected):
        Store(tmp_path / "store").build([docs])
    assert not [n for n in os.listdir(tmp_path / "store") if n.startswith(DB_NAME)]
    assert "cchc-indexes" not in {t.name for t in threading.enumerate()}


def _rows(store: Path) -> dict[str, list[tuple]]:
    """Every stored table's rows, sorted (FTS5's own tables included)."""
    conn = sqlite3.connect(f"file:{store / 'cchc.sqlite'}?mode=ro", uri=True)
    try:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names if n != "meta"}
    finally:
        conn.close()


def test_documents_extracted_after_the_dictionaries_are_shared_come_compressed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a new store's dictionaries are made from its first documents, the build shares them
    with whatever extracts (``write.Keep``), and the documents extracted after come with their
    records, agencies and text compressed: the store holds the very bytes it holds when the
    build's process compresses every document, and nothing is left beside it."""
    import cchc_graph.loaders.pipeline  # noqa: F401  (in-process, in order: no warm process)
    from cchc_graph.graph.store import database as db
    from cchc_graph.graph.store import write

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    generate(tmp_path / "docs", 9, seed=5)
    monkeypatch.setattr(db, "TRAIN_DOCUMENTS", 3)  # (the dictionaries made from the first three)
    sent: list[str] = []
    compressed = write._compressed
    monkeypatch.setattr(write, "_compressed", lambda got, codecs: (sent.append(got.sha256),
                                                                     compressed(got, codecs))[1])
    shared = Store(tmp_path / "shared").build([tmp_path / "docs"])
    assert len(shared.loaded) == 9 and len(sent) == 6  # all but the three made before sharing
    monkeypatch.setattr(db, "share", lambda conn, path, tables: None)  # now compressed by the build alone
    Store(tmp_path / "alone").build([tmp_path / "docs"])
    assert len(sent) == 6
    got, expected = _rows(tmp_path / "shared"), _rows(tmp_path / "alone")
    assert got.keys() == expected.keys() and {"tasks", "doc_agencies", "sources"} <= got.keys()
    for name, rows in expected.items():
        assert got[name] == rows, name
    texts = [t for (t,) in _sql(tmp_path / "shared", "SELECT text FROM sources")]
    assert all(t[:1] == b"\x01" for t in texts)  # (the store's dictionary of texts)
    assert sorted(os.listdir(tmp_path / "shared")) == [".lock", "cchc.sqlite"]


def test_a_killed_builds_shared_dictionaries_are_removed_unread(tmp_path: Path) -> None:
    """A build killed while its dictionaries were shared leaves their file: the next build
    removes it and never compresses with it (each build's file has a name of its own)."""
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    left = store / "cchc.sqlite.dicts-0123456789abcdef"
    left.write_bytes(orjson.dumps({"tasks": "bm90IGEgZGljdGlvbmFyeQ=="}))
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nSở Nội vụ chủ trì rà soát thủ tục.\n", encoding="utf-8")
    assert Store(store).build([corpus]).loaded == [str(doc)]
    assert not left.exists() and sorted(os.listdir(store)) == [".lock", "cchc.sqlite"]
    with cchc_graph.open(store) as g:
        assert g.text(_sql(store, "SELECT doc FROM sources WHERE source_path = ?", (str(doc),))[0][0]).text


def test_a_build_that_cannot_share_its_dictionaries_compresses_them_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sharing the dictionaries is a saving, not a step a build needs: when their file cannot
    be written (a full disk), every record is compressed by the build's process and the store
    is the one it would be."""
    import cchc_graph.loaders.pipeline  # noqa: F401  (in-process, in order: no warm process)
    from cchc_graph.graph.store import codec
    from cchc_graph.graph.store import database as db

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    generate(tmp_path / "docs", 6, seed=5)
    monkeypatch.setattr(db, "TRAIN_DOCUMENTS", 3)
    Store(tmp_path / "shared").build([tmp_path / "docs"])

    def full(src: Path, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(codec, "os", type("NoRoom", (), {"replace": staticmethod(full)}))
    report = Store(tmp_path / "unshared").build([tmp_path / "docs"])
    assert len(report.loaded) == 6 and not report.skipped
    assert sorted(os.listdir(tmp_path / "unshared")) == [".lock", "cchc.sqlite"]
    assert _rows(tmp_path / "unshared") == _rows(tmp_path / "shared")


def _notices(folder: Path, count: int) -> Path:
    """Short notices that assign no task, set no target and cite nothing (our own words)."""
    folder.mkdir(parents=True)
    for i in range(count):
        (folder / f"notice-{i}.txt").write_text(
            f"ỦY BAN NHÂN DÂN TỈNH BÌNH MINH\nSố: {40 + i}/TB-UBND\n\nTHÔNG BÁO\n"
            f"Về lịch nghỉ lễ năm {2020 + i}\n\nCơ quan nghỉ lễ theo lịch chung của Nhà nước.\n",
            encoding="utf-8")
    return folder


def test_a_table_the_first_documents_have_no_rows_of_is_compressed_once_others_have(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new store's dictionaries are made from its first documents; a table of which they have
    no records (a corpus that begins with notices assigning no task) gets its own from the first
    documents that have some: its records written before are compressed then, the documents
    extracted after come with them compressed, and the store reads as one made the plain way."""
    import cchc_graph.loaders.pipeline  # noqa: F401  (in-process, in order: no warm process)
    from cchc_graph.graph.store import database as db
    from cchc_graph.graph.store import write

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    notices = _notices(tmp_path / "a", 4)
    generate(tmp_path / "b", 8, seed=5)
    monkeypatch.setattr(db, "TRAIN_DOCUMENTS", 3)
    sent: list[set[str]] = []  # the tables a document came with compressed
    compressed = write._compressed

    def recorded(got: write.Extracted, codecs: dict[str, db.Codec]) -> write.Extracted:
        sent.append({t for t in ("tasks", "responsibilities") if t in codecs and got.rows[t][0]})
        return compressed(got, codecs)

    monkeypatch.setattr(write, "_compressed", recorded)
    report = Store(tmp_path / "late").build([notices, tmp_path / "b"])
    assert len(report.loaded) == 12
    # the first three (notices) made the dictionaries; the tasks' was made from the first three
    # documents with tasks (the 5th to 7th), and the five after came with tasks compressed
    assert sent[-5:] == [{"tasks", "responsibilities"}] * 5 and not any(sent[:3])
    for table in ("tasks", "responsibilities", "targets"):
        counts = _sql(tmp_path / "late", f"SELECT count(*), sum(substr(rec, 1, 1) = x'01') FROM {table}")
        assert counts[0][0] and counts[0][0] == counts[0][1], table
    assert {n for (n,) in _sql(tmp_path / "late", "SELECT name FROM dictionaries")} >= {
        "tasks", "responsibilities", "targets", "doc_agencies"}
    assert sorted(os.listdir(tmp_path / "late")) == [".lock", "cchc.sqlite"]  # (nothing shared left)
    monkeypatch.setattr(db, "TRAIN_DOCUMENTS", 100)  # (all held, every dictionary made at the end)
    Store(tmp_path / "plain").build([notices, tmp_path / "b"])
    assert Store(tmp_path / "late").read_export() == Store(tmp_path / "plain").read_export()


def test_a_stored_table_without_a_dictionary_is_compressed_by_the_build_that_makes_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store whose tasks were kept as plain JSON (made before a table's dictionary could be
    made late) has them compressed, the old with the new, by the next build that makes the
    tasks' dictionary, and reads as before."""
    import cchc_graph.loaders.pipeline  # noqa: F401  (in-process, in order: no warm process)
    from cchc_graph.graph.store import database as db

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    generate(tmp_path / "a", 4, seed=5)
    store = tmp_path / "store"
    Store(store).build([tmp_path / "a"])
    conn = sqlite3.connect(store / "cchc.sqlite", isolation_level=None)
    plain = [(db.unpack(rec, conn), rowid) for rowid, rec in conn.execute("SELECT rowid, rec FROM tasks")]
    conn.executemany("UPDATE tasks SET rec = ? WHERE rowid = ?", plain)
    conn.execute("DELETE FROM dictionaries WHERE name = 'tasks'")
    conn.close()
    before = Store(store).read_export()
    generate(tmp_path / "b", 4, seed=6)
    monkeypatch.setattr(db, "TRAIN_DOCUMENTS", 3)
    assert len(Store(store).build([tmp_path / "a", tmp_path / "b"]).loaded) == 4
    counts = _sql(store, "SELECT count(*), sum(substr(rec, 1, 1) = x'01') FROM tasks")[0]
    assert counts[0] > len(plain) and counts[0] == counts[1]
    after = Store(store).read_export()
    old = {d["id"] for d in before["documents"]}
    assert [t for t in after["tasks"] if t["document"] in old] == before["tasks"]
