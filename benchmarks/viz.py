"""Graph-page benchmark: a store's export copied N times (ids made distinct) and drawn.

Prints, per size: nodes in the graph, nodes drawn and held back, time to select the view and to
lay out and write the page, and the page's size. Load time in a browser is measured by
tests/test_browser.py's approach (Chromium), not here.

    python benchmarks/viz.py --store .cchc 1 10 40
"""

from __future__ import annotations

import argparse
import json
import re
import time

from cchc_graph.graph.questions import typed
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store.build import Store
from cchc_graph.visualizations.html import graph_html
from cchc_graph.visualizations.view import ViewSpec, select

SHARED = ("jurisdictions", "indicators", "areas")  # the same map and indicators in every copy


def scaled(export: dict, copies: int) -> dict:
    text = json.dumps(export)
    ids = sorted({d["id"] for d in export["documents"]}, key=len, reverse=True)
    out = {k: ([] if isinstance(v, list) else v) for k, v in export.items()}
    for i in range(copies):
        t = text
        for did in ids:
            t = t.replace(did, f"{did}x{i}")
        t = re.sub(r'"(ag|task|tgt|ref|cit):', lambda m, i=i: f'"{m.group(1)}{i}:', t)
        for k, v in json.loads(t).items():
            if isinstance(v, list) and k not in SHARED:
                out[k].extend(v)
    for k in SHARED:
        out[k] = export.get(k, [])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("copies", nargs="*", type=int, default=[1, 10, 40])
    ap.add_argument("--store", default=".cchc")
    args = ap.parse_args()
    export = Store(args.store).load_export()
    print(f"{'copies':>6} {'nodes':>7} {'drawn':>6} {'held':>6} {'select s':>9} {'page s':>7} {'MB':>6}")
    for n in args.copies:
        c = Corpus.from_export(scaled(export, n))
        nodes = len(typed.kinds(c))
        t0 = time.perf_counter()
        view = select(c, ViewSpec())
        t1 = time.perf_counter()
        html = graph_html(view)
        t2 = time.perf_counter()
        print(f"{n:>6} {nodes:>7} {len(view.nodes):>6} {len(view.reserve_nodes):>6} "
              f"{t1 - t0:>9.2f} {t2 - t1:>7.2f} {len(html.encode()) / 1e6:>6.1f}")


if __name__ == "__main__":
    main()
