"""The warm extractor: a process forked at a build's start that extracts its few changed
documents. Its outcomes are those extracted in-process; if it dies they still come; it is not
started where forking is unsafe; a one-document rebuild from the command line, which uses it,
leaves the store a fresh build makes.

Each check runs in a fresh interpreter: the test process has imported the extractor, and a
process that has gets no warm extractor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cchc_graph.graph.store.warm import WarmExtractor

from tests.conftest import ROOT
from tests.test_incremental import _export, _full

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import generate

# the jobs (two documents and an empty file), the outcomes in-process, and a check that the
# warm process is gone once its outcomes are read
PRELUDE = """
import os, signal, sys
from pathlib import Path
from cchc_graph.graph.store.warm import EXTRACTOR, WarmExtractor
from cchc_graph.graph.store.write import keep
assert EXTRACTOR not in sys.modules
jobs = [(Path(p), Path(p).stem) for p in sys.argv[1:]]

def in_process():
    from cchc_graph.graph.store.parallel import extract_one
    return [extract_one(p, d, None, keep) for p, d in jobs]

def reaped(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False

warm = WarmExtractor.start()
assert warm is not None
pid = warm.pid
"""


def _run(code: str, files: list[Path]) -> str:
    r = subprocess.run([sys.executable, "-c", PRELUDE + code, *map(str, files)], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _jobs(tmp_path: Path) -> list[Path]:
    generate(tmp_path / "corpus", 2, seed=11)
    empty = tmp_path / "corpus" / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    files = sorted((tmp_path / "corpus").glob("0*.txt"))
    return [files[0], empty, files[1]]


def test_a_warm_process_extracts_what_the_build_would_in_process(tmp_path: Path) -> None:
    code = """
import json
got = list(warm.extract(jobs, None, keep))
# extracted there: this process never imported the extractor
out = {"elsewhere": EXTRACTOR not in sys.modules, "reaped": reaped(pid)}
print(json.dumps({**out, "same": got == in_process(), "failed": [g is None for g, _ in got],
                  "reason": got[1][1]}))
"""
    out = json.loads(_run(code, _jobs(tmp_path)))
    assert out["elsewhere"] and out["reaped"] and out["same"]
    assert out["failed"] == [False, True, False] and "empty file" in out["reason"]


def test_a_warm_process_that_dies_leaves_its_outcomes_to_the_build(tmp_path: Path) -> None:
    before = """
os.kill(pid, signal.SIGKILL)
got = list(warm.extract(jobs, None, keep))
print(got == in_process(), reaped(pid))
"""
    after_one = """
it = warm.extract(jobs, None, keep)
first = next(it)
os.kill(pid, signal.SIGKILL)
got = [first, *it]
print(got == in_process(), reaped(pid))
"""
    files = _jobs(tmp_path)
    assert _run(before, files) == "True True"
    assert _run(after_one, files) == "True True"


def test_a_warm_process_stopped_unused_is_reaped_and_a_process_forks_one_once(tmp_path: Path) -> None:
    code = """
warm.stop()
warm.stop()
print(reaped(pid), WarmExtractor.start() is None)
"""
    assert _run(code, []) == "True True"


def test_no_warm_process_where_forking_is_unsafe_or_useless() -> None:
    import cchc_graph.loaders.pipeline  # noqa: F401  (as in this process: nothing to gain)

    assert WarmExtractor.start() is None
    code = ("import threading, sys\n"
            "from cchc_graph.graph.store.warm import WarmExtractor\n"
            "done = threading.Event()\n"
            "t = threading.Thread(target=done.wait); t.start()\n"
            "print(WarmExtractor.start() is None)\n"
            "done.set(); t.join()\n"
            "print(WarmExtractor.start() is not None)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["True", "True"]
    # no process to be had: none, and the build goes on (in-process)
    code = ("import os\n"
            "from cchc_graph.graph.store.warm import WarmExtractor\n"
            "def refused():\n    raise BlockingIOError(11, 'Resource temporarily unavailable')\n"
            "os.fork = refused\n"
            "fds = len(os.listdir('/proc/self/fd'))\n"
            "print(WarmExtractor.start() is None, len(os.listdir('/proc/self/fd')) == fds)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["True", "True"]  # (its pipes closed)


def test_builds_from_the_command_line_equal_fresh_builds(tmp_path: Path) -> None:
    """A new store of a few documents and a one-document rebuild, each from `cchc build` in a
    fresh process (so extracted by its warm process): the store a fresh build in-process makes."""
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    generate(corpus, 8, seed=3, provinces=1)  # documents that cite each other

    def cli_build() -> dict:
        r = subprocess.run([sys.executable, "-m", "cchc_graph.api.cli", "build", str(corpus), "--store",
                            str(store), "--json"], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    assert len(cli_build()["loaded"]) == 8
    assert _export(store) == _full([corpus], tmp_path / "scratch")
    plan = sorted(corpus.iterdir())[3]
    text = plan.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("Số: "))
    plan.write_text(text.replace(line, "Số: 987/KH-UBND", 1), encoding="utf-8")
    report = cli_build()
    assert report["loaded"] == [str(plan)] and len(report["cached"]) == 7
    assert _export(store) == _full([corpus], tmp_path / "scratch")
