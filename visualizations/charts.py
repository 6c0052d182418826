"""Charts as inline SVG: offline, crisp at any zoom, and embeddable in any page or saved alone.

- ``comparison_svg``: one metric, a bar per target (jurisdiction, document, year), the parent
  plan's value marked on the bar's row;
- ``cascade_svg``: a plan's targets against its parent's, metric by metric, coloured by status.
Every bar and mark has a ``<title>`` tooltip with the sentence it comes from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from xml.sax.saxutils import escape

from cchc_graph.graph.questions.cascade import Cascade, ComparisonRow, fmt_value, row_labels
from cchc_graph.graph.questions.index import DocRef, source_place
from cchc_graph.graph.questions.refines import CascadeRow, TargetRef, metric_label
from cchc_graph.loaders.schema import Provenance

WIDTH = 860
LABEL_W = 330
ROW_H = 26
BAR_H = 16
TOP = 54
FONT = "system-ui, 'Segoe UI', Roboto, sans-serif"
STATUS = {  # Vietnamese label, colour of the child's bar
    "weaker": ("thấp hơn cấp trên", "#C0392B"),
    "equal": ("bằng cấp trên", "#0072B2"),
    "stronger": ("cao hơn cấp trên", "#009E73"),
    "missing": ("thiếu ở cấp dưới", "#E69F00"),
    "not_comparable": ("không so được", "#BBBBBB"),
    "extra": ("chỉ có ở cấp dưới", "#56B4E9"),
}
PARENT_COLOR = "#34495E"
LEGEND_X = 12
LEGEND_CHAR = 6.2  # px per character of an 11px label (a generous average, so entries never overlap)
LABEL_CHARS = 36  # characters of a metric label per line in the cascade chart's left column



def doc_name(d: DocRef, labels: Mapping[str, str] | None = None) -> str:
    """A document as a chart label: its corpus label ("KH 12/KH-UBND · Vĩnh Long") when given,
    else its number, else the start of its title."""
    return (labels or {}).get(d.id) or d.number or _clip(d.title or d.id, 28)


def _scale_max(values: list[float], unit: str | None) -> float:
    top = max([v for v in values if v is not None] or [1.0])
    return max(100.0, top) if unit == "%" else top * 1.1 or 1.0


def _text(x: float, y: float, s: str, size: int = 12, anchor: str = "start", weight: str = "normal",
          fill: str = "#1d1d1f") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>')


def _split(s: str, n: int) -> tuple[str, str]:
    """The first line of ``s`` (at most ``n`` characters, cut at a space) and the rest."""
    if len(s) <= n:
        return s, ""
    cut = s.rfind(" ", 0, n + 1)
    cut = cut if cut > 0 else n
    return s[:cut], s[cut:].strip()


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _legend_rows(legend: list[tuple[str, str]]) -> list[list[tuple[float, str, str]]]:
    """Legend entries placed left to right from ``LEGEND_X``, wrapped before the right edge."""
    rows: list[list[tuple[float, str, str]]] = [[]]
    x = LEGEND_X
    for label, color in legend:
        width = 22 + LEGEND_CHAR * len(label)
        if rows[-1] and x + width > WIDTH - 12:
            rows.append([])
            x = LEGEND_X
        rows[-1].append((x, label, color))
        x += width + 14
    return rows


def _frame(title: str, subtitle: str, rows: int, body: list[str], legend: list[tuple[str, str]]) -> str:
    """The chart: title, subtitle, body and a legend giving every colour used (wrapped)."""
    placed = _legend_rows(legend)
    top = TOP + rows * ROW_H + 30
    height = top + 18 * len(placed) + 8
    legend_svg = []
    for i, row in enumerate(placed):
        y = top + 18 * i
        for x, label, color in row:
            legend_svg.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{color}"/>')
            legend_svg.append(_text(x + 17, y + 10, label, 11))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" font-family="{FONT}" class="chart">'
            f"<title>{escape(title)}</title>"
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
            + _text(12, 22, title, 15, weight="600") + _text(12, 40, subtitle, 11, fill="#666666")
            + "".join(body) + '<g class="legend">' + "".join(legend_svg) + "</g></svg>")


def _axis(vmax: float, unit: str | None, rows: int) -> list[str]:
    out = []
    span = WIDTH - LABEL_W - 60
    for i in range(5):
        v = vmax * i / 4
        x = LABEL_W + span * i / 4
        out.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{TOP + rows * ROW_H}" '
                   'stroke="#e5e5e5"/>')
        out.append(_text(x, TOP + rows * ROW_H + 14, fmt_value(v, None, unit), 10, "middle", fill="#666666"))
    return out


def _x(value: float, vmax: float) -> float:
    return LABEL_W + (WIDTH - LABEL_W - 60) * max(0.0, value) / vmax


def comparison_svg(rows: list[ComparisonRow], title: str | None = None,
                   labels: Mapping[str, str] | None = None) -> str:
    """Bars of one metric's targets; the parent's value as a dark tick on the same row.

    Only the most common unit is drawn (a percentage and a count share no axis); the others are
    named in the subtitle.
    """
    units = Counter(r.unit for r in rows if r.value is not None)
    unit = units.most_common(1)[0][0] if units else None
    drawn = [r for r in rows if r.value is not None and r.unit == unit]
    left = len(rows) - len(drawn)
    vmax = _scale_max([r.value for r in drawn] + [r.parent_value for r in drawn if r.parent_value], unit)
    body = _axis(vmax, unit, len(drawn))
    for i, r in enumerate(drawn):
        y = TOP + i * ROW_H
        # a corpus label names the place already ("NQ 24/3/2022 · Tuần Giáo")
        place = "" if labels and r.document.id in labels else r.jurisdiction_name or r.jurisdiction or "?"
        label = " · ".join(x for x in (place, doc_name(r.document, labels), str(r.year or "")) if x)
        body.append(_text(LABEL_W - 8, y + 13, _clip(label, 48), 11, "end"))
        tip = escape(f"{label}: {fmt_value(r.value, r.comparator, r.unit)} — {_quoted(r.provenance)}")
        body.append(f'<g class="bar" data-target="{escape(r.target)}"><title>{tip}</title>'
                    f'<rect x="{LABEL_W}" y="{y + 2}" width="{_x(r.value, vmax) - LABEL_W:.1f}" '
                    f'height="{BAR_H}" fill="#0072B2" rx="2"/></g>')
        body.append(_text(_x(r.value, vmax) + 4, y + 14, fmt_value(r.value, r.comparator, r.unit), 11))
        if r.parent_value is not None:
            px = _x(r.parent_value, vmax)
            body.append(f'<g class="parent"><title>{escape(f"Cấp trên / parent ({r.parent_document}): ")}'
                        f'{escape(fmt_value(r.parent_value, None, r.unit))}</title>'
                        f'<line x1="{px:.1f}" y1="{y}" x2="{px:.1f}" y2="{y + ROW_H - 2}" '
                        f'stroke="{PARENT_COLOR}" stroke-width="3"/></g>')
    key = rows[0].metric if rows else ""
    subtitle = f"{len(drawn)} chỉ tiêu / targets" + (f"; {left} không cùng đơn vị, không vẽ" if left else "")
    return _frame(title or f"So sánh: {metric_label(key, unit)}", subtitle, len(drawn), body,
                  [("chỉ tiêu / target", "#0072B2"), ("mức cấp trên / parent's value", PARENT_COLOR)])


def cascade_svg(cas: Cascade, labels: Mapping[str, str] | None = None) -> str:
    """For each metric, the parent's target (dark) and the child's (coloured by its status)."""
    rows: list[CascadeRow] = list(cas.rows)
    values = [t.value for r in rows for t in (r.parent, r.child) if t and t.value is not None]
    units = Counter(t.unit for r in rows for t in (r.parent, r.child) if t and t.value is not None)
    unit = units.most_common(1)[0][0] if units else None
    vmax = _scale_max(values, unit)
    body: list[str] = []
    line = 0  # each metric: a bar for the parent, one for the child, then a gap
    for r, label in zip(rows, row_labels(rows), strict=True):
        y = TOP + line * ROW_H
        first, rest = _split(label, LABEL_CHARS)
        body.append(f"<g><title>{escape(label)}</title>" + _text(12, y + 13, first, 11, weight="600")
                    + _text(12, y + ROW_H + 13, _clip(rest, LABEL_CHARS), 11, weight="600") + "</g>")
        body.append(_bar(r.parent, "cấp trên", PARENT_COLOR, y, vmax, unit, r))
        body.append(_bar(r.child, "cấp dưới", STATUS[r.status][1], y + ROW_H, vmax, unit, r))
        line += 2
        if r is not rows[-1]:
            body.append(f'<line x1="12" y1="{y + 2 * ROW_H + 1}" x2="{WIDTH - 12}" '
                        f'y2="{y + 2 * ROW_H + 1}" stroke="#f0f0f0"/>')
    title = f"{doc_name(cas.child, labels)} so với / against {doc_name(cas.parent, labels)}"
    counts = Counter(r.status for r in rows)
    subtitle = ", ".join(f"{n} {STATUS[s][0]}" for s, n in counts.most_common()) or "không có chỉ tiêu"
    legend = [("cấp trên / parent", PARENT_COLOR)] + [STATUS[s] for s in STATUS if s in counts]
    return _frame(title, subtitle, line, _axis(vmax, unit, line) + body, legend)


def _bar(t: TargetRef | None, side: str, color: str, y: float, vmax: float, unit: str | None,
         r: CascadeRow) -> str:
    label = _text(LABEL_W - 8, y + 14, side + (f" {t.year}" if t and t.year else ""), 10, "end",
                  fill="#666666")
    if t is None or t.value is None:
        note = "không có / none" if t is None else "không có số / no value"
        return label + _text(LABEL_W + 4, y + 14, _clip(f"{note} — {r.reason}", 80), 10, fill=color)
    if t.unit != unit:
        return label + _text(LABEL_W + 4, y + 14, f"{fmt_value(t.value, t.comparator, t.unit)} (khác đơn vị)",
                             10, fill=color)
    tip = escape(f"{side}: {fmt_value(t.value, t.comparator, t.unit)} — {_quoted(t.provenance)}")
    width = _x(t.value, vmax) - LABEL_W
    return (label + f'<g class="bar {escape(r.status)}"><title>{tip}</title><rect x="{LABEL_W}" '
            f'y="{y + 3:.1f}" width="{width:.1f}" height="{BAR_H}" fill="{color}" rx="2"/></g>'
            + _text(LABEL_W + width + 4, y + 15, fmt_value(t.value, t.comparator, t.unit), 10))


def _quoted(p: Provenance) -> str:
    """A tooltip's sentence, and where it is in the source file."""
    place = source_place(p)
    return f"“{p.quote}”" + (f" ({place})" if place else "")
