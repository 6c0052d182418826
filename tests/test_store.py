"""The store never loses what it holds: failed files, empty builds, locks, versions, kill -9."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from cchc_graph.api.cli import cli
from cchc_graph.graph.store import packs, parallel
from cchc_graph.graph.store.build import Store, StoreError
from cchc_graph.loaders.model import SCHEMA_VERSION
from click.testing import CliRunner
from conftest import EXAMPLES, SEEDS


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    return corpus


def _docs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.glob("*.md") if p.stem != "README")


def _digest(store: Path) -> str:
    return hashlib.sha256(json.dumps(Store(store).load_export(), sort_keys=True).encode()).hexdigest()


def test_a_file_that_breaks_keeps_its_stored_version(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    assert Store(store).build([corpus]).loaded
    before = Store(store).load_export()
    victim = _docs(corpus)[0]
    victim.write_bytes(b"\x00\x01binary now" * 10)
    report = Store(store).build([corpus])
    assert report.kept == [str(victim)] and report.written
    assert report.skipped == [(str(victim), "content is binary content, not a text document; "
                                            "the version already stored is kept")]
    after = Store(store).load_export()
    assert [d["id"] for d in after["documents"]] == [d["id"] for d in before["documents"]]
    assert len(after["tasks"]) == len(before["tasks"])


def test_a_build_where_nothing_loads_changes_nothing(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    manifest = (store / "manifest.json").read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    r = CliRunner().invoke(cli, ["build", str(bad), "--store", str(store)])
    assert r.exit_code == 2
    assert "left unchanged" in r.output and "empty file" in r.stderr
    assert (store / "manifest.json").read_bytes() == manifest


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
    report = Store(store.root).build([corpus], wait_s=10)  # waits for the holder, then builds
    t.join()
    assert report.written and report.cached


def test_store_of_another_schema_says_how_to_migrate(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    expected = _digest(store)
    m = json.loads((store / "manifest.json").read_text())
    m["schema_version"] = SCHEMA_VERSION + 1
    (store / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(StoreError, match="newer cchc"):
        Store(store).load_export()
    r = CliRunner().invoke(cli, ["build", str(corpus), "--store", str(store)])
    assert r.exit_code == 3 and "upgrade cchc-graph" in r.stderr
    m["schema_version"] = 0
    (store / "manifest.json").write_text(json.dumps(m))
    r = CliRunner().invoke(cli, ["stats", "--store", str(store)])
    assert r.exit_code == 3 and f"cchc rebuild --store {store}" in r.stderr
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(store), "--json"])
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["loaded"]) == len(_docs(corpus))
    assert _digest(store) == expected


@pytest.mark.parametrize("version", [1, 2])
def test_older_store_is_read_and_migrated_by_the_next_build(tmp_path: Path, version: int) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    expected = _digest(store)
    # lay the store out as versions 1 and 2 did: one JSON graph (version 1: graph.json and
    # facts/<id>.json; version 2: graphs/<hash>.json and facts named by content)
    m = json.loads((store / "manifest.json").read_text())
    graph = "graph.json" if version == 1 else "graphs/0123456789abcdef.json"
    (store / graph).write_bytes(orjson.dumps(Store(store).load_export()))
    for name in json.loads((store / "manifest.json").read_text())["graph"]["packs"].values():
        (store / name).unlink()
    if version == 1:
        for doc_id, e in m["documents"].items():
            (store / "facts" / e.pop("facts")).rename(store / "facts" / f"{doc_id}.json")
        del m["store_version"]
    m["graph"] = graph
    (store / "manifest.json").write_text(json.dumps(m))
    assert _digest(store) == expected  # read as it is
    report = Store(store).build([corpus])
    assert len(report.cached) == len(m["documents"]) and not report.loaded  # its cache is used
    m2 = json.loads((store / "manifest.json").read_text())
    assert m2["store_version"] == 3 and not (store / graph).exists()
    assert sorted(p.name for p in (store / "facts").iterdir()) == sorted(
        e["facts"] for e in m2["documents"].values())
    assert _digest(store) == expected


def test_graph_files_of_the_first_pack_layout_are_rebuilt_from_the_facts(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    expected = _digest(store)
    # lay the graph files out as the first layout did: bodies in a pack not marshalled apart,
    # names without the layout
    m = json.loads((store / "manifest.json").read_text())
    g, first = m["graph"], packs.FORMAT.replace(f"-l{packs.LAYOUT}", "")

    def relayout(name: str, decode: bool) -> str:
        content = marshal.loads((store / name).read_bytes())
        if decode:
            content = {doc: marshal.loads(body) for doc, body in content.items()}
        (store / name).unlink()
        (store / name.replace(packs.FORMAT, first)).write_bytes(marshal.dumps(content))
        return name.replace(packs.FORMAT, first)

    g["packs"] = {b: relayout(name, True) for b, name in g["packs"].items()}
    g["keys"], g["links"], g["format"] = relayout(g["keys"], False), relayout(g["links"], False), first
    (store / "manifest.json").write_text(json.dumps(m))
    assert _digest(store) == expected  # read from the stored facts
    report = Store(store).build([corpus])
    assert len(report.cached) == len(m["documents"]) and not report.loaded
    g2 = json.loads((store / "manifest.json").read_text())["graph"]
    assert g2["format"] == packs.FORMAT
    assert all(p.name.endswith(packs.FORMAT) for p in (store / "graphs").iterdir())
    assert _digest(store) == expected


def test_damaged_store_files_get_a_clear_message(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    m = json.loads((store / "manifest.json").read_text())
    good = Store(store).load_export()
    pack = store / next(iter(m["graph"]["packs"].values()))
    pack.write_bytes(b"\x00garbage")
    assert Store(store).load_export() == good  # a damaged graph file: read from the facts
    pack.unlink()
    assert Store(store).load_export() == good
    facts = store / "facts" / next(iter(m["documents"].values()))["facts"]
    facts.write_text('{"meta": {')
    with pytest.raises(StoreError, match=rf"{facts.name}: stored facts unreadable .*cchc rebuild"):
        Store(store).load_export()
    (store / "manifest.json").write_text("{not json")
    r = CliRunner().invoke(cli, ["stats", "--store", str(store)])
    assert r.exit_code == 3 and "manifest.json: unreadable manifest" in r.stderr


def test_changed_file_is_reextracted_and_old_facts_collected(tmp_path: Path) -> None:
    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    doc = _docs(corpus)[0]
    doc.write_text(doc.read_text(encoding="utf-8") + "\nVăn phòng UBND tỉnh chủ trì tổng hợp.\n",
                   encoding="utf-8")
    report = Store(store).build([corpus])
    assert report.loaded == [str(doc)]
    m = json.loads((store / "manifest.json").read_text())
    assert sorted(p.name for p in (store / "facts").iterdir()) == sorted(
        e["facts"] for e in m["documents"].values())
    fmt = f".py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}-l{packs.LAYOUT}.marshal"
    names = [m["graph"]["links"], m["graph"]["keys"], *m["graph"]["packs"].values()]
    assert all(n.startswith("graphs/") and n.endswith(fmt) for n in names)
    assert sorted(p.name for p in (store / "graphs").iterdir()) == sorted(n[len("graphs/"):] for n in names)
    assert not list(store.rglob(".*.tmp"))


def test_stored_facts_are_the_facts_as_plain_json(tmp_path: Path) -> None:
    """The facts file holds what ``to_dict`` makes of the facts, and reads back equal."""
    from cchc_graph.loaders.model import DocumentFacts, from_dict, to_dict
    from cchc_graph.loaders.pipeline import doc_id_for, load_document

    corpus, store = _corpus(tmp_path), tmp_path / "store"
    Store(store).build([corpus])
    m = json.loads((store / "manifest.json").read_text())
    for doc in _docs(corpus):
        facts = load_document(doc)
        stored = orjson.loads((store / "facts" / m["documents"][doc_id_for(doc)]["facts"]).read_bytes())
        assert stored == to_dict(facts) and stored["tasks"] and stored["citations"]
        assert from_dict(DocumentFacts, stored) == facts


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
    m = json.loads((store / "manifest.json").read_text())
    assert sorted(p.name for p in (store / "facts").iterdir()) == sorted(
        e["facts"] for e in m["documents"].values())  # what killed builds left is collected
    assert not list(store.rglob(".*.tmp"))


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
    m = json.loads((store / "manifest.json").read_text())
    m["schema_version"] = SCHEMA_VERSION + 1
    (store / "manifest.json").write_text(json.dumps(m))
    before = (store / "manifest.json").read_bytes()
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(store)])
    assert r.exit_code == 3 and "newer cchc" in r.stderr
    assert (store / "manifest.json").read_bytes() == before


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
    report = Store(store).build([corpus])
    assert not report.loaded and not [p for p in read if p.parent == corpus]  # size + mtime said so
    doc = _docs(corpus)[0]
    os.utime(doc, ns=(doc.stat().st_atime_ns, doc.stat().st_mtime_ns + 10**9))  # touched, same bytes
    report = Store(store).build([corpus])
    assert str(doc) in report.cached and doc in read  # hashed, found unchanged, not re-extracted
    entry = next(e for e in json.loads((store / "manifest.json").read_text())["documents"].values()
                 if e["source_path"] == str(doc))
    assert entry["mtime_ns"] == doc.stat().st_mtime_ns


@pytest.mark.skipif(not SEEDS.exists(), reason="seed corpus not found")
def test_a_document_part_holds_each_repeated_text_once() -> None:
    """A task's text, its responsibilities' quotes and the sentence several targets share are
    one string in the part, so the store's marshal files keep each once (and load it once)."""
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
