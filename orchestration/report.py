"""The quarterly report: one self-contained HTML file per published quarter.

Made from ``monitor.duckdb`` only (published, protected figures), with inline SVG charts and
inline CSS: it opens offline, with no CDN, script or remote image. Suppressed figures are
shown as "geheim" (suppressed), never estimated.
"""

from __future__ import annotations

import html
from pathlib import Path

import duckdb

from orchestration.settings import Paths

PUBLICATION_GROUPS = ["energie", "water", "huur", "zorg", "overig"]
COLOURS = ["#1f5f8b", "#3c9d9b", "#e0a526", "#c8553d", "#7b6d8d"]

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d2733;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccd}
.sub{color:#556;margin-top:0}table{border-collapse:collapse;font-size:.9rem}
td,th{padding:.2rem .6rem;border-bottom:1px solid #e3e6ea;text-align:right}
td:first-child,th:first-child{text-align:left}.note{font-size:.85rem;color:#556}
.kpi{display:inline-block;margin:0 1.5rem 1rem 0}.kpi b{display:block;font-size:1.6rem}
svg text{font-family:inherit;font-size:12px;fill:#1d2733}
"""


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "geheim"
    return f"{value:,.{digits}f}".replace(",", " ")


def _hbar_chart(rows: list[tuple[str, float | None]], unit: str, width: int = 720) -> str:
    """Horizontal bars; a suppressed value gets no bar and the label 'geheim'."""
    bar_h, gap, label_w = 18, 6, 260
    values = [v for _, v in rows if v is not None]
    top = max(values) if values else 1.0
    height = len(rows) * (bar_h + gap) + 10
    parts = [f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, (label, value) in enumerate(rows):
        y = i * (bar_h + gap) + 5
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 13}" fill="#889">geheim</text>')
            continue
        w = max(1.0, (width - label_w - 90) * value / top) if top else 1.0
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[0]}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{_fmt(value, 1)} {html.escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _stacked_bar(shares: list[tuple[str, float]], width: int = 720) -> str:
    total = sum(v for _, v in shares) or 1.0
    parts = [f'<svg role="img" width="{width}" height="60" viewBox="0 0 {width} 60">']
    x = 0.0
    for (label, value), colour in zip(shares, COLOURS, strict=False):
        w = width * value / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="26" fill="{colour}"/>')
        if w > 60:
            parts.append(
                f'<text x="{x + 4:.1f}" y="44">{html.escape(label)} {100 * value / total:.0f}%</text>'
            )
        x += w
    parts.append("</svg>")
    return "".join(parts)


def _line_chart(points: list[tuple[str, float | None]], width: int = 720, height: int = 200) -> str:
    known = [(q, v) for q, v in points if v is not None]
    if not known:
        return '<p class="note">No published values yet.</p>'
    top = max(v for _, v in known) or 1.0
    step = (width - 80) / max(len(points) - 1, 1)
    coords = [
        (40 + i * step, height - 30 - (height - 60) * v / top, q, v)
        for i, (q, v) in enumerate(points)
        if v is not None
    ]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _, _) in enumerate(coords)
    )
    parts = [
        f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<path d="{path}" fill="none" stroke="{COLOURS[0]}" stroke-width="2"/>',
    ]
    for x, y, q, v in coords:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS[0]}"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{q}</text>')
        parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{_fmt(v, 1)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(v if isinstance(v, str) else _fmt(v, 1))}</td>" for v in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_report(con: duckdb.DuckDBPyConnection, quarter: str) -> str:
    """The HTML of one published quarter, from the published tables only."""
    gemeenten = con.execute(
        "select area_name, huishoudens, hh_met_signaal, signalen, signalen_per_1000_hh, pct_bereikt, pct_hulp "
        "from monitor.gemeente where quarter = ? order by area_code",
        [quarter],
    ).fetchall()
    if not gemeenten:
        raise ValueError(f"{quarter} is not published")
    top_buurten = con.execute(
        "select area_name || ' (' || area_code || ')', signalen_per_1000_hh from monitor.buurt "
        "where quarter = ? and signalen_per_1000_hh is not null "
        "order by signalen_per_1000_hh desc, area_code limit 15",
        [quarter],
    ).fetchall()
    wijken = con.execute(
        "select area_name, hh_met_signaal, pct_bereikt, pct_hulp from monitor.wijk where quarter = ? "
        "order by hh_met_signaal desc nulls last, area_code limit 25",
        [quarter],
    ).fetchall()
    mix = con.execute(
        "select "
        + ", ".join(f"sum(signalen_{g})" for g in PUBLICATION_GROUPS)
        + " from monitor.gemeente where quarter = ?",
        [quarter],
    ).fetchone()
    trend = con.execute(
        "select quarter, sum(signalen) / nullif(sum(huishoudens), 0) * 1000 from monitor.gemeente "
        "group by quarter order by quarter"
    ).fetchall()
    log = con.execute(
        "select published_at, synthetic from monitor.publication_log where quarter = ? "
        "order by published_at desc limit 1",
        [quarter],
    ).fetchone()

    totals = [sum(r[i] or 0 for r in gemeenten) for i in (1, 2, 3)]
    synthetic = " Demo data: every figure is generated." if log and log[1] else ""
    sections = [
        f"<h1>Vroegsignalering buurtmonitor {html.escape(quarter)}</h1>",
        f'<p class="sub">Published {str(log[0])[:16] if log else ""}. Only protected figures: counts from 1 to 9 '
        f"and cells that would reveal them are shown as <i>geheim</i>.{synthetic}</p>",
        "".join(
            f'<div class="kpi"><b>{_fmt(v)}</b>{label}</div>'
            for label, v in zip(
                ["huishoudens", "huishoudens met signaal", "signalen"], totals, strict=True
            )
        ),
        "<h2>Gemeenten</h2>",
        _table(
            [
                "gemeente",
                "huishoudens",
                "met signaal",
                "signalen",
                "per 1000 hh",
                "% bereikt",
                "% hulp",
            ],
            gemeenten,
        ),
        "<h2>Buurten with the most signals per 1,000 households</h2>",
        _hbar_chart(top_buurten, "per 1000 hh")
        if top_buurten
        else '<p class="note">None published.</p>',
        "<h2>Reach and help acceptance per wijk</h2>",
        '<p class="note">The 25 wijken with the most signalled households. Percentages of signalled households.</p>',
        _table(["wijk", "hh met signaal", "% bereikt", "% hulp geaccepteerd"], wijken),
        "<h2>Partner mix</h2>",
        _stacked_bar([(g, float(v or 0)) for g, v in zip(PUBLICATION_GROUPS, mix, strict=True)]),
        "<h2>Trend over quarters</h2>",
        '<p class="note">Signals per 1,000 households, all published gemeenten together.</p>',
        _line_chart([(q, v) for q, v in trend]),
    ]
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Buurtmonitor {html.escape(quarter)}</title><style>{CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )


def write_report(paths: Paths, quarter: str) -> Path:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        page = render_report(con, quarter)
    paths.reports.mkdir(parents=True, exist_ok=True)
    target = paths.reports / f"buurtmonitor_{quarter}.html"
    target.write_text(page, encoding="utf-8")
    return target
