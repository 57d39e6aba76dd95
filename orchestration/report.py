"""The quarterly report: one self-contained HTML file per published quarter.

Made from ``monitor.duckdb`` only (published, protected figures), with inline SVG charts and
inline CSS: it opens offline, with no CDN, script or remote image. Suppressed figures are
shown as "geheim" (suppressed), never estimated, and never filled in as zero.

Every figure on the page (a bar, a point, a table cell) carries the published cell it shows
as ``data-area``, ``data-indicator``, ``data-quarter`` and, when published, ``data-value``;
the one derived figure, the part of a partner-mix bar that stands for suppressed partner
types, carries ``data-suppressed`` with those indicators. That is how the tests prove the
report shows published figures only, and it lets anyone trace a number back to its cell.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import filemodes
from orchestration.contract import QUARTERLY, publication_group_names
from orchestration.settings import Paths

COLOURS = ["#1f5f8b", "#3c9d9b", "#e0a526", "#c8553d", "#7b6d8d"]
"""One per publication group (seeds/partner_types.csv), in the seed's order."""
SUPPRESSED_FILL = "#d5d9de"
TOP_BUURTEN = 15
TOP_WIJKEN = 25
TREND_GEMEENTEN = 5

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d2733;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccd}
.sub{color:#556;margin-top:0}table{border-collapse:collapse;font-size:.9rem}
td,th{padding:.2rem .6rem;border-bottom:1px solid #e3e6ea;text-align:right}
td:first-child,th:first-child{text-align:left}.note{font-size:.85rem;color:#556}
.kpi{display:inline-block;margin:0 2rem 1rem 0}.kpi b{display:block;font-size:1.6rem}
svg{display:block;margin:.6rem 0}svg text{font-family:inherit;font-size:12px;fill:#1d2733}
svg text.muted{fill:#778}.legend span{display:inline-block;margin-right:1.2rem;font-size:.85rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
"""


@dataclass(frozen=True)
class Figure:
    """One published cell as shown in the report."""

    area: str
    indicator: str
    quarter: str
    value: float | None

    def attrs(self) -> str:
        value = "" if self.value is None else f' data-value="{self.value!r}"'
        return (
            f' data-area="{html.escape(self.area)}" data-indicator="{self.indicator}"'
            f' data-quarter="{self.quarter}"{value}'
        )


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "geheim"
    return f"{value:,.{digits}f}".replace(",", " ")


def _esc(text: object) -> str:
    return html.escape(str(text))


def _legend(items: list[tuple[str, str]]) -> str:
    return (
        '<p class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{_esc(label)}</span>' for label, c in items)
        + "</p>"
    )


def _hbar_chart(title: str, rows: list[tuple[str, Figure]], unit: str, width: int = 760) -> str:
    """Horizontal bars, longest first; a suppressed value gets no bar and the label 'geheim'."""
    bar_h, gap, label_w = 18, 6, 280
    top = max((f.value for _, f in rows if f.value is not None), default=0.0) or 1.0
    height = len(rows) * (bar_h + gap) + 10
    parts = [f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{height}">']
    for i, (label, figure) in enumerate(rows):
        y = i * (bar_h + gap) + 5
        parts.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{_esc(label)}</text>')
        if figure.value is None:
            parts.append(
                f'<text class="muted" x="{label_w}" y="{y + 13}"{figure.attrs()}>geheim</text>'
            )
            continue
        w = max(1.0, (width - label_w - 140) * figure.value / top)
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[0]}"'
            f"{figure.attrs()}><title>{_esc(label)}: {_fmt(figure.value, 1)} {_esc(unit)}</title>"
            "</rect>"
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{_fmt(figure.value, 1)} {_esc(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _paired_percent_chart(
    title: str, rows: list[tuple[str, Figure, Figure]], names: tuple[str, str], width: int = 760
) -> str:
    """Two bars per row on a 0-100% scale (reach and help acceptance)."""
    bar_h, pair_gap, label_w = 11, 10, 280
    scale = width - label_w - 70
    row_h = 2 * bar_h + 2 + pair_gap
    height = len(rows) * row_h + 24
    parts = [f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{height}">']
    for tick in (0, 50, 100):
        x = label_w + scale * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#e3e6ea"/>'
            f'<text class="muted" x="{x:.1f}" y="{height - 4}" text-anchor="middle">{tick}%</text>'
        )
    for i, (label, *pair) in enumerate(rows):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 5}" text-anchor="end">{_esc(label)}</text>'
        )
        for j, figure in enumerate(pair):
            yy = y + j * (bar_h + 2)
            if figure.value is None:
                parts.append(
                    f'<text class="muted" x="{label_w + 4}" y="{yy + 10}" font-size="10"'
                    f"{figure.attrs()}>geheim</text>"
                )
                continue
            w = max(1.0, scale * figure.value / 100)
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[j]}"'
                f"{figure.attrs()}><title>{_esc(label)}, {names[j]}: {_fmt(figure.value, 1)}%"
                f'</title></rect><text x="{label_w + w + 4:.1f}" y="{yy + 10}" font-size="10">'
                f"{_fmt(figure.value, 1)}%</text>"
            )
    parts.append("</svg>")
    return _legend([(names[0], COLOURS[0]), (names[1], COLOURS[1])]) + "".join(parts)


def _partner_mix_chart(
    title: str, rows: list[tuple[str, Figure, list[Figure]]], width: int = 760
) -> str:
    """Per gemeente a bar of its signals split by partner type, as shares of its published
    total. Suppressed types are one grey part together: total minus the published types."""
    label_w, bar_h, row_h = 180, 24, 52
    scale = width - label_w - 10
    parts = [
        f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{len(rows) * row_h + 6}">'
    ]
    for i, (label, total, groups) in enumerate(rows):
        y = i * row_h + 4
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{_esc(label)}</text>')
        if not total.value:
            parts.append(
                f'<text class="muted" x="{label_w}" y="{y + 16}"{total.attrs()}>'
                f"{'geheim' if total.value is None else 'no signals'}</text>"
            )
            continue
        x = float(label_w)
        for figure, colour in zip(groups, COLOURS, strict=True):
            if not figure.value:
                continue
            w = scale * figure.value / total.value
            name = figure.indicator.removeprefix("signalen_")
            share = f"{100 * figure.value / total.value:.0f}%"
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"'
                f"{figure.attrs()}><title>{_esc(label)}, {name}: {_fmt(figure.value)} signalen "
                f"({share})</title></rect>"
            )
            if w > 70:
                parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h + 14}">{name} {share}</text>')
            x += w
        hidden = [f.indicator for f in groups if f.value is None]
        if hidden:
            rest = total.value - sum(f.value or 0 for f in groups)
            w = scale * rest / total.value
            names = ", ".join(h.removeprefix("signalen_") for h in hidden)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{SUPPRESSED_FILL}"'
                f' data-area="{_esc(total.area)}" data-quarter="{total.quarter}"'
                f' data-suppressed="{" ".join(hidden)}"><title>{_esc(label)}: {names} geheim'
                "</title></rect>"
            )
            if w > 70:
                parts.append(
                    f'<text class="muted" x="{x + 4:.1f}" y="{y + bar_h + 14}">{_esc(names)}: geheim</text>'
                )
    parts.append("</svg>")
    legend = [(g, c) for g, c in zip(publication_group_names(), COLOURS, strict=True)]
    return _legend([*legend, ("geheim (suppressed types together)", SUPPRESSED_FILL)]) + "".join(
        parts
    )


def _line_chart(
    title: str, quarters: list[str], series: list[tuple[str, list[Figure]]], width: int = 760
) -> str:
    """One line per gemeente over the quarters; a suppressed point breaks the line."""
    height, left, right, top_pad, bottom = 230, 50, 30, 20, 30
    values = [f.value for _, figures in series for f in figures if f.value is not None]
    if not values:
        return '<p class="note">No published values yet.</p>'
    top = max(values) * 1.15 or 1.0
    step = (width - left - right) / max(len(quarters) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top_pad + (height - top_pad - bottom) * (1 - v / top)

    parts = [f'<svg role="img" aria-label="{_esc(title)}" width="{width}" height="{height}">']
    for tick in (0.0, top / 2, top):
        _, y = xy(0, tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e6ea"/>'
            f'<text class="muted" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0f}</text>'
        )
    for i, quarter in enumerate(quarters):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{quarter}</text>')
    for (name, figures), colour in zip(series, COLOURS, strict=False):
        index = {f.quarter: f for f in figures}
        path, pen_down = [], False
        for i, quarter in enumerate(quarters):
            figure = index.get(quarter)
            if figure is None or figure.value is None:
                pen_down = False
                continue
            x, y = xy(i, figure.value)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, quarter in enumerate(quarters):
            figure = index.get(quarter)
            if figure is None:
                continue
            if figure.value is None:
                x, _ = xy(i, 0)
                parts.append(
                    f'<text class="muted" x="{x:.1f}" y="{height - bottom - 4}" text-anchor="middle"'
                    f"{figure.attrs()}>geheim</text>"
                )
                continue
            x, y = xy(i, figure.value)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"{figure.attrs()}>'
                f"<title>{_esc(name)} {quarter}: {_fmt(figure.value, 1)}</title></circle>"
                f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{_fmt(figure.value, 1)}</text>'
            )
    parts.append("</svg>")
    legend = _legend([(n, c) for (n, _), c in zip(series, COLOURS, strict=False)])
    return (legend if len(series) > 1 else "") + "".join(parts)


def _table(headers: list[str], rows: list[tuple[str, list[Figure]]], digits: list[int]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        f"<tr><td>{_esc(label)}</td>"
        + "".join(
            f"<td{f.attrs()}>{_fmt(f.value, d)}</td>" for f, d in zip(figures, digits, strict=True)
        )
        + "</tr>"
        for label, figures in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(
    con: duckdb.DuckDBPyConnection, level: str, indicators: list[str], quarter: str
) -> list[tuple[str, str, list[Figure]]]:
    """(area code, area name, figures) per area of a level, in the given indicator order: the
    quarter's own figures (period_type kwartaal)."""
    rows = con.execute(
        f"select quarter, area_code, area_name, {', '.join(indicators)} from monitor.{level} "
        "where quarter = ? and period_type = ?",
        [quarter, QUARTERLY],
    ).fetchall()
    return [
        (code, name, [Figure(code, ind, q, v) for ind, v in zip(indicators, values, strict=True)])
        for q, code, name, *values in rows
    ]


def render_report(con: duckdb.DuckDBPyConnection, quarter: str) -> str:
    """The HTML of one published quarter, from the published tables only."""
    gemeente_columns = [
        "huishoudens",
        "hh_met_signaal",
        "signalen",
        "signalen_per_1000_hh",
        "pct_bereikt",
        "pct_hulp",
    ]
    gemeenten = sorted(_figures(con, "gemeente", gemeente_columns, quarter), key=lambda r: r[0])
    if not gemeenten:
        raise ValueError(f"{quarter} is not published")
    buurten = _figures(con, "buurt", ["signalen_per_1000_hh"], quarter)
    top_buurten = sorted(
        (b for b in buurten if b[2][0].value is not None), key=lambda b: (-b[2][0].value, b[0])
    )[:TOP_BUURTEN]
    wijk_columns = ["hh_met_signaal", "pct_bereikt", "pct_hulp"]
    wijken = sorted(
        _figures(con, "wijk", wijk_columns, quarter),
        key=lambda w: (w[2][0].value is None, -(w[2][0].value or 0), w[0]),
    )[:TOP_WIJKEN]
    mix = _figures(
        con,
        "gemeente",
        ["signalen"] + [f"signalen_{g}" for g in publication_group_names()],
        quarter,
    )
    largest = [code for code, _, f in sorted(gemeenten, key=lambda g: -(g[2][0].value or 0))]
    largest = largest[:TREND_GEMEENTEN]
    trend_rows = con.execute(
        "select quarter, area_code, area_name, signalen_per_1000_hh from monitor.gemeente "
        "where quarter <= ? and period_type = ? and area_code in (select unnest(?)) "
        "order by quarter",
        [quarter, QUARTERLY, largest],
    ).fetchall()
    quarters = sorted({q for q, *_ in trend_rows})
    series = [
        (
            next(name for _, c, name, _ in trend_rows if c == code),
            [Figure(c, "signalen_per_1000_hh", q, v) for q, c, _, v in trend_rows if c == code],
        )
        for code in largest
    ]
    log = con.execute(
        "select published_at, synthetic from monitor.publication_log where quarter = ? "
        "order by published_at desc limit 1",
        [quarter],
    ).fetchone()

    synthetic = " Demo data: every figure is generated." if log and log[1] else ""
    kpis = ""
    if len(gemeenten) == 1:
        _, _, figures = gemeenten[0]
        kpis = "".join(
            f'<div class="kpi"><b{f.attrs()}>{_fmt(f.value)}</b>{label}</div>'
            for label, f in zip(
                ["huishoudens", "huishoudens met signaal", "signalen"], figures[:3], strict=True
            )
        )
    sections = [
        f"<h1>Vroegsignalering buurtmonitor {_esc(quarter)}</h1>",
        f'<p class="sub">Published {str(log[0])[:16] if log else ""}. Only protected figures: '
        "counts from 1 to 9, and cells that would reveal them, are shown as <i>geheim</i> "
        f"(suppressed).{synthetic}</p>",
        kpis,
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
            [(name, figures) for _, name, figures in gemeenten],
            [0, 0, 0, 1, 1, 1],
        ),
        "<h2>Buurten with the most signals per 1,000 households</h2>",
        f'<p class="note">The {TOP_BUURTEN} buurten with the highest published rate; buurten '
        "whose rate is suppressed are not ranked.</p>",
        _hbar_chart(
            "Buurten with the most signals per 1,000 households",
            [(f"{name} ({code})", figures[0]) for code, name, figures in top_buurten],
            "per 1000 hh",
        )
        if top_buurten
        else '<p class="note">No buurt rate published.</p>',
        "<h2>Reach and help acceptance per wijk</h2>",
        f'<p class="note">The {TOP_WIJKEN} wijken with the most signalled households: the share '
        "of them reached, and the share that accepted help.</p>",
        _paired_percent_chart(
            "Reach and help acceptance per wijk",
            [
                (
                    name if figures[0].value is None else f"{name} ({_fmt(figures[0].value)} hh)",
                    figures[1],
                    figures[2],
                )
                for _, name, figures in wijken
            ],
            ("% bereikt", "% hulp geaccepteerd"),
        ),
        "<h2>Partner mix</h2>",
        '<p class="note">Signals per partner type, as shares of the gemeente\'s signals.</p>',
        _partner_mix_chart(
            "Partner mix",
            [
                (name, figures[0], figures[1:])
                for _, name, figures in sorted(mix, key=lambda m: m[0])
            ],
        ),
        "<h2>Trend over quarters</h2>",
        '<p class="note">Signals per 1,000 households per published quarter'
        + (f", the {len(series)} largest gemeenten" if len(series) > 1 else "")
        + ".</p>",
        _line_chart("Trend over quarters", quarters, series),
    ]
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Buurtmonitor {_esc(quarter)}</title><style>{CSS}</style></head><body>"
        + "".join(sections)
        + "</body></html>"
    )


def write_report(paths: Paths, quarter: str) -> Path:
    with duckdb.connect(str(paths.monitor), read_only=True) as con:
        page = render_report(con, quarter)
    filemodes.shared_dir(paths.reports)
    return filemodes.write_shared(
        paths.reports / f"buurtmonitor_{quarter}.html", lambda h: h.write(page)
    )
