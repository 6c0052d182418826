"""Two builds of one corpus at once, this checkout's and another's: CPU of each process tree.

On a shared host the speed drifts by 10-40 % within minutes, so builds run one after the
other compare the host's moments as much as the code. Run at the same time, the two share
the cores and every slow or fast moment falls on both alike; their CPU (user + system time
of each process tree, ``os.wait4``) is then comparable. Wall times are not: each had half
the machine.

``--ready`` also measures what the other checkout needs before its questions answer at warm
speed, when it is the file store before issue 20 (be1f23d): its server loaded the export and
prepared its phrase indexes, answer orders and audit (``graph.backend.prepare``) after every
build, work the SQLite build does while building (its indexes, full-text entries and kept
findings). That command runs alone, after each round.

    python benchmarks/against.py --corpus /tmp/gen10k --other /tmp/ws/fs --rounds 3 --ready

``--ours-from`` runs this side from a built copy of the package instead of the checkout: the
compiled build (``CCHC_COMPILE=1``, setup.py), e.g. its wheel unpacked into a folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the file store's load and preparation, run in the other checkout (its modules, not ours)
READY = """
import sys
from graph.backend import prepare
from graph.index import Corpus
from graph.store import Store
prepare(Corpus(Store(sys.argv[1]).load_export()))
"""


def _cli(checkout: Path) -> list[str]:
    """The build command of a checkout, run with this interpreter from inside it."""
    if checkout == ROOT:
        return [sys.executable, "-m", "cchc_graph.api.cli"]
    # (a checkout before the one package: its folders are top-level modules)
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'cchc'; from api.cli import main; main()"]


def _cpu(pid: int) -> float:
    """User + system seconds of a finished child and the descendants it waited for."""
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"a build failed (pid {pid}, status {status})")
    return usage.ru_utime + usage.ru_stime


def _start(checkout: Path, corpus: Path, store: Path, built: Path | None = None) -> subprocess.Popen[bytes]:
    """A build of ``corpus`` by a checkout's CLI, or (``built``) by the package copied there."""
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(built)} if built else None
    return subprocess.Popen([*_cli(checkout), "build", str(corpus), "--store", str(store)],
                            cwd=built or checkout, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def one_round(corpus: Path, other: Path, work: Path, ready: bool,
              built: Path | None = None) -> dict[str, float]:
    """Both builds at once, then (``ready``) the other's load and preparation alone."""
    ours, theirs = work / "ours", work / "theirs"
    a, b = _start(ROOT, corpus, ours, built), _start(other, corpus, theirs)
    # (wait4 on each pid: Popen.wait would reap it and lose its resource usage)
    out = {"ours": _cpu(a.pid), "theirs": _cpu(b.pid)}
    a.returncode = b.returncode = 0
    if ready:
        p = subprocess.Popen([sys.executable, "-c", READY, str(theirs)], cwd=other)
        out["theirs_ready"] = _cpu(p.pid)
        p.returncode = 0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True, help="a folder of documents")
    ap.add_argument("--other", type=Path, required=True, help="the other checkout (e.g. be1f23d)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ready", action="store_true",
                    help="also the other's load and preparation (the file store before issue 20)")
    ap.add_argument("--work", type=Path, help="where the two stores go (default: a temporary folder)")
    ap.add_argument("--ours-from", type=Path,
                    help="a folder with a built cchc_graph (the compiled wheel, unpacked) to run ours from")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="cchc-against-"))
    rows = []
    for r in range(1, args.rounds + 1):
        row = one_round(args.corpus.resolve(), args.other.resolve(), work, args.ready,
                        args.ours_from.resolve() if args.ours_from else None)
        rows.append(row)
        ready = f", to ready {row['theirs'] + row['theirs_ready']:.1f} s" if args.ready else ""
        print(f"round {r}: ours {row['ours']:.1f} s, theirs {row['theirs']:.1f} s{ready}  "
              f"(ours {100 * (row['ours'] / row['theirs'] - 1):+.1f} %)", flush=True)
    ours = statistics.mean(x["ours"] for x in rows)
    theirs = statistics.mean(x["theirs"] for x in rows)
    print(f"mean: ours {ours:.1f} s, theirs {theirs:.1f} s: ours {100 * (ours / theirs - 1):+.1f} % "
          "(CPU of each process tree, built at the same time)")
    if args.ready:
        ready = statistics.mean(x["theirs"] + x["theirs_ready"] for x in rows)
        print(f"theirs to ready (build, then load and prepare): {ready:.1f} s: ours "
              f"{100 * (ours / ready - 1):+.1f} %")


if __name__ == "__main__":
    main()
