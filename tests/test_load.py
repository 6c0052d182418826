"""A bounded load test against the real server on localhost (benchmarks/load.py, short run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_readers_and_uploads_lose_and_alter_nothing(seed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--store", str(seed_store),
                          "--clients", "4", "--duration", "2", "--uploads", "4", "--json", str(out)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    r = json.loads(out.read_text(encoding="utf-8"))
    print(run.stdout)
    assert r["reads"]["requests"] > 50 and r["questions"] >= 20
    assert r["reads"]["errors"] == r["reads"]["mismatches"] == 0
    assert r["reads_during_uploads"]["errors"] == 0
    up = r["uploads"]
    assert up["errors"] == 0 and up["lost"] == [] and up["altered"] == []
    assert up["documents_after"] == up["documents_before"] + 4
