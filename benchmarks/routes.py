"""Worst cases of the HTTP routes whose cost grows with the corpus, in-process (no network).

Opens the app over a store (nothing is prepared: questions read the store's database), then
asks each route its most expensive question (no filter, the most
cited document, the deepest trace, the commonest word, the largest page) and prints the
wall time, the size of the answer and the growth of the process's peak RSS. The table of
docs/robustness.md comes from here.

    python benchmarks/routes.py --store /tmp/cchc-bench/store-10000 [--json F]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _largest_province(export: dict) -> str:
    """The id of the province whose documents (its own and its districts') hold most tasks."""
    parent = {j["id"]: j.get("parent") for j in export["jurisdictions"]}
    level = {j["id"]: j.get("level") for j in export["jurisdictions"]}
    where = {d["id"]: d.get("jurisdiction") for d in export["documents"]}
    tasks: Counter = Counter()
    for t in export["tasks"]:
        j = where.get(t["document"])
        while j and level.get(j) not in ("province", None):
            j = parent.get(j)
        if j:
            tasks[j] += 1
    return quote(tasks.most_common(1)[0][0], safe="")


def worst_urls(export: dict) -> dict[str, str]:
    """The costliest question of each route, chosen from what the store holds."""
    cited = Counter(c["ref"] for c in export["citations"])
    hub = cited.most_common(1)[0][0]  # the most cited node: the widest traces
    ref = next((r for r in export["references"] if r["id"] == hub), None)
    number = quote((ref or {}).get("number") or hub, safe="")
    docs = sorted(d["id"] for d in export["documents"])
    first, last = quote(docs[0], safe=""), quote(docs[-1], safe="")
    agency = Counter(r["agency"] for r in export["responsibilities"]).most_common(1)[0][0]
    held = Counter(r["role"] for r in export["responsibilities"] if r["agency"] == agency)
    role = held.most_common(1)[0][0]
    metric = Counter(t["metric"] for t in export["targets"]).most_common(1)[0][0]
    a = quote(agency, safe="")
    h = quote(hub, safe="")
    province = _largest_province(export)
    return {
        "deps depth 10 of the most cited node": f"/deps?entity={h}&depth=10",
        "path between two unrelated documents": f"/path?source={first}&target={last}",
        "path, structural": f"/path?source={first}&target={last}&structural=true",
        "cited-by depth 10 of the most cited number": f"/cited-by?number={number}&depth=10&limit=500",
        "search one common syllable": "/search?q=c%C3%A1c&limit=500",
        "who-leads one common word": "/who-leads?q=th%E1%BB%B1c%20hi%E1%BB%87n&limit=500",
        "agency roles of the busiest agency": f"/agencies/{a}",
        "agency profile, 50 of its roles": f"/agencies/{a}?roles_limit=50",
        "agency page of the busiest agency": f"/pages/agencies/{a}",
        "agency page, its commonest role, page 2": f"/pages/agencies/{a}?role={role}&page=2",
        "metric page of the commonest metric": f"/pages/metrics/{quote(metric, safe='')}",
        "audit, all rules": "/audit?limit=500",
        "matrix, whole corpus (JSON)": "/matrix",
        "matrix, whole corpus (xlsx)": "/matrix.xlsx",
        "matrix, largest province (JSON)": f"/matrix?jurisdiction={province}",
        "matrix, largest province (CSV)": f"/matrix.csv?jurisdiction={province}",
        "matrix, largest province (xlsx)": f"/matrix.xlsx?jurisdiction={province}",
        "calendar, whole corpus (page)": "/calendar?limit=500",
        "calendar, whole corpus (.ics)": "/calendar.ics",
        "calendar, largest province (.ics)": f"/calendar.ics?jurisdiction={province}",
        "calendar, one agency name everywhere (.ics)": f"/calendar.ics?agency={quote('Sở Nội vụ')}",
        "graph page, default 2,000 nodes": "/",
        "graph page, 2,000 nodes around the most cited node": f"/?focus={h}&depth=2",
        "documents page (all)": "/pages/documents",
        "agencies page (all)": "/pages/agencies",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--only", help="only the routes whose label contains this")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    from cchc_graph.api.app import create_app
    from cchc_graph.graph.store.build import Store
    from fastapi.testclient import TestClient

    t0 = time.perf_counter()
    app = create_app(a.store)
    client = TestClient(app)
    client.get("/health")
    print(f"open: {time.perf_counter() - t0:.1f} s, peak RSS {_peak_mb():.0f} MB")
    rows = []
    for label, url in worst_urls(Store(a.store).load_export()).items():
        if a.only and a.only not in label:
            continue
        before = _peak_mb()
        t = time.perf_counter()
        r = client.get(url)
        wall = time.perf_counter() - t
        count = r.json().get("count") if r.headers["content-type"].startswith("application/json") else None
        rows.append({"route": label, "url": url, "status": r.status_code, "s": round(wall, 2),
                     "mb": round(len(r.content) / 1e6, 2), "count": count,
                     "peak_growth_mb": round(_peak_mb() - before)})
        print(f"{label:<44} {r.status_code} {wall:7.2f} s {len(r.content) / 1e6:8.2f} MB "
              f"count={count} +{_peak_mb() - before:.0f} MB peak", flush=True)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
