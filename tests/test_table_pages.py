"""Tables in the terminal: an answer longer than a page is printed a page at a time, each page
before the next one's rows are read, every page with the same columns; a short one as before."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from cchc_graph.api import render
from rich.table import Table

COLUMNS = ["Văn bản", "Mục", "Nguồn / source"]


def _rows(n: int, seen: list[str], out: io.StringIO) -> Iterator[list[str]]:
    """``n`` rows, each noting what had been printed when it was made."""
    for i in range(n):
        seen.append(out.getvalue())
        yield [f"{i:03d}/KH-UBND", f"II.{i % 7}", f"dòng {i}: Sở Nội vụ chủ trì rà soát thủ tục " * (1 + i % 3)]


@pytest.mark.parametrize("n", [0, 1, render.PAGE])
def test_an_answer_that_fits_a_page_is_one_table_laid_out_by_rich(n: int) -> None:
    t = render.table("Ai chủ trì / who leads", COLUMNS, _rows(n, [], io.StringIO()))
    assert isinstance(t, Table) and t.row_count == n and not t.expand


@pytest.mark.parametrize("n", [render.PAGE + 1, 3 * render.PAGE + 7])
def test_a_long_answer_is_printed_a_page_at_a_time(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    seen: list[str] = []
    paged = render.table("Ai chủ trì / who leads", COLUMNS, _rows(n, seen, out))
    assert isinstance(paged, render.Paged) and len(seen) == render.PAGE + 1  # (a page, and one to know)
    render.show(paged)
    text = out.getvalue()
    # each page printed before the rows of the next were made (row PAGE was read with the first)
    firsts = [(render.PAGE + 1, render.PAGE - 1), *((k, k - 1) for k in range(2 * render.PAGE, n, render.PAGE))]
    for made, printed in firsts:
        if made < n:
            assert f"dòng {printed}:" in seen[made] and f"dòng {printed + 1}:" not in seen[made], made
    # every row once, in order; the title and the header once; every line as wide as the others
    shown = [int(m) for m in re.findall(r"│ (\d+)/KH-UBND", text)]
    assert shown == list(range(n))
    assert text.count("Ai chủ trì / who leads") == 1 and text.count("Nguồn / source") == 1
    assert len({len(line) for line in text.splitlines()[1:]}) == 1
