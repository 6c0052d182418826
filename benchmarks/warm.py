"""Warm questions with nothing kept: p50/p95 per query on one open store.

What a server meets after an upload: its database open and its connections warm, but no
answer, count or derived structure of the new data version kept. Each question is asked on
the open store with the data version's memo emptied first (as a new version makes it), and
its first page (50 answers) and its count are read; rounds go over every query in turn,
after ``--warmup`` rounds unmeasured (a server that has answered some questions: its pages
cached by the OS, numpy imported once it has folded 2 million characters, which the fourth
round of "95%" does here, ``keys.numpy_if_worth``).

    python benchmarks/warm.py STORE                 # every question, 5 rounds
    python benchmarks/warm.py STORE --only search --rounds 10
    python benchmarks/warm.py STORE --only who_leads --apart-ab   # counts apart, and not

``--apart-ab`` asks each question twice in a row, its counts read apart (``Corpus.count_apart``)
and on its own connection, in alternating order: a comparison the machine's drift does not move.

Search and who-leads are asked with the phrases below; the other questions with the arguments
``scale.py`` picks from the store (documents sampled across it, common names and numbers).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGE = 50
SEARCH = ["cải cách", "một cửa", "45/2020", "cai cach hanh chinh", "UBND tỉnh", "Sở Nội vụ",
          "tuyên truyền", "95%"]
WHO_LEADS = ["tuyên truyền", "số hóa hồ sơ", "kiem soat thu tuc", "chủ trì", "cải cách hành chính",
             "một cửa", "dịch vụ công trực tuyến", "rà soát", "đánh giá", "báo cáo"]


def _questions(database: Any, only: str | None) -> dict[str, tuple[Callable[..., Any], list[tuple]]]:
    from cchc_graph.graph.questions import queries
    from scale import question_table  # the sibling script

    with database.snapshot() as c:
        table = question_table(c)
    table |= {"search": (queries.search, [(q,) for q in SEARCH]),
              "who_leads": (queries.who_leads, [(q,) for q in WHO_LEADS])}
    return {k: v for k, v in table.items() if only is None or k == only}


def ask(database: Any, fn: Callable[..., Any], args: tuple) -> float:
    """One question on the open store, nothing kept: ms to its first page and its count."""
    database._memo = ("", {})  # (what a new data version leaves: no answer nor structure kept)
    t0 = time.perf_counter()
    with database.snapshot() as c, contextlib.suppress(LookupError):  # (a sample name absent here)
        answer = fn(c, *args)
        if isinstance(answer, Sequence):
            answer[:PAGE]
            len(answer)
    return (time.perf_counter() - t0) * 1000


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=5, help="rounds asked first, unmeasured")
    ap.add_argument("--only", help="one question (who_leads, search, cites, path …)")
    ap.add_argument("--apart-ab", action="store_true", help="each ask with counts apart and without")
    a = ap.parse_args()
    from cchc_graph.graph.questions.index import Corpus
    from cchc_graph.library import open_store

    database = open_store(a.store)
    modes = {"counts apart": Corpus.count_apart, "counts here": lambda *_: None} if a.apart_ab else {"": None}
    for name, (fn, args) in _questions(database, a.only).items():
        for _ in range(a.warmup):
            for arg in args:
                ask(database, fn, arg)
        times: dict[tuple, list[float]] = {(m, arg): [] for m in modes for arg in args}
        for r in range(a.rounds):
            for arg in args:
                for m in (list(modes) if r % 2 else list(modes)[::-1]):
                    if modes[m] is not None:
                        Corpus.count_apart = modes[m]  # type: ignore[method-assign]
                    times[(m, arg)].append(ask(database, fn, arg))
        for m in modes:
            every = [t for (mode, _), ts in times.items() if mode == m for t in ts]
            print(f"{name}{f' ({m})' if m else ''}: p50 {statistics.median(every):.1f} ms, "
                  f"p95 {p95(every):.1f} ms ({len(every)} questions)")
            for (mode, arg), ts in times.items():
                if mode == m:
                    shown = " ".join(map(str, arg))[:40]
                    print(f"  {shown:<40} p50 {statistics.median(ts):6.1f}  p95 {p95(ts):6.1f}  "
                          f"max {max(ts):6.1f} ms")
    database.close()


if __name__ == "__main__":
    main()
