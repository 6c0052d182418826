"""One-shot latency: each question asked by a fresh ``cchc`` process, as a script or a user would.

Runs every question N times (default 10) as its own process and prints p50 / p95 wall time per
question, next to ``cchc --version``: the floor every command pays (interpreter start and
imports). "Open + first answer" of a question is its time minus that floor. Arguments are
picked from the store as ``benchmarks/answers.py`` picks them (or read from a recording's
_picks.json); it imports nothing from the project.

    python benchmarks/oneshot.py --cchc .venv/bin/cchc --store STORE [--runs 10] \\
        [--picks RECORDING/_picks.json] [--json OUT.json] [--tables]

``--tables`` asks for what a person reads in a terminal (rich's tables, 160 columns when piped)
instead of ``--json``: a broad answer's first lines are then its first page's.

Besides the whole process's wall time (what the user waits for), each question's time to its
first line of output (when a broad answer starts to show) and its CPU time (user + system: the
figure to compare on a machine shared with other work) are recorded.

One untimed pass first (the OS file cache warm and the modules' bytecode written, as for a user
asking twice); then N rounds, each
asking every question once, so a burst of load on the machine touches all questions alike. p95 is the
nearest-rank percentile (with 10 runs: the slowest). Output goes to /dev/null.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from answers import choose, fold  # the sibling script, not the project

FLOOR = "cchc --version"


def questions(p: dict, tables: bool = False) -> dict[str, list[str]]:
    """One representative invocation of each question (arguments after ``cchc``, no store);
    ``tables``: printed as a person reads them in a terminal, not as JSON."""
    doc, ag, names, J = p["busiest_document"], p["agencies"], p["agency_names"], "--json"
    q = {
        "stats": ["stats", J], "stats --documents": ["stats", "--documents", J],
        "who-leads PHRASE": ["who-leads", p["phrases"][0], J],
        "who-leads PHRASE (unaccented)": ["who-leads", fold(p["phrases"][0]), J],
        "who-leads --agency NAME": ["who-leads", "--agency", names[0], J],
        "agency ID": ["agency", ag[0], J], "agency NAME": ["agency", names[0], J],
        "cites DOC": ["cites", doc, J], "cites --status unresolved": ["cites", "--status", "unresolved", J],
        "deps TASK": ["deps", p["tasks"][0], J], "path AGENCY AGENCY": ["path", ag[0], ag[1], J],
        "compare": ["compare", J], "matrix -d DOC": ["matrix", "-d", doc, J],
        "audit": ["audit", J], "audit -d DOC": ["audit", "-d", doc, J],
        "calendar -d DOC": ["calendar", "-d", doc, J], "search PHRASE": ["search", p["phrases"][0], J],
        "gaps -d DOC": ["gaps", "-d", doc, J],
    }
    if p["numbers"]:
        q["cited-by NUMBER"] = ["cited-by", p["numbers"][0], J]
    if p["children"]:
        q["cascade CHILD"] = ["cascade", p["children"][0], J]
    if p["metrics"]:
        q["compare METRIC"] = ["compare", p["metrics"][0], J]
    return {n: [x for x in argv if x != J] for n, argv in q.items()} if tables else q


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, int]:
    """Wall ms to the end, wall ms to the first line of output, CPU ms, exit code."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert p.stdout is not None
    p.stdout.readline()
    first = time.perf_counter()
    while p.stdout.read(1 << 16):
        pass
    _, status, use = os.wait4(p.pid, 0)
    end = time.perf_counter()
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    return (end - t0) * 1000, (first - t0) * 1000, (use.ru_utime + use.ru_stime) * 1000, p.returncode


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def picks_for(cchc: str, store: str, picks: str | None) -> dict:
    if picks:
        return json.loads(Path(picks).read_text(encoding="utf-8"))
    r = subprocess.run([cchc, "export", "--format", "json", "--store", store],
                       capture_output=True, check=True)
    return choose(json.loads(r.stdout))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--cchc", required=True, help="the cchc console script (e.g. .venv/bin/cchc)")
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--picks", help="arguments picked by answers.py record (DIR/_picks.json)")
    ap.add_argument("--json", dest="json_out", help="write the figures to this file")
    ap.add_argument("--tables", action="store_true",
                    help="ask for the terminal's tables (piped: 160 columns), not --json")
    a = ap.parse_args()
    argvs = {FLOOR: [a.cchc, "--version"]}
    asked = questions(picks_for(a.cchc, a.store, a.picks), a.tables)
    argvs |= {n: [a.cchc, *q, "--store", a.store] for n, q in asked.items()}
    # the untimed pass, free to write the modules' bytecode: an installed package has it (an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise compile them at every run)
    compiling = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    codes = {n: timed(v, compiling)[3] for n, v in argvs.items()}
    times: dict[str, list[float]] = {n: [] for n in argvs}
    firsts: dict[str, list[float]] = {n: [] for n in argvs}
    cpus: dict[str, list[float]] = {n: [] for n in argvs}
    for _ in range(a.runs):  # round by round: a burst of load touches every question alike
        for n, argv in argvs.items():
            ms, first, cpu, code = timed(argv)
            times[n].append(ms)
            firsts[n].append(first)
            cpus[n].append(cpu)
            codes[n] = max(codes[n], code)
    floor50, floor95 = statistics.median(times[FLOOR]), pct(times[FLOOR], 95)
    rows = {n: {"argv": ["cchc", *argvs[n][1:]], "runs": a.runs, "p50_ms": round(statistics.median(t), 1),
                "p95_ms": round(pct(t, 95), 1), "min_ms": round(min(t), 1), "max_ms": round(max(t), 1),
                "first_line_p50_ms": round(statistics.median(firsts[n]), 1),
                "first_line_p95_ms": round(pct(firsts[n], 95), 1),
                "cpu_p50_ms": round(statistics.median(cpus[n]), 1), "cpu_p95_ms": round(pct(cpus[n], 95), 1),
                "worst_exit_code": codes[n]} for n, t in times.items()}
    print(f"store {a.store}, {a.runs} runs each; floor = `{FLOOR}` (process start and imports); "
          f"whole process wall ms, first line of output, CPU (user+sys)\n")
    print(f"{'question':32} {'p50 ms':>8} {'p95 ms':>8} {'p50-floor':>10} {'p95-floor':>10} "
          f"{'1st p95':>8} {'cpu p50':>8}  exit")
    for n, r in rows.items():
        extra = ("", "") if n == FLOOR else (f"{r['p50_ms'] - floor50:.0f}", f"{r['p95_ms'] - floor95:.0f}")
        print(f"{n:32} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f} {extra[0]:>10} {extra[1]:>10} "
              f"{r['first_line_p95_ms']:8.0f} {r['cpu_p50_ms']:8.0f}  {r['worst_exit_code']}")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps({"store": a.store, "runs": a.runs, "questions": rows},
                                               ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
