"""Extraction speed on realistic documents: the development documents as legal portals publish
them (read from ../shared at run time, never copied), and variants of them.

The generated corpus of ``scale.py`` is regular and ~4x cheaper per byte than real text; this
measures what users' documents cost. One core (no worker processes; CPU time of this process,
so that other work on the machine disturbs the figures less): extraction MB/s, ms per
document, the cost of each stage (read, normalize, outline, extract), and the floor (NFC +
lower-case + one regex + line split) on the same bytes.

    python benchmarks/realistic.py [--repeat 3] [--variants 2] [--json out.json]

``--corpus DIR --documents N`` writes N such documents into DIR instead (each variant's
document numbers shifted, as another province's plans would be numbered), a corpus of realistic
text for ``cchc build`` and the store's benchmarks (never into the project: it is made of the
development documents).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from cchc_graph.loaders.extract.grammar import issuer_scope  # noqa: E402
from cchc_graph.loaders.normalize import normalize  # noqa: E402
from cchc_graph.loaders.outline import build_outline  # noqa: E402
from cchc_graph.loaders.pipeline import extract  # noqa: E402
from cchc_graph.loaders.read import read_document  # noqa: E402

FLOOR_RX = re.compile(r"(?:nghị quyết|quyết định|kế hoạch)\s+số\s+[0-9]+[/-][^\s,;]+")
SETS = ("seeds", "realdev/docs", "realdev/unlabeled")


def sources() -> list[Path]:
    files = [p for s in SETS for p in sorted((SHARED / s).glob("*.txt"))]
    if not files:
        raise SystemExit(f"no documents under {SHARED} ({', '.join(SETS)})")
    return files


def variant(text: str, rng: random.Random) -> str:
    """Another document of the same shape: numbers, percentages and years changed, paragraphs
    of the body shuffled within their section (the grammar's work stays the same)."""
    text = re.sub(r"\b(\d{1,3})%", lambda m: f"{rng.randint(50, 100)}%", text)
    text = re.sub(r"\b20(2\d)\b", lambda m: f"20{rng.randint(20, 35)}", text)
    return text


# a document number: its leading figures, then its code ("87/KH-UBND", "45/2020/NĐ-CP",
# "18-NQ/TW", "30c/NQ-CP")
_NUMBER = re.compile(r"(?<![\w/.])(\d{1,4})([a-zđ]?\s*[/-]\s*(?:(?:19|20)\d\d\s*/\s*)?[A-ZĐ][\w/-]*)")


def renumbered(text: str, k: int) -> str:
    """The text with the figures of every local document number (a province's, a
    commune's: ``issuer_scope``) shifted by the variant ``k``: variant k's documents cite each
    other as the originals do, no two variants share a local number, and all cite the same
    national documents."""
    def shifted(m: re.Match[str]) -> str:
        if issuer_scope(re.sub(r"\s", "", m.group(0)))[1] != "local":
            return m.group(0)
        return f"{(int(m.group(1)) + 997 * k) % 100_000}{m.group(2)}"
    return _NUMBER.sub(shifted, text) if k else text


def write_corpus(folder: Path, documents: int) -> list[Path]:
    """``documents`` realistic documents in ``folder``: the development documents, then their
    variants, renumbered."""
    rng = random.Random(7)
    files = sources()
    texts = [p.read_text(encoding="utf-8") for p in files]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(documents):
        k, j = divmod(i, len(files))
        q = folder / f"{files[j].parent.name}-{files[j].stem}_{k}.txt"
        q.write_text(renumbered(texts[j] if k == 0 else variant(texts[j], rng), k), encoding="utf-8")
        out.append(q)
    return out


def corpus(folder: Path, variants: int) -> list[Path]:
    rng = random.Random(7)
    out = []
    for p in sources():
        text = p.read_text(encoding="utf-8")
        for k in range(variants + 1):
            q = folder / f"{p.stem}_{k}.txt"
            q.write_text(text if k == 0 else variant(text, rng), encoding="utf-8")
            out.append(q)
    return out


def timed(files: list[Path]) -> dict[str, float]:
    stages = dict.fromkeys(("read", "normalize", "outline", "extract"), 0.0)
    for p in files:
        t0 = time.process_time()
        raw = read_document(p)
        t1 = time.process_time()
        doc = normalize(raw, p.stem)
        t2 = time.process_time()
        build_outline(doc)
        t3 = time.process_time()
        extract(doc)  # builds the outline again: the outline's cost is subtracted below
        t4 = time.process_time()
        stages["read"] += t1 - t0
        stages["normalize"] += t2 - t1
        stages["outline"] += t3 - t2
        stages["extract"] += (t4 - t3) - (t3 - t2)
    return stages


def floor(files: list[Path]) -> float:
    t0 = time.process_time()
    for p in files:
        text = unicodedata.normalize("NFC", p.read_text(encoding="utf-8")).lower()
        FLOOR_RX.findall(text)
        text.split("\n")
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", type=int, default=2, help="variants per document")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--corpus", type=Path, help="write a corpus of realistic documents here, and stop")
    ap.add_argument("--documents", type=int, default=10_000, help="with --corpus: how many")
    a = ap.parse_args()
    if a.corpus:
        files = write_corpus(a.corpus, a.documents)
        mb = sum(p.stat().st_size for p in files) / 1e6
        print(f"{len(files)} realistic documents, {mb:.1f} MB, in {a.corpus}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = corpus(Path(tmp), a.variants)
        mb = sum(p.stat().st_size for p in files) / 1e6
        runs = [timed(files) for _ in range(a.repeat)]
        floors = [floor(files) for _ in range(a.repeat)]
    total = statistics.median(sum(r.values()) for r in runs)
    stages = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    fl = statistics.median(floors)
    figures = {"documents": len(files), "mb": round(mb, 2), "seconds": round(total, 2),
               "mb_per_s_per_core": round(mb / total, 2),
               "ms_per_document": round(1000 * total / len(files), 1),
               "stages_ms_per_document": {k: round(1000 * v / len(files), 2) for k, v in stages.items()},
               "floor_mb_per_s": round(mb / fl, 1), "ratio_to_floor": round(total / fl, 1)}
    print(f"{figures['documents']} realistic documents, {figures['mb']} MB: "
          f"{figures['mb_per_s_per_core']} MB/s per core, {figures['ms_per_document']} ms/document "
          f"(floor {figures['floor_mb_per_s']} MB/s, {figures['ratio_to_floor']}x)")
    for k, v in figures["stages_ms_per_document"].items():
        print(f"  {k:10s} {v:8.2f} ms/document")
    if a.json:
        a.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
