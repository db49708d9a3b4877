"""Charts drawn by the app itself: small inline SVGs, no script, no CDN (CSP-safe).

Each function returns markup for one chart; numbers arrive already
aggregated (services/reporting/dashboard.py). The SVGs scale to their container
(viewBox) so one drawing serves a phone and a desktop.
"""
from __future__ import annotations

import zlib

from markupsafe import Markup, escape

from ..i18n import format_number, format_percent

WIDTH = 360
BAR_ROOM = 100  # right of the longest bar: room for its figure
COLORS = {"done": "#1b7f3b", "late": "#d08a00", "missed": "#b3261e", "open": "#9aa7b8",
          "score": "#0b3d91", "announced": "#0b3d91", "unannounced": "#b3261e",
          "overdue": "#b3261e", "on_time": "#1b7f3b", "fails": "#b3261e"}
# Series that sit next to another are told apart by a pattern as well as by colour
# (some colours differ by less than 3:1); the legend draws the same pattern (app.css).
PATTERNS = {"late": "stripes", "missed": "cross", "open": "dots", "unannounced": "stripes", "overdue": "cross"}


def _fill(chart: str, key: str) -> str:
    return f"url(#{chart}-{key})" if key in PATTERNS else COLORS[key]


def _patterns(chart: str, keys) -> str:
    """<defs> with a pattern per patterned series, ids prefixed by the chart's own id."""
    marks = {"stripes": '<path d="M0 0V6" stroke="#fff" stroke-width="2"/>',
             "cross": '<path d="M0 0V6M0 3H6" stroke="#fff" stroke-width="1.5"/>',
             "dots": '<circle cx="3" cy="3" r="1.4" fill="#0d1117"/>'}
    defs = "".join(
        f'<pattern id="{chart}-{k}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{COLORS[k]}"/>{marks[PATTERNS[k]]}</pattern>'
        for k in dict.fromkeys(keys) if k in PATTERNS)
    return f"<defs>{defs}</defs>" if defs else ""


def _chart_id(title: str) -> str:
    """An id per chart on the page (its patterns' ids start with it)."""
    return f"c{zlib.crc32(title.encode('utf-8')):08x}"


def _svg(height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="11">'
        f'<title>{escape(title)}</title>{"".join(body)}</svg>')


def legend(series: list[tuple[str, str]]) -> Markup:
    """A legend as HTML: [(key, label)]."""
    items = "".join(f'<span><i class="swatch {PATTERNS.get(k, "solid")}" style="background-color:{COLORS[k]}"></i>'
                    f'{escape(label)}</span>' for k, label in series)
    return Markup(f'<p class="legend">{items}</p>')


def stacked_columns(title: str, categories: list[str], series: list[tuple[str, list[float]]],
                    height: int = 180) -> Markup:
    """Columns per category (labels as the reader writes them), each stacked from the series [(key, values)]."""
    if not categories:
        return Markup("")
    top, bottom, left = 10, 28, 30
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    peak = max(totals) or 1
    plot_h = height - top - bottom
    slot = (WIDTH - left) / len(categories)
    bar = max(2.0, slot * 0.7)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH}" y2="{top + plot_h}" stroke="#999"/>',
            f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{format_number(peak)}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    chart = _chart_id(title)
    body.append(_patterns(chart, [key for key, _ in series]))
    every = max(1, len(categories) // 8)
    for i, cat in enumerate(categories):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for key, values in series:
            h = values[i] / peak * plot_h
            if h > 0:
                y -= h
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{_fill(chart, key)}">'
                            f'<title>{escape(cat)}: {format_number(values[i])}</title></rect>')
        if i % every == 0:
            body.append(f'<text x="{x + bar / 2:.1f}" y="{height - 10}" text-anchor="middle">{escape(cat)}</text>')
    return _svg(height, body, title)


def hbars(title: str, rows: list[tuple[str, float, str]], key: str, maximum: float | None = None) -> Markup:
    """Horizontal bars, a label above each: [(label, value, value as text)]."""
    if not rows:
        return Markup("")
    peak = maximum or max(v for _, v, _ in rows) or 1
    row_h = 30
    body = []
    for i, (label, value, text) in enumerate(rows):
        y = i * row_h
        w = max(0.0, value) / peak * (WIDTH - BAR_ROOM)
        short = label if len(label) <= 58 else label[:56] + "…"
        body.append(f'<text x="0" y="{y + 11}">{escape(short)}</text>'
                    f'<rect x="0" y="{y + 15}" width="{w:.1f}" height="11" fill="{COLORS[key]}"/>'
                    f'<text x="{w + 4:.1f}" y="{y + 25}">{escape(text)}</text>')
    return _svg(len(rows) * row_h, body, title)


def stacked_hbars(title: str, rows: list[tuple[str, list[float]]], keys: list[str]) -> Markup:
    """Horizontal bars stacked from several values per row: [(label, [values in keys' order])]."""
    if not rows:
        return Markup("")
    peak = max(sum(v) for _, v in rows) or 1
    row_h = 30
    chart = _chart_id(title)
    body = [_patterns(chart, keys)]
    for i, (label, values) in enumerate(rows):
        y = i * row_h
        short = label if len(label) <= 58 else label[:56] + "…"
        body.append(f'<text x="0" y="{y + 11}">{escape(short)}</text>')
        x = 0.0
        for key, v in zip(keys, values):
            w = v / peak * (WIDTH - BAR_ROOM)
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 15}" width="{w:.1f}" height="11" fill="{_fill(chart, key)}">'
                            f'<title>{format_number(v)}</title></rect>')
                x += w
        body.append(f'<text x="{x + 4:.1f}" y="{y + 25}">{" / ".join(format_number(v) for v in values)}</text>')
    return _svg(len(rows) * row_h, body, title)


def paired_hbars(title: str, rows: list[tuple[str, float, float]]) -> Markup:
    """Two bars per row (announced, unannounced percent), 0–100."""
    if not rows:
        return Markup("")
    row_h = 40
    chart = _chart_id(title)
    body = [_patterns(chart, ["announced", "unannounced"])]
    for i, (label, a, u) in enumerate(rows):
        y = i * row_h
        short = label if len(label) <= 58 else label[:56] + "…"
        wa, wu = a / 100 * (WIDTH - BAR_ROOM), u / 100 * (WIDTH - BAR_ROOM)
        body.append(f'<text x="0" y="{y + 11}">{escape(short)}</text>'
                    f'<rect x="0" y="{y + 15}" width="{wa:.1f}" height="9" fill="{COLORS["announced"]}"/>'
                    f'<text x="{wa + 4:.1f}" y="{y + 23}">{format_percent(a)}</text>'
                    f'<rect x="0" y="{y + 26}" width="{wu:.1f}" height="9" fill="{_fill(chart, "unannounced")}"/>'
                    f'<text x="{wu + 4:.1f}" y="{y + 34}">{format_percent(u)}</text>')
    return _svg(len(rows) * row_h, body, title)


def data_table(caption: str, headers: list[str], rows: list[list], summary: str) -> Markup:
    """The figures a chart draws, as a table under it (folded): what a screen reader
    reads in place of the picture, and anyone who wants the exact numbers."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + f'<th scope="row">{escape(row[0])}</th>'
                   + "".join(f"<td>{escape(cell)}</td>" for cell in row[1:]) + "</tr>" for row in rows)
    return Markup(f'<details class="chart-data"><summary>{escape(summary)}</summary>'
                  f'<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
                  f'<tbody>{body}</tbody></table></details>')
