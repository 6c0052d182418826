"""benchmarks/against.py builds one corpus twice at once and reports each build's CPU."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_two_builds_at_once_report_their_cpu(seeds_dir: Path, tmp_path: Path) -> None:
    # this checkout against itself: both stores built, each process tree's CPU read
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "against.py"), "--corpus", str(seeds_dir),
                          "--other", str(ROOT), "--rounds", "1", "--work", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=True)
    m = re.search(r"round 1: ours ([\d.]+) s, theirs ([\d.]+) s", run.stdout)
    assert m and float(m.group(1)) > 0 and float(m.group(2)) > 0, run.stdout
    assert "mean: ours" in run.stdout
    for side in ("ours", "theirs"):
        assert (tmp_path / side / "cchc.sqlite").stat().st_size > 0
