"""benchmarks/warm.py runs on a built store, and --apart-ab reports both ways of counting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_warm_benchmark_compares_counts_apart_and_here(seed_store: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "warm.py"), str(seed_store), "--only",
                          "who_leads", "--rounds", "2", "--warmup", "1", "--apart-ab"],
                         capture_output=True, text=True, timeout=120, check=True)
    heads = [line.split(":")[0] for line in run.stdout.splitlines() if not line.startswith(" ")]
    assert heads == ["who_leads (counts apart)", "who_leads (counts here)"], run.stdout
    assert run.stdout.count("chủ trì") == 2  # each phrase under each way
