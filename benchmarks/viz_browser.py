"""The default graph page of a store in headless Chromium: size, build time, first-draw time.

For each store: the time to select and write the page `cchc viz` writes, its size, and, in
Debian's Chromium (playwright drives it), the time from navigation to vis-network's first drawn
frame. With --screenshots DIR it also saves what the page shows at first draw.

    python benchmarks/viz_browser.py /tmp/st-1k /tmp/st-10k --screenshots /tmp/shots
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_graph.library import open_store  # noqa: E402
from cchc_graph.visualizations.html import graph_html  # noqa: E402
from cchc_graph.visualizations.view import ViewSpec, select  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def first_draw(browser, path: Path, shot: Path | None) -> float:
    """Seconds from navigation to the first frame vis-network draws (best of two loads)."""
    best = float("inf")
    for _ in range(2):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(path.as_uri(), timeout=120_000)
        page.wait_for_function("window.cchcFirstDraw !== undefined", timeout=120_000)
        best = min(best, page.evaluate("window.cchcFirstDraw") / 1000)
        if shot:
            page.screenshot(path=str(shot))
        page.close()
    return best


def page_figures(store: Path, shot: Path | None = None) -> dict[str, float | int | None]:
    """The default page of one store: build time, size, nodes drawn, first draw in Chromium
    (None without Chromium). benchmarks/scale.py records these for each corpus size."""
    t0 = time.perf_counter()
    with open_store(store).snapshot() as c:
        view = select(c, ViewSpec())
    html = graph_html(view)
    out = {"page_s": time.perf_counter() - t0, "page_mb": len(html.encode()) / 1e6,
           "page_nodes": len(view.nodes), "page_edges": len(view.edges), "first_draw_s": None}
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
            browser = p.chromium.launch(executable_path=exe, args=ARGS)
            path = Path(tmp) / "page.html"
            path.write_text(html, encoding="utf-8")
            out["first_draw_s"] = first_draw(browser, path, shot)
            browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stores", nargs="+", type=Path)
    ap.add_argument("--screenshots", type=Path)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("needs Debian's chromium (apt-get install chromium)")
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    print(f"{'store':>24} {'docs':>6} {'nodes':>6} {'edges':>6} {'page s':>7} {'MB':>6} {'first draw s':>12}")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        for store in args.stores:
            t0 = time.perf_counter()
            with open_store(store).snapshot() as c:
                view = select(c, ViewSpec())
                docs = len(c.documents)
            html = graph_html(view)
            built = time.perf_counter() - t0
            out = Path(tmp) / f"{store.name}.html"
            out.write_text(html, encoding="utf-8")
            shot = args.screenshots / f"{store.name}.png" if args.screenshots else None
            draw = first_draw(browser, out, shot)
            print(f"{store.name:>24} {docs:>6} {len(view.nodes):>6} {len(view.edges):>6} "
                  f"{built:>7.1f} {len(html.encode()) / 1e6:>6.2f} {draw:>12.2f}")
        browser.close()


if __name__ == "__main__":
    main()
