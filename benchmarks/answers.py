"""Record the answer of every question (CLI and HTTP) over a store, and compare two recordings.

Made for issue 20 (the store moves to SQLite): record before the change, record after, compare.
It imports nothing from the project: it runs the ``cchc`` console script and ``cchc serve``.

    python benchmarks/answers.py record --cchc .venv/bin/cchc --store STORE --out DIR \\
        [--corpus CORPUS_DIR] [--args-from EARLIER_DIR] [--skip GLOB ...] [--jobs 2]
    python benchmarks/answers.py compare BEFORE_DIR AFTER_DIR [--show 5]

``record`` reads the store's JSON export, picks arguments from its content (the agencies with
most responsibilities, the jurisdictions with most documents, the most cited numbers, the
commonest two-word phrases of task titles, the commonest metrics, documents that implement
another …; saved in DIR/_picks.json, reused with --args-from so both recordings ask the very
same questions), runs every CLI question with --json (and the export formats, SVG charts, the
matrix as CSV/xlsx, the calendar as .ics, viz pages), then starts ``cchc serve`` on a free port
and GETs every API route and browser page with the same arguments. Several invocations per
command, one of them asking for something that does not exist, so error messages are compared
too. One file per invocation, DIR/NAME.json (.json.gz when large): argv or URL, exit code or
HTTP status, stdout or body (parsed when JSON), stderr, and the files a command wrote. What is
not recorded (commands that write the store, routes that are not GET …) is printed.

``compare`` prints identical / different (the first differing JSON paths with both values;
"order only" when the same items come in another order) / missing per invocation, a summary,
and exits 1 when anything differs or is missing.

Normalisations (only what changes from run to run), applied when recording:
- the store folder (as given and absolute), the temporary folder that -o files go to and,
  with --corpus, the corpus folder (as given, absolute and relative to the working directory)
  are replaced by <STORE>, <OUT> and <CORPUS>; the cchc path is recorded as ``cchc``;
- iCalendar ``DTSTAMP`` (the time the file was made) becomes ``DTSTAMP:<NOW>``;
- JSON-LD (expanded form, an unordered set of nodes) has its node list sorted by @id and each
  property's values sorted, since rdflib emits them in hash-set order that changes per process;
- .xlsx files (zip members carry the time they were written) are recorded as their cell values;
- graph pages (``cchc viz`` files, ``/`` of the server) keep their embedded data apart, parsed,
  with its ``jurisdictions`` and ``overview.citations`` lists sorted: the code fills them from
  sets, so their order changes per process (seen on the 1,000-document corpus).
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

MISSING = "zzz khong ton tai 404"  # a name, number, phrase and id that no store holds
AUDIT_RULES = ["task_no_lead", "task_many_leads", "task_no_deadline", "report_cycle", "target_weaker",
               "target_missing", "target_no_agency", "citation_unresolved", "citation_inconsistent",
               "citation_superseded", "agency_unknown_kind"]
SEARCH_TYPES = ["agency", "document", "indicator", "task", "target", "citation"]
EXPORTS = ["turtle", "jsonld", "nt", "graphml", "gexf"]
NOT_RECORDED_COMMANDS = {"build": "writes the store", "rebuild": "writes the store",
                         "serve": "runs the server the HTTP answers are recorded from"}
NOT_RECORDED_OTHER = ["neo4j push (needs a Neo4j server)", "serve --backend neo4j (needs a Neo4j server)",
                      "POST /documents (upload: writes the store, mounted only with a token)"]
LARGE = 4_000_000  # serialised records above this are gzipped
GRAPH_DATA = re.compile(r'(<script id="cchc-data" type="application/json">)(.*?)(</script>)', re.S)


# ---------------------------------------------------------------- arguments from the store

def _top(counts: Counter, n: int) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:n]]


def fold(text: str) -> str:
    """Accents removed (as a user without a Vietnamese keyboard types)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _phrases(tasks: list[dict], n: int) -> list[str]:
    """The commonest pairs of adjacent words in task titles, no word in two of them."""
    pairs: Counter = Counter()
    for t in tasks:
        words = [w for w in re.findall(r"\w+", (t.get("title") or "").lower()) if w.isalpha() and len(w) > 1]
        pairs.update(f"{a} {b}" for a, b in pairwise(words))
    chosen: list[str] = []
    for pair in _top(pairs, len(pairs)):
        if len(chosen) < n and not set(pair.split()) & {w for c in chosen for w in c.split()}:
            chosen.append(pair)
    return chosen


def _prefix(doc: str, docs: list[str]) -> str:
    """The shortest start (3 characters at least) of ``doc`` that no other document id has."""
    for n in range(3, len(doc) + 1):
        if sum(d.startswith(doc[:n]) for d in docs) == 1:
            return doc[:n]
    return doc


def choose(export: dict) -> dict[str, Any]:
    """Arguments for the questions, picked from the store's own content, deterministically."""
    docs = sorted(d["id"] for d in export["documents"])
    tasks_of = Counter(t["document"] for t in export["tasks"])
    targets_of = Counter(t["document"] for t in export["targets"])
    names = {a["id"]: a["name"] for a in export["agencies"]}
    held = Counter(r["agency"] for r in export["responsibilities"])
    agencies, by_name = _top(held, 5), Counter()
    for a, n in held.items():
        by_name[names.get(a, a)] += n
    jnames = {j["id"]: j["name"] for j in export["jurisdictions"]}
    jurs = _top(Counter(d["jurisdiction"] for d in export["documents"] if d.get("jurisdiction")), 2)
    cited = Counter(c["number"] for c in export["citations"] if c.get("number"))
    numbered = {d["id"]: d.get("number") or d.get("number_inferred") for d in export["documents"]}
    doc_numbers = _top(Counter({n: cited.get(n, 0) for n in numbered.values() if n}), 1)
    loaded = set(docs)
    impl = sorted({(e["source"], e["target"]) for e in export["edges"]  # plans with a parent plan loaded
                   if e["type"] in ("implements", "based_on") and e["target"] in loaded})
    impl = impl or sorted({(e["source"], e["target"]) for e in export["edges"] if e["type"] == "implements"})
    busiest = _top(tasks_of, 1) or docs[:1]
    cited_doc = next((p for _, p in impl if p in numbered), docs[0])
    per_task = Counter(r["task"] for r in export["responsibilities"])
    targets = sorted(export["targets"], key=lambda t: (t.get("indicator") is None, t["id"]))
    inds = Counter(t["indicator"] for t in export["targets"] if t.get("indicator"))
    ind_names = {i["id"]: i["name"] for i in export["indicators"]}
    return {
        "documents": list(dict.fromkeys([docs[0], docs[-1], *busiest, *_top(targets_of, 1)])),
        "busiest_document": busiest[0], "prefix": _prefix(busiest[0], docs),
        "doc_numbers": doc_numbers, "cited_document": cited_doc,
        "children": list(dict.fromkeys(c for c, _ in impl))[:3], "parent": impl[0][1] if impl else None,
        "agencies": agencies, "agency_names": _top(by_name, 3),  # names: a name may be many agencies
        "jurisdictions": jurs, "jurisdiction_names": [jnames.get(j, j) for j in jurs],
        "numbers": _top(cited, 3), "phrases": _phrases(export["tasks"], 3),
        "metrics": _top(Counter(t["metric"] for t in export["targets"] if t.get("metric")), 3),
        "indicator": ind_names.get(_top(inds, 1)[0]) if inds else None,
        "tasks": list(dict.fromkeys([*_top(per_task, 1), *(t["id"] for t in export["tasks"][:1])])),
        "target": targets[0]["id"] if targets else None,
        "reference": (_top(Counter(c["ref"] for c in export["citations"] if c.get("ref")), 1) or [None])[0],
    }


# ---------------------------------------------------------------- the questions

def _sparql(p: dict) -> list[str]:
    agency = p["agency_names"][0].replace('"', '\\"')
    return [
        "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type",
        "SELECT ?task ?text WHERE { ?a skos:prefLabel ?name ; cchc:lead ?t . "
        f'FILTER (STR(?name) = "{agency}") ?t cchc:localId ?task ; cchc:text ?text }} '
        "ORDER BY ?task LIMIT 50",
        f'ASK {{ ?d cchc:localId "{p["documents"][0]}" }}',
        "SELECT WHERE {",  # invalid: the error message
    ]


def cli_cases(p: dict) -> list[list[str]]:
    """Arguments after ``cchc`` (the store is added); OUT/ stands for a fresh temporary folder."""
    J, ph, ag, names = "--json", p["phrases"], p["agencies"], p["agency_names"]
    doc, docs, jn, m = p["busiest_document"], p["documents"], p["jurisdiction_names"], p["metrics"]
    c: list[list[str]] = [["stats", J], ["stats", "--documents", J]]
    c += [["who-leads", x, J] for x in ph] + [["who-leads", fold(ph[0]), J],
          ["who-leads", ph[0], "-j", jn[0], J], ["who-leads", ph[0], "-d", doc, J],
          ["who-leads", "--agency", names[0], "--role", "lead", J],
          ["who-leads", "--agency", names[1], "--role", "cooperate", "-j", jn[0], J],
          ["who-leads", MISSING, J], ["who-leads", "--agency", MISSING, J]]
    c += [["who-leads", "--agency", n, J] for n in names[:3]]
    c += [["agency", a, J] for a in ag] + [["agency", names[0], J], ["agency", names[0], "-j", jn[0], J],
                                            ["agency", MISSING, J]]
    c += [["cites", d, J] for d in docs] + [["cites", docs[0], "--depth", "2", J], ["cites", p["prefix"], J],
                                             ["cites", MISSING, J], ["cites", J]]
    c += [["cites", "--status", s, J] for s in ("resolved", "unresolved", "inconsistent")]
    c += [["cites", n, J] for n in p["doc_numbers"]]
    c += [["cited-by", n, J] for n in p["numbers"] + p["doc_numbers"]] + [["cited-by", MISSING, J]]
    c += [["cited-by", p["numbers"][0], "--depth", "3", J]] if p["numbers"] else []
    ents = [*p["tasks"], p["target"], docs[0], names[0], ag[0], p["reference"]]
    c += [["deps", e, J] for e in ents if e] + [["deps", p["tasks"][0], "--depth", "2", J],
                                                 ["deps", MISSING, J]]
    c += [["path", ag[0], ag[1], J], ["path", docs[0], docs[-1], J],
          ["path", docs[0], docs[-1], "--structural", J], ["path", names[0], p["tasks"][0], J],
          ["path", ag[0], p["tasks"][0], J],
          ["path", MISSING, ag[0], J]]
    c += [["cascade", ch, J] for ch in p["children"]] + [["cascade", docs[0], J], ["cascade", MISSING, J]]
    c += [["cascade", p["children"][0], "--parent", p["parent"], J]] if p["children"] else []
    c += [["compare", J]] + [["compare", x, J] for x in m] + [["compare", MISSING, J]]
    c += [["matrix", J], ["matrix", "-d", doc, J], ["matrix", "-j", jn[0], J], ["matrix", "-d", MISSING, J],
          ["matrix", "-d", doc, "--format", "csv"],
          ["matrix", "-d", doc, "--format", "xlsx", "-o", "OUT/m.xlsx"]]
    c += [["audit", J], ["audit", "-d", doc, J], ["audit", "-d", doc, "--limit", "2", J],
          ["audit", "-d", MISSING, J]]
    c += [["audit", "--severity", s, J] for s in ("warning", "error")]
    c += [["audit", "--rule", r, J] for r in AUDIT_RULES]
    c += [["calendar", J], ["calendar", "-d", doc, J], ["calendar", "-j", jn[0], J],
          ["calendar", "--agency", names[0], J], ["calendar", "-d", MISSING, J],
          ["calendar", "--format", "ics", "-d", doc], ["calendar", "--format", "ics", "-o", "OUT/all.ics"]]
    queries = {"agency": names[0], "document": ph[0], "indicator": p["indicator"] or ph[0], "task": ph[0],
               "target": ph[0], "citation": (p["numbers"] or [ph[0]])[0]}
    c += [["search", x, J] for x in ph] + [["search", fold(ph[0]), J], ["search", ph[0], "--limit", "5", J],
                                            ["search", MISSING, J]]
    c += [["search", q, "--type", t, J] for t, q in queries.items()]
    c += [["gaps", J], ["gaps", "-d", doc, J], ["gaps", "--limit", "5", J], ["gaps", "-d", MISSING, J]]
    c += [["gaps", "--kind", k, J] for k in ("duty", "figure", "metadata")]
    c += [["export", "--format", "json"]] + [["export", "--format", f] for f in EXPORTS]
    c += [["export", "--format", "neo4j-csv", "-o", "OUT/neo4j"]]
    c += [["chart", "compare", m[0]], ["chart", "compare", MISSING]] if m else []
    c += [["chart", "cascade", ch] for ch in p["children"][:1]]
    c += [["sparql", q, J] for q in _sparql(p)]
    c += [["viz", "-o", "OUT/g.html"], ["viz", "--focus", docs[0], "--depth", "2", "-o", "OUT/g.html"]]
    return [list(x) for x in dict.fromkeys(map(tuple, c))]


def _url(path: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return path + ("?" + query if query else "")


def _seg(value: str) -> str:
    return quote(value, safe="")


def http_cases(p: dict) -> list[str]:
    """Every GET route of the API and of the graph browser, with the CLI's arguments."""
    ph, ag, names, docs = p["phrases"], p["agencies"], p["agency_names"], p["documents"]
    doc, j, jn, m, u = p["busiest_document"], p["jurisdictions"], p["jurisdiction_names"], p["metrics"], _url
    ents = [e for e in [*p["tasks"], p["target"], docs[0], names[0], ag[0], p["reference"]] if e]
    c = ["/health", "/openapi.json", "/docs", u("/documents"), u("/documents", limit=500),
         u("/documents", offset=1, limit=3), u("/documents", jurisdiction=jn[0])]
    c += [f"/documents/{_seg(x)}" for x in [*docs[:2], p["prefix"], *p["doc_numbers"], MISSING]]
    c += [f"/documents/{_seg(docs[0])}/citations", u(f"/documents/{_seg(docs[0])}/citations", depth=2),
          f"/documents/{_seg(p['cited_document'])}/cited-by", f"/documents/{_seg(MISSING)}/citations"]
    c += [f"/documents/{_seg(x)}/cascade" for x in [*p["children"][:2], docs[0]]]
    c += [u("/agencies"), u("/agencies", q=names[0]), u("/agencies", jurisdiction=j[0]),
          u("/agencies", limit=500, offset=10), u("/agencies/roles", q=names[0]),
          u("/agencies/roles", q=names[0], role="lead"), u("/agencies/roles", q=names[1], document=doc),
          u("/agencies/roles", q=names[0], role="bogus"), "/agencies/roles", f"/agencies/{_seg(MISSING)}"]
    c += [f"/agencies/{_seg(a)}" for a in ag[:3]]
    c += [u("/who-leads", q=x) for x in ph] + [u("/who-leads", q=ph[0], jurisdiction=jn[0]),
          u("/who-leads", q=ph[0], document=doc), u("/who-leads", q=ph[0], limit=500),
          u("/who-leads", q=MISSING), "/who-leads"]
    c += [u("/search", q=x) for x in ph] + [u("/search", q=ph[0], type="task"),
          u("/search", q=names[0], type=["agency", "document"]), u("/search", q=MISSING)]
    c += [u("/deps", entity=e) for e in ents] + [u("/deps", entity=p["tasks"][0], depth=2),
                                                  u("/deps", entity=MISSING)]
    c += [u("/path", source=ag[0], target=ag[1]), u("/path", source=docs[0], target=docs[-1]),
          u("/path", source=docs[0], target=docs[-1], structural="true"),
          u("/path", source=MISSING, target=ag[0])]
    c += [u("/audit"), u("/audit", severity="warning"), u("/audit", document=doc), u("/audit", limit=500),
          u("/audit", document=MISSING)] + [u("/audit", rule=r) for r in AUDIT_RULES]
    c += [u("/citations"), u("/citations", status="resolved"), u("/citations", status="unresolved"),
          u("/citations", limit=500), "/citations/inconsistencies"]
    c += [u("/cited-by", number=n) for n in [*p["numbers"], *p["doc_numbers"], MISSING]]
    c += [u("/cited-by", number=p["numbers"][0], depth=3)] if p["numbers"] else []
    c += ["/metrics"] + [u("/compare", metric=x) for x in m] + [u("/compare", metric=MISSING)]
    c += [u("/matrix"), u("/matrix", document=doc), u("/matrix", jurisdiction=jn[0]),
          u("/matrix", document=MISSING), u("/matrix.csv", document=doc), u("/matrix.xlsx", document=doc)]
    c += [u("/calendar"), u("/calendar", document=doc), u("/calendar", jurisdiction=jn[0]),
          u("/calendar", agency=names[0]), u("/calendar.ics", document=doc),
          u("/calendar.ics", agency=names[0])]
    c += [u("/sparql", query=q) for q in _sparql(p)]
    c += ["/", u("/", focus=docs[0], depth=2), u("/", document=doc), u("/", jurisdiction=jn[0]),
          u("/", type=["document", "reference"]), u("/", role="lead", document=doc),
          "/pages/documents", f"/pages/documents/{_seg(doc)}", f"/pages/documents/{_seg(MISSING)}",
          "/pages/agencies", f"/pages/agencies/{_seg(ag[0])}", "/pages/metrics",
          f"/pages/metrics/{_seg(MISSING)}"]
    c += [f"/pages/metrics/{_seg(m[0])}"] if m else []
    return list(dict.fromkeys(c))


# ---------------------------------------------------------------- normalising what a run changes

@dataclass
class Paths:
    """Run-dependent folders and their placeholders, longest first."""
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, placeholder: str, *paths: str | Path) -> Paths:
        spellings = {str(p).rstrip("/") for p in paths if str(p)}
        spellings |= {str(Path(p).resolve()) for p in paths if str(p)}
        pairs = self.pairs + [(s, placeholder) for s in spellings if s not in (".", "/")]
        return Paths(sorted(pairs, key=lambda sp: -len(sp[0])))

    def text(self, s: str) -> str:
        for path, placeholder in self.pairs:
            s = s.replace(path, placeholder)
        return s

    def deep(self, v: Any) -> Any:
        if isinstance(v, str):
            return self.text(v)
        if isinstance(v, list):
            return [self.deep(x) for x in v]
        if isinstance(v, dict):
            return {self.text(k): self.deep(x) for k, x in v.items()}
        return v


def _canonical_dump(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def sort_jsonld(v: Any) -> Any:
    """Expanded JSON-LD with its (unordered) node and value arrays sorted; @list kept in order."""
    if isinstance(v, list):
        return sorted((sort_jsonld(x) for x in v), key=_canonical_dump)
    if isinstance(v, dict):
        return {k: [sort_jsonld(y) for y in x] if k == "@list" else sort_jsonld(x) for k, x in v.items()}
    return v


def xlsx_cells(data: bytes) -> Any:
    """A workbook's cell values per sheet (the zip around them holds write times)."""
    try:
        import openpyxl
    except ImportError:  # without openpyxl: the hash of each part but the dated properties
        import zipfile
        z = zipfile.ZipFile(io.BytesIO(data))
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in sorted(z.namelist()) if "docProps" not in n}
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def decode(data: bytes, hint: str = "") -> tuple[str, Any]:
    """(format, value): parsed JSON, cells of a workbook, text, or the hash of other bytes."""
    if (hint.endswith("xlsx") or hint.endswith("spreadsheetml.sheet")) and data.startswith(b"PK"):
        return "xlsx", xlsx_cells(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes-sha256", hashlib.sha256(data).hexdigest()
    if not text.strip():
        return "empty", text
    with contextlib.suppress(ValueError):
        value = json.loads(text)
        return ("jsonld", sort_jsonld(value)) if "jsonld" in hint else ("json", value)
    if "BEGIN:VCALENDAR" in text:
        text = re.sub(r"^DTSTAMP:[0-9TZ]+\r?$", "DTSTAMP:<NOW>", text, flags=re.M)
    page = GRAPH_DATA.search(text)
    if page:  # a graph page: its data apart, as JSON, with the lists built from sets sorted
        data = json.loads(page.group(2))
        for holder, key in ((data, "jurisdictions"), (data.get("overview") or {}, "citations")):
            if isinstance(holder.get(key), list):
                holder[key] = sorted(holder[key], key=_canonical_dump)
        return "graph-page", {"html": text[:page.start(2)] + "<cchc-data>" + text[page.end(2):], "data": data}
    return "text", text


# ---------------------------------------------------------------- running

def slug(prefix: str, raw: str, used: set[str]) -> str:
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", fold(raw)).strip("-")
    if len(s) > 90 or f"{prefix}__{s}" in used:
        s = s[:90] + "-" + hashlib.sha1(raw.encode()).hexdigest()[:8]
    used.add(f"{prefix}__{s}")
    return f"{prefix}__{s}"


def run_cli(cchc: str, store: str, args: list[str], paths: Paths, tmp: Path) -> dict:
    out = Path(tempfile.mkdtemp(dir=tmp))
    argv = [f"{out}/{a[4:]}" if a.startswith("OUT/") else a for a in args]
    argv += [] if args[0] == "neo4j" else ["--store", store]
    r = subprocess.run([cchc, *argv], capture_output=True, timeout=3600)
    fmt, stdout = decode(r.stdout, "jsonld" if "jsonld" in args else "")
    files = {}
    for f in sorted(x for x in out.rglob("*") if x.is_file()):
        fmt_f, content = decode(f.read_bytes(), f.name)
        files[str(f.relative_to(out))] = {"format": fmt_f, "content": content}
    shutil.rmtree(out, ignore_errors=True)
    rec = {"kind": "cli", "argv": ["cchc", *argv], "exit_code": r.returncode, "format": fmt, "stdout": stdout,
           "stderr": r.stderr.decode("utf-8", "replace"), "files": files}
    return paths.add("<OUT>", out).deep(rec)


def fetch(base: str, url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(base + url, timeout=3600) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def run_http(base: str, url: str, paths: Paths) -> dict:
    status, headers, body = fetch(base, url)
    headers = {k.lower(): v for k, v in headers.items()}
    fmt, value = decode(body, headers.get("content-type", ""))
    return paths.deep({"kind": "http", "url": url, "status": status,
                       "content_type": headers.get("content-type"),
                       "content_disposition": headers.get("content-disposition"),
                       "format": fmt, "body": value})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(cchc: str, store: str, log: Path, timeout: float) -> Iterable[str]:
    """``cchc serve`` on a free port, once /health answers; stopped on leaving."""
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([cchc, "serve", "--store", store, "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT)
    base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                sys.exit(f"cchc serve stopped with exit code {proc.returncode}; see {log}")
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + "/health", timeout=5).close()
                break
            if time.monotonic() > deadline:
                sys.exit(f"cchc serve did not answer /health within {timeout:.0f} s; see {log}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def write(out: Path, name: str, rec: dict) -> None:
    s = json.dumps(rec, ensure_ascii=False, indent=1, default=str)
    if len(s) > LARGE:
        with gzip.open(out / f"{name}.json.gz", "wt", encoding="utf-8", compresslevel=3) as f:
            f.write(s)
    else:
        (out / f"{name}.json").write_text(s + "\n", encoding="utf-8")


def run_all(jobs: int, items: list[tuple[str, Callable[[], dict]]], out: Path) -> None:
    """Runs and writes each (name, thunk), printing progress (records are not kept: exports are big)."""

    def one(i: int, name: str, thunk: Callable[[], dict]) -> None:
        t0 = time.monotonic()
        rec = thunk()
        write(out, name, rec)
        code = rec.get("exit_code", rec.get("status"))
        print(f"[{i + 1}/{len(items)}] {name}  -> {code}  {time.monotonic() - t0:.1f} s", flush=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for f in [pool.submit(one, i, n, t) for i, (n, t) in enumerate(items)]:
            f.result()


# ---------------------------------------------------------------- record

def _cypher_names(cchc: str) -> list[str]:
    r = subprocess.run([cchc, "neo4j", "cypher"], capture_output=True, text=True)
    return [line.split("\t")[0] for line in r.stdout.splitlines() if "\t" in line]


def _commands(cchc: str) -> list[str]:
    text = subprocess.run([cchc, "--help"], capture_output=True, text=True).stdout
    return re.findall(r"^  ([a-z][\w-]*)\s", text.split("Commands:", 1)[-1], flags=re.M)


def _unrecorded_routes(openapi: dict, urls: list[str]) -> list[str]:
    missing = []
    for route, methods in sorted(openapi.get("paths", {}).items()):
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^?]+", re.escape(route)) + r"(\?|$)")
        for method in methods:
            if method != "get":
                missing.append(f"{method.upper()} {route} (not a GET)")
            elif not any(pattern.match(u) for u in urls):
                missing.append(f"GET {route} (no case asks it)")
    return missing


def record(a: argparse.Namespace) -> int:
    out, store, cchc = Path(a.out), a.store, str(Path(a.cchc).resolve())
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.json"), *out.glob("*.json.gz")]:
        old.unlink()
    paths = Paths().add("<STORE>", store)
    if a.corpus:
        paths = paths.add("<CORPUS>", a.corpus, os.path.relpath(Path(a.corpus).resolve()))
    used: set[str] = set()
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cchc-answers-") as tmp:
        export = run_cli(cchc, store, ["export", "--format", "json"], paths, Path(tmp))
        if export["exit_code"] != 0 or export["format"] != "json":
            sys.exit(f"cchc export --format json failed: {export['stderr'][:500]}")
        picks = load(Path(a.args_from, "_picks.json")) if a.args_from else choose(export["stdout"])
        (out / "_picks.json").write_text(json.dumps(picks, ensure_ascii=False, indent=1) + "\n", "utf-8")
        write(out, slug("cli", "export --format json", used), export)
        del export  # a large corpus's export holds gigabytes as Python objects
        cases = [c for c in cli_cases(picks) if c != ["export", "--format", "json"]]
        cases += [["neo4j", "cypher"]] + [["neo4j", "cypher", n] for n in _cypher_names(cchc)]
        items = []
        for c in cases:
            name = slug("cli", " ".join(c), used)
            if any(fnmatch.fnmatch(name, g) for g in a.skip):
                skipped.append(name)
            else:
                items.append((name, lambda c=c: run_cli(cchc, store, c, paths, Path(tmp))))
        run_all(a.jobs, items, out)
    urls = http_cases(picks)
    with serving(cchc, store, out / "_serve.log", a.serve_timeout) as base:
        items = []
        for u in urls:
            name = slug("http", unquote("/root" + u[1:] if u == "/" or u.startswith("/?") else u), used)
            if any(fnmatch.fnmatch(name, g) for g in a.skip):
                skipped.append(name)
            else:
                items.append((name, lambda u=u: run_http(base, u, paths)))
        run_all(a.jobs, items, out)
    openapi = load(out / "http__openapi.json")["body"] if (out / "http__openapi.json").exists() else {}
    recorded = {c[0] for c in cases}
    counts = Counter(f.name.split("__")[0] for f in out.glob("*__*.json*"))
    print(f"\nrecorded {counts['cli']} CLI and {counts['http']} HTTP invocations in {out}")
    notes = [f"cchc {c} ({NOT_RECORDED_COMMANDS.get(c, 'no case asks it')})"
             for c in _commands(cchc) if c not in recorded]
    notes += NOT_RECORDED_OTHER + _unrecorded_routes(openapi if isinstance(openapi, dict) else {}, urls)
    notes += [f"{n} (--skip)" for n in skipped]
    print("not recorded:\n" + "\n".join(f"  - {n}" for n in notes))
    return 0


# ---------------------------------------------------------------- compare

def load(path: Path) -> Any:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    return json.loads(path.read_text(encoding="utf-8"))


def recordings(folder: Path) -> dict[str, Path]:
    found = {p.name.removesuffix(".gz").removesuffix(".json"): p for p in folder.glob("*.json*")}
    return {n: p for n, p in sorted(found.items()) if not n.startswith("_")}


def _short(v: Any) -> str:
    s = v if isinstance(v, str) and v.startswith("<") and v.endswith(">") else json.dumps(
        v, ensure_ascii=False, default=str)
    return s if len(s) <= 160 else s[:157] + "…"


def _text_diffs(a: str, b: str, path: str, out: list[str], most: int) -> None:
    la, lb = a.splitlines(), b.splitlines()
    if len(la) != len(lb):
        out.append(f"{path}: {len(la)} lines -> {len(lb)} lines")
    for i, (x, y) in enumerate(zip(la, lb, strict=False)):
        if len(out) >= most:
            return
        if x != y:  # long lines shown from a little before where they part
            k = max(0, next((j for j, (u, v) in enumerate(zip(x, y, strict=False)) if u != v),
                            min(len(x), len(y))) - 40)
            cut = "…" if k else ""
            out.append(f"{path} line {i + 1} col {k + 1}: {cut}{_short(x[k:])} -> {cut}{_short(y[k:])}")
    gone, new = Counter(la) - Counter(lb), Counter(lb) - Counter(la)
    if (gone or new) and len(out) < most + 1:
        out.append(f"{path}: {sum(gone.values())} lines only before, {sum(new.values())} only after"
                   + (f"; e.g. before {_short(next(iter(gone)))}" if gone else "")
                   + (f"; e.g. after {_short(next(iter(new)))}" if new else ""))


def diffs(a: Any, b: Any, path: str, out: list[str], most: int) -> None:
    """Appends 'path: before -> after' for the first ``most`` differences."""
    if len(out) >= most or a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in [*a, *(k for k in b if k not in a)]:
            if k not in b or k not in a:
                out.append(f"{path}.{k}: {_short(a.get(k, '<absent>'))} -> {_short(b.get(k, '<absent>'))}")
            else:
                diffs(a[k], b[k], f"{path}.{k}", out, most)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items -> {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            diffs(x, y, f"{path}[{i}]", out, most)
        if len(a) != len(b) and len(out) < most:
            extra = a[len(b):] or b[len(a):]
            out.append(f"{path}[{min(len(a), len(b))}:] only {'before' if len(a) > len(b) else 'after'}: "
                       f"{_short(extra[0])}")
    elif isinstance(a, str) and isinstance(b, str) and ("\n" in a or "\n" in b):
        _text_diffs(a, b, path, out, most)
    else:
        out.append(f"{path}: {_short(a)} -> {_short(b)}")


def canonical(v: Any) -> Any:
    """The value with every list sorted and every text's lines sorted: equal when only order differs."""
    if isinstance(v, list):
        return sorted((canonical(x) for x in v), key=_canonical_dump)
    if isinstance(v, dict):
        return {k: canonical(x) for k, x in v.items()}
    if isinstance(v, str) and "\n" in v:
        return sorted(v.splitlines())
    return v


def compare(a: argparse.Namespace) -> int:
    before, after = Path(a.before), Path(a.after)
    old, new = recordings(before), recordings(after)
    if (before / "_picks.json").exists() and (after / "_picks.json").exists() and \
            load(before / "_picks.json") != load(after / "_picks.json"):
        print("note: the arguments were picked differently (record the second with --args-from BEFORE_DIR)")
    tally: Counter = Counter()
    for name in sorted(old.keys() | new.keys()):
        if name not in new or name not in old:
            where = "after" if name not in new else "before"
            tally[f"missing in {where}"] += 1
            print(f"MISSING    {name} (no recording {where})")
            continue
        x, y = load(old[name]), load(new[name])
        if x == y:
            tally["identical"] += 1
            if not a.quiet:
                print(f"identical  {name}")
            continue
        order = canonical(x) == canonical(y)
        tally["different (order only)" if order else "different"] += 1
        print(f"DIFFERENT  {name}{' (order only)' if order else ''}")
        lines: list[str] = []
        diffs(x, y, "$", lines, a.show)
        print("\n".join(f"    {line}" for line in lines[:a.show + 1]))
    print("\nsummary: " + ", ".join(f"{n} {k}" for k, n in sorted(tally.items())))
    return 0 if set(tally) <= {"identical"} else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record", help="record every answer over a store")
    r.add_argument("--cchc", required=True, help="the cchc console script (e.g. .venv/bin/cchc)")
    r.add_argument("--store", required=True, help="the graph store folder")
    r.add_argument("--out", required=True, help="the folder for the recordings (its *.json are replaced)")
    r.add_argument("--corpus", help="the corpus folder the store was built from (recorded as <CORPUS>)")
    r.add_argument("--args-from", help="reuse the arguments picked in this earlier recording")
    r.add_argument("--skip", action="append", default=[], metavar="GLOB",
                   help="leave out the invocations whose name matches")
    r.add_argument("--jobs", type=int, default=1, help="invocations at once (default 1)")
    r.add_argument("--serve-timeout", type=float, default=600, help="seconds to wait for cchc serve")
    c = sub.add_parser("compare", help="compare two recordings")
    c.add_argument("before")
    c.add_argument("after")
    c.add_argument("--show", type=int, default=5, help="differences shown per invocation")
    c.add_argument("-q", "--quiet", action="store_true", help="do not list identical invocations")
    a = ap.parse_args(argv)
    return record(a) if a.cmd == "record" else compare(a)


if __name__ == "__main__":
    sys.exit(main())
