"""The quarterly report: one self-contained HTML file per published quarter, in Dutch.

Made from ``monitor.duckdb`` only (published, protected figures, and the file's indicator
dictionary for labels and definitions), with inline SVG charts and inline CSS: it opens
offline, with no CDN, script or remote image. Numbers and times are formatted for the
Netherlands by babel (``12.345,6``; the publication time in Europe/Amsterdam with its zone).
Suppressed figures are shown as "geheim" ("n.v.t." for a rate or median over a published 0,
``dictionary.suppressed_text``), never estimated, and never filled in as zero.

What it holds: the gemeenten per period type present (``kwartaal``; ``vier_kwartalen`` once
published), each with the indicators it carries (``seeds/indicators.csv``, periodesoorten) and
the change against the previous quarter. The outcomes of a quarter (reached, helped) come a
quarter later: every section that shows them reads them from the period type that carries them
(``contract.carrying_period_type``: ``kwartaal_afgerond`` of the quarter before,
``vier_kwartalen_afgerond`` of the four quarters ending it), names that period, and says in a
publication without such rows (the file's first quarter) that they follow. Each gemeente's
quarterly figures
beside the national reference figures the file holds (``landelijke_referentie``, with their
source as a link: a citation to follow, nothing the page loads) and beside the median of the
gemeenten of its region and size class in the file (``similar.py``), four charts of the quarter, every
wijk (a table with an anchor per wijk code, so a reader finds their own), what is published
(the information loss: per level, period and indicator the share of the areas, and of their
households, with a published cell; ``shares.published_shares``) and the definitions.

Every published figure on the page (a bar, a point, a table cell) carries the published cell
it shows as ``data-area``, ``data-indicator``, ``data-quarter``, ``data-period-type`` and, when
published, ``data-value``; a change against the previous quarter carries ``data-change`` (the
indicator), ``data-area``, ``data-quarter``, ``data-period-type`` and ``data-value`` when both
quarters are published; the part of a partner-mix bar that stands for suppressed partner
types carries ``data-suppressed`` with those indicators; the median of a gemeente's similar
gemeenten carries ``data-median`` (the indicator), ``data-peers`` (``regio`` or
``grootteklasse``), ``data-area``, ``data-quarter``, ``data-n`` (the gemeenten it is over) and
``data-value`` when there is one. That is how the tests prove the
report shows published figures only, and it lets anyone trace a number back to its cell.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from babel.dates import format_datetime
from babel.numbers import format_decimal

from orchestration import filemodes
from orchestration.contract import (
    LEVELS,
    QUARTERLY,
    attached_quarters,
    carrying_period_type,
    follows_later,
    period_type_of_level,
    persona_names,
    publication_group_names,
)
from orchestration.dictionary import (
    FOLLOWS,
    GEHEIM,
    NO_DENOMINATOR,
    Entry,
    denominators,
    later_text,
    published_entries,
    suppressed_text,
)
from orchestration.parameters import periods as period_types
from orchestration.parameters import pipeline_parameters
from orchestration.quarters import previous_quarter
from orchestration.settings import Paths
from orchestration.shares import KEY_INDICATORS, PUBLISHED_TABLE, PublishedShare, published_shares
from orchestration.similar import Peers, comparison_regions, peers, size_class

LOCALE = "nl_NL"
TIMEZONE = ZoneInfo("Europe/Amsterdam")
"""The zone publication times are shown in (the schedule's zone)."""
COLOURS = ["#1f5f8b", "#3c9d9b", "#e0a526", "#c8553d", "#7b6d8d"]
"""One per publication group (seeds/partner_types.csv), in the seed's order."""
SUPPRESSED_FILL = "#d5d9de"
TOP_BUURTEN = 15
TOP_WIJKEN = 25
TREND_GEMEENTEN = 5
LEVEL_PLURALS = {"regio": "regio's", "gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}
"""The levels (``contract.LEVELS``) as the report counts them."""
KPI_COLUMNS = ["huishoudens", "hh_met_signaal", "signalen"]
"""The figures of a single gemeente shown large at the top (the quarter's own)."""
GEMEENTE_COLUMNS = [
    "huishoudens", "hh_met_signaal", "signalen", "signalen_per_1000_hh", "pct_bereikt", "pct_hulp",
]  # fmt: skip
WIJK_COLUMNS = ["huishoudens", "hh_met_signaal", "signalen_per_1000_hh", "pct_bereikt", "pct_hulp"]
COHORT = "cohort_zes_maanden"
"""The period type of the cohort followed for six months (seeds/periods.csv): its own section."""
COHORT_COLUMNS = [
    "hh_met_signaal", "hh_schuldhulp_binnen_6m", "pct_schuldhulp_binnen_6m",
    "hh_hulp_geaccepteerd", "hh_nieuw_signaal_na_hulp", "pct_nieuw_signaal_na_hulp",
]  # fmt: skip
CHANGE_COLUMNS = ("hh_met_signaal", "signalen_per_1000_hh")
"""Indicators shown with their change against the previous quarter."""

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
td.geheim{color:#778;font-style:italic}tr:target{background:#fff3c4}dt{font-weight:600;margin-top:.6rem}
dd{margin-left:0}
"""


@dataclass(frozen=True)
class Figure:
    """One published cell as shown in the report."""

    area: str
    indicator: str
    quarter: str
    value: float | None
    period_type: str = QUARTERLY
    secret: str = GEHEIM
    """What is shown when ``value`` is None (``dictionary.suppressed_text``: ``n.v.t.`` for a
    rate or median whose denominator is a published 0)."""

    def text(self, digits: int = 0) -> str:
        return _fmt(self.value, digits, self.secret)

    def attrs(self) -> str:
        value = "" if self.value is None else f' data-value="{self.value!r}"'
        return (
            f' data-area="{html.escape(self.area)}" data-indicator="{self.indicator}"'
            f' data-quarter="{self.quarter}" data-period-type="{self.period_type}"{value}'
        )


def dutch_number(value: float, digits: int = 0, signed: bool = False) -> str:
    """Dutch notation: ``12.345,6``; ``signed``: ``+3`` / ``-2,5`` (and ``0``)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if signed and value != 0:
        pattern = f"+{pattern};-{pattern}"
    return format_decimal(value, format=pattern, locale=LOCALE)


def _fmt(value: float | None, digits: int = 0, secret: str = GEHEIM) -> str:
    return secret if value is None else dutch_number(value, digits)


def _time(published_at: datetime) -> str:
    """A publication time (naive UTC in the file) in the Netherlands' zone, named."""
    return format_datetime(
        published_at.replace(tzinfo=UTC),
        "d MMMM y 'om' HH:mm zzzz",
        tzinfo=TIMEZONE,
        locale=LOCALE,
    )


def esc(text: object) -> str:
    return html.escape(str(text))


def _legend(items: list[tuple[str, str]]) -> str:
    return (
        '<p class="legend">'
        + "".join(f'<span><i style="background:{c}"></i>{esc(label)}</span>' for label, c in items)
        + "</p>"
    )


def _hbar_chart(title: str, rows: list[tuple[str, Figure]], unit: str, width: int = 760) -> str:
    """Horizontal bars, longest first; a suppressed value gets no bar and the label 'geheim'
    (or 'n.v.t.', ``Figure.secret``)."""
    bar_h, gap, label_w = 18, 6, 280
    top = max((f.value for _, f in rows if f.value is not None), default=0.0) or 1.0
    height = len(rows) * (bar_h + gap) + 10
    parts = [f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}">']
    for i, (label, figure) in enumerate(rows):
        y = i * (bar_h + gap) + 5
        parts.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{esc(label)}</text>')
        if figure.value is None:
            parts.append(
                f'<text class="muted" x="{label_w}" y="{y + 13}"{figure.attrs()}>'
                f"{figure.secret}</text>"
            )
            continue
        w = max(1.0, (width - label_w - 140) * figure.value / top)
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[0]}"'
            f"{figure.attrs()}><title>{esc(label)}: {figure.text(1)} {esc(unit)}</title>"
            "</rect>"
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{figure.text(1)} {esc(unit)}</text>'
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
    parts = [f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}">']
    for tick in (0, 50, 100):
        x = label_w + scale * tick / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" stroke="#e3e6ea"/>'
            f'<text class="muted" x="{x:.1f}" y="{height - 4}" text-anchor="middle">{tick}%</text>'
        )
    for i, (label, *pair) in enumerate(rows):
        y = i * row_h + 4
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h + 5}" text-anchor="end">{esc(label)}</text>'
        )
        for j, figure in enumerate(pair):
            yy = y + j * (bar_h + 2)
            if figure.value is None:
                parts.append(
                    f'<text class="muted" x="{label_w + 4}" y="{yy + 10}" font-size="10"'
                    f"{figure.attrs()}>{figure.secret}</text>"
                )
                continue
            w = max(1.0, scale * figure.value / 100)
            parts.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[j]}"'
                f"{figure.attrs()}><title>{esc(label)}, {names[j]}: {figure.text(1)}%"
                f'</title></rect><text x="{label_w + w + 4:.1f}" y="{yy + 10}" font-size="10">'
                f"{figure.text(1)}%</text>"
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
        f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{len(rows) * row_h + 6}">'
    ]
    for i, (label, total, groups) in enumerate(rows):
        y = i * row_h + 4
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{esc(label)}</text>')
        if not total.value:
            parts.append(
                f'<text class="muted" x="{label_w}" y="{y + 16}"{total.attrs()}>'
                f"{'geheim' if total.value is None else 'geen signalen'}</text>"
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
                f"{figure.attrs()}><title>{esc(label)}, {name}: {figure.text()} signalen "
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
                f' data-area="{esc(total.area)}" data-quarter="{total.quarter}"'
                f' data-suppressed="{" ".join(hidden)}"><title>{esc(label)}: {names} geheim'
                "</title></rect>"
            )
            if w > 70:
                parts.append(
                    f'<text class="muted" x="{x + 4:.1f}" y="{y + bar_h + 14}">{esc(names)}: geheim</text>'
                )
    parts.append("</svg>")
    legend = [(g, c) for g, c in zip(publication_group_names(), COLOURS, strict=True)]
    return _legend([*legend, ("geheim (geheime partnergroepen samen)", SUPPRESSED_FILL)]) + "".join(
        parts
    )


def _line_chart(
    title: str, quarters: list[str], series: list[tuple[str, list[Figure]]], width: int = 760
) -> str:
    """One line per gemeente over the quarters; a suppressed point breaks the line."""
    height, left, right, top_pad, bottom = 230, 50, 30, 20, 30
    values = [f.value for _, figures in series for f in figures if f.value is not None]
    if not values:
        return '<p class="note">Nog geen gepubliceerde waarden.</p>'
    top = max(values) * 1.15 or 1.0
    step = (width - left - right) / max(len(quarters) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top_pad + (height - top_pad - bottom) * (1 - v / top)

    parts = [f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}">']
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
                    f"{figure.attrs()}>{figure.secret}</text>"
                )
                continue
            x, y = xy(i, figure.value)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"{figure.attrs()}>'
                f"<title>{esc(name)} {quarter}: {figure.text(1)}</title></circle>"
                f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{figure.text(1)}</text>'
            )
    parts.append("</svg>")
    legend = _legend([(n, c) for (n, _), c in zip(series, COLOURS, strict=False)])
    return (legend if len(series) > 1 else "") + "".join(parts)


def _cell(figure: Figure, digits: int) -> str:
    css = ' class="geheim"' if figure.value is None else ""
    return f"<td{css}{figure.attrs()}>{figure.text(digits)}</td>"


@dataclass(frozen=True)
class Change:
    """The change of a published cell against the same cell of the previous quarter."""

    now: Figure
    before: Figure | None
    """None: the area or period has no figure in the previous quarter."""

    def cell(self, digits: int) -> str:
        f = self.now
        attrs = (
            f' data-change="{f.indicator}" data-area="{esc(f.area)}" data-quarter="{f.quarter}"'
            f' data-period-type="{f.period_type}"'
        )
        if self.before is None:
            return f'<td class="geheim"{attrs}>–</td>'
        if f.value is None or self.before.value is None:  # the secret (or n.v.t.) of either
            shown = f.secret if f.value is None else self.before.secret
            return f'<td class="geheim"{attrs}>{shown}</td>'
        change = round(f.value - self.before.value, digits)
        return (
            f'<td{attrs} data-value="{change!r}">{dutch_number(change, digits, signed=True)}</td>'
        )


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    parent: str | None
    figures: dict[str, Figure]
    changes: dict[str, Change]


def _areas(
    con: duckdb.DuckDBPyConnection,
    level: str,
    indicators: list[str],
    quarter: str,
    period_type: str = QUARTERLY,
) -> list[Area]:
    """The areas of a level with their figures of the quarter and period type, and the change
    of each indicator of ``CHANGE_COLUMNS`` against the previous quarter's same period type."""
    before = previous_quarter(quarter)
    # the rates' and medians' denominators too: over a published 0 they read n.v.t., not geheim
    read = [*indicators, *{d for i in indicators if (d := denominators().get(i))} - {*indicators}]
    rows = con.execute(
        f"select quarter, area_code, area_name, parent_code, {', '.join(read)} "
        f"from monitor.{level} where quarter in (?, ?) and period_type = ? order by area_code",
        [quarter, before, period_type],
    ).fetchall()

    def figures(q: str, code: str, values: list) -> dict[str, Figure]:
        row = dict(zip(read, values, strict=True))
        return {
            i: Figure(code, i, q, row[i], period_type, suppressed_text(i, row)) for i in indicators
        }

    previous = {
        (code, ind): figure
        for q, code, _, _, *values in rows
        if q == before
        for ind, figure in figures(q, code, values).items()
    }
    areas = []
    for q, code, name, parent, *values in rows:
        if q != quarter:
            continue
        now = figures(q, code, values)
        changes = {i: Change(now[i], previous.get((code, i))) for i in now if i in CHANGE_COLUMNS}
        areas.append(Area(code, name, parent, now, changes))
    return areas


def _digits(dictionary: dict[str, Entry], indicator: str) -> int:
    return dictionary[indicator].decimalen if indicator in dictionary else 1


def _label(dictionary: dict[str, Entry], indicator: str) -> str:
    return dictionary[indicator].label if indicator in dictionary else indicator


def _area_table(
    areas: list[Area], columns: list[str], dictionary: dict[str, Entry], first: str,
    parents: dict[str, str] | None = None, anchors: bool = False,
) -> str:  # fmt: skip
    """A table of areas: a column per indicator (its label), after each indicator of
    ``CHANGE_COLUMNS`` its change against the previous quarter; a row per area. ``anchors``:
    each row's id is its area code (``#WK036300`` finds it), in one table per level only."""
    head = [first] + (["ligt in"] if parents is not None else [])
    for ind in columns:
        head.append(_label(dictionary, ind))
        if ind in CHANGE_COLUMNS:
            head.append("t.o.v. vorig kwartaal")
    body = []
    for area in areas:
        cells = [f"<td>{esc(area.name)} <small>{esc(area.code)}</small></td>"]
        if parents is not None:
            cells.append(f"<td>{esc(parents.get(area.parent or '', area.parent or ''))}</td>")
        for ind in columns:
            digits = _digits(dictionary, ind)
            cells.append(_cell(area.figures[ind], digits))
            if ind in CHANGE_COLUMNS:
                cells.append(area.changes[ind].cell(digits))
        anchor = f' id="{esc(area.code)}"' if anchors else ""
        body.append(f"<tr{anchor}>{''.join(cells)}</tr>")
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def period_names(con: duckdb.DuckDBPyConnection, quarter: str) -> dict[str, str]:
    """Period type -> period (``2025Q4-2026Q3``) of the quarter, in the file's period order."""
    return dict(
        con.execute(
            "select period_type, any_value(period) from monitor.area_indicators where quarter = ? "
            "group by period_type order by min(rowid)",
            [quarter],
        ).fetchall()
    )


def _delay(period_type: str | None) -> int:
    """The quarters after its own that a period type is published (``seeds/periods.csv``
    vertraging; 0 for one the seeds do not know)."""
    return next((p.vertraging for p in period_types() if p.period_type == period_type), 0)


def _period_title(period_type: str, period: str) -> str:
    """``kwartaal 2026Q3``, ``vier kwartalen 2025Q4-2026Q3``, ``kwartaal afgerond 2026Q2
    (gepubliceerd een kwartaal later)``; the cohort in words."""
    if period_type == COHORT:
        return f"huishoudens met een signaal in {period}, zes maanden gevolgd"
    delay = _delay(period_type)
    later = f" (gepubliceerd {later_text(delay)})" if delay else ""
    return f"{period_type.replace('_', ' ')} {period}{later}"


REACH_COLUMNS = ["pct_bereikt", "pct_hulp"]
"""The pair of the chart *Bereik en hulp per wijk*."""


def _outcome_period(
    periods: dict[str, str], columns: list[str], level: str, dictionary: dict[str, Entry]
) -> tuple[str | None, str]:
    """(the period type that carries a quarter's ``columns`` at ``level``: for its outcomes
    ``kwartaal_afgerond``, the quarter before, a quarter later; the note on what follows)."""
    carrier = carrying_period_type(columns[0], QUARTERLY, level)
    shown = {p: periods[p] for p in (QUARTERLY, carrier) if p in periods}
    return carrier, _later_note(shown, columns, level, dictionary)


def _reach_section(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    dictionary: dict[str, Entry],
) -> list[str]:
    """*Bereik en hulp per wijk*: the wijken with the most signalled households, their share
    reached and helped, from the period type that carries them for a quarter
    (``kwartaal_afgerond``: the quarter before, a quarter later); a note instead where this
    publication has no such rows yet."""
    head = "<h2>Bereik en hulp per wijk</h2>"
    carrier, note = _outcome_period(periods, REACH_COLUMNS, "wijk", dictionary)
    if carrier not in periods:
        return [head, note]
    wijken = _areas(con, "wijk", ["hh_met_signaal", *REACH_COLUMNS], quarter, carrier)
    most_signalled = sorted(
        wijken,
        key=lambda w: (
            w.figures["hh_met_signaal"].value is None,
            -(w.figures["hh_met_signaal"].value or 0),
            w.code,
        ),
    )[:TOP_WIJKEN]
    return [
        head,
        f'<p class="note">De {TOP_WIJKEN} wijken met de meeste huishoudens met signaal in '
        f"{esc(periods[carrier])}: het aandeel dat is bereikt en het aandeel dat hulp heeft "
        f"aanvaard ({esc(_period_title(carrier, periods[carrier]))}).</p>",
        _paired_percent_chart(
            "Bereik en hulp per wijk",
            [
                (
                    w.name
                    if w.figures["hh_met_signaal"].value is None
                    else f"{w.name} ({w.figures['hh_met_signaal'].text()} hh)",
                    *(w.figures[c] for c in REACH_COLUMNS),
                )
                for w in most_signalled
            ],
            ("% bereikt", "% hulp geaccepteerd"),
        ),
        note,
    ]


PERSONA_SHARES = [f"pct_bereikt_persona_{p}" for p in persona_names()]
"""The share reached of every persona's signalled households (*Wie wordt bereikt*)."""
PERSONA_HELP_SHARES = [f"pct_hulp_persona_{p}" for p in persona_names()]
"""The share that accepted help of every persona's reached households."""


def _who_is_reached_section(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    dictionary: dict[str, Entry],
) -> list[str]:
    """*Wie wordt bereikt* (issue 15 item 8): per persona the share of its signalled households
    that was reached and the share of those that accepted help, from the period type that
    carries them for a quarter (``kwartaal_afgerond``: the quarter before, a quarter later);
    a chart for a file of one gemeente, the tables per gemeente and, folded, per wijk; a note
    instead where this publication has no such rows yet."""
    columns = [*PERSONA_SHARES, *PERSONA_HELP_SHARES]
    head = [
        "<h2>Wie wordt bereikt</h2>",
        '<p class="note">Per persona: welk deel van de huishoudens met een signaal is bereikt, '
        "en welk deel van de bereikte huishoudens hulp heeft aanvaard. Zo is te zien welke "
        "huishoudens de aanpak vaker mist. Per wijk, gemeente en regio, niet per buurt: per "
        "buurt zijn de aantallen per persona te klein.</p>",
    ]
    carrier, note = _outcome_period(periods, columns, "gemeente", dictionary)
    if carrier not in periods:
        return [*head, note]
    own = {carrier: periods[carrier]}
    chart = []
    counts = [f"hh_persona_{p}" for p in persona_names()]
    gemeenten = _areas(con, "gemeente", [*counts, *columns], quarter, carrier)
    if len(gemeenten) == 1:
        figures = gemeenten[0].figures

        def name(count: str) -> str:  # "Persona senior" -> "Senior (514 hh)"
            label = _label(dictionary, count).removeprefix("Persona ")
            label = label[:1].upper() + label[1:]
            n = figures[count].value
            return label if n is None else f"{label} ({_fmt(n)} hh)"

        chart = [
            _paired_percent_chart(
                "Wie wordt bereikt",
                [
                    (name(count), figures[reached], figures[helped])
                    for count, reached, helped in zip(
                        counts, PERSONA_SHARES, PERSONA_HELP_SHARES, strict=True
                    )
                    if figures[count].value != 0  # a persona without households: no shares
                ],
                ("% bereikt", "% hulp van bereikt"),
            )
        ]
    return [
        *head,
        *chart,
        *_period_tables(con, quarter, own, "gemeente", PERSONA_SHARES, dictionary),
        *_period_tables(con, quarter, own, "gemeente", PERSONA_HELP_SHARES, dictionary),
        "<details><summary>Per wijk</summary>",
        *_period_tables(con, quarter, own, "wijk", columns, dictionary, published_only=True),
        "</details>",
        note,
    ]


def _cohort_section(
    con: duckdb.DuckDBPyConnection, quarter: str, period: str | None, dictionary: dict[str, Entry]
) -> list[str]:
    """*Zes maanden na het signaal*: the cohort of two quarters ago, per gemeente and wijk."""
    head = [
        "<h2>Zes maanden na het signaal: schuldhulp en nieuwe signalen</h2>",
        '<p class="note">Van de huishoudens met een signaal in een kwartaal: hoeveel binnen zes '
        "maanden na hun eerste signaal aan een schuldhulptraject begonnen, en hoeveel van wie "
        "hulp aanvaardde daarna in die zes maanden opnieuw een signaal kreeg. Deze cijfers komen "
        "twee kwartalen na dat kwartaal, als de zes maanden voorbij zijn, en worden daarna niet "
        "meer herzien.</p>",
    ]
    if period is None:
        return [*head, '<p class="note">Deze publicatie heeft nog geen cohort: het kwartaal '
                "twee kwartalen eerder of het kwartaal daarna is niet in de monitor "
                "verwerkt.</p>"]  # fmt: skip
    periods = {COHORT: period}
    return [
        *head,
        *_period_tables(con, quarter, periods, "gemeente", COHORT_COLUMNS, dictionary),
        "<details><summary>Per wijk</summary>",
        *_period_tables(
            con, quarter, periods, "wijk", COHORT_COLUMNS, dictionary, published_only=True
        ),
        "</details>",
    ]


def _share_table(
    shares: list[PublishedShare],
    indicators: list[str],
    periods: dict[str, str],
    dictionary: dict[str, Entry],
) -> str:
    """One row per indicator, a column per level x period type (its period named): the share
    of the areas with a published cell and, smaller, of the households living in them."""
    share = {(s.indicator, s.area_level, s.period_type): s for s in shares}
    kinds = list(dict.fromkeys(s.period_type for s in shares))
    columns = [(lvl, p) for p in kinds for lvl in LEVELS if any(k[1:] == (lvl, p) for k in share)]
    head = "".join(
        f"<th>{lvl}<br><small>{p.replace('_', ' ')} {esc(periods.get(p, ''))}</small></th>"
        for lvl, p in columns
    )
    body = []
    for ind in [i for i in indicators if any((i, *c) in share for c in columns)]:
        cells = []
        for lvl, p in columns:
            s = share.get((ind, lvl, p))
            if s is None:
                cells.append("<td>–</td>")
                continue
            households = s.share_households
            hh_attr = "" if households is None else f' data-households="{households!r}"'
            hh_text = (
                ""
                if households is None
                else f"<br><small>{dutch_number(100 * households)}% hh</small>"
            )
            cells.append(
                f'<td data-loss="{ind}" data-level="{lvl}" data-period-type="{p}" '
                f'data-value="{s.share_areas!r}"{hh_attr} title="gebieden: {s.areas}">'
                f"{dutch_number(100 * s.share_areas)}%{hh_text}</td>"
            )
        body.append(f"<tr><td>{esc(_label(dictionary, ind))}</td>{''.join(cells)}</tr>")
    return (
        '<table class="loss"><thead><tr><th>indicator</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _what_is_published(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    dictionary: dict[str, Entry],
) -> list[str]:
    """The section *Wat is gepubliceerd*: the information loss of the quarter (the shares of
    the publish asset's metadata, ``shares.published_shares``, read from this file), the key
    indicators first, every indicator in a table to unfold; each column names its period, and
    a note says which key indicators come later (``_later_note``)."""
    shares = published_shares(con, quarter, PUBLISHED_TABLE)
    every = [i for i in dictionary if any(s.indicator == i for s in shares)]
    return [
        '<h2 id="gepubliceerd">Wat is gepubliceerd</h2>',
        '<p class="note">Per indicator, niveau en periode: het aandeel van de gebieden met een '
        "gepubliceerd cijfer en, klein daaronder, het aandeel van de huishoudens die in die "
        "gebieden wonen (van de gebieden waarvan het aantal huishoudens gepubliceerd is). De "
        f"rest is geheim, of {NO_DENOMINATOR} bij een verhouding of mediaan waarvan de noemer 0 "
        "is.</p>",
        _share_table(shares, [i for i in KEY_INDICATORS if i in every], periods, dictionary),
        _later_note(periods, list(KEY_INDICATORS), "gemeente", dictionary),
        f"<details><summary>Alle {len(every)} indicatoren</summary>",
        _share_table(shares, every, periods, dictionary),
        "</details>",
    ]


def _definitions(dictionary: dict[str, Entry]) -> str:
    items = []
    for e in dictionary.values():
        ratio = ""
        if e.teller and e.noemer:
            ratio = (
                f" Teller: {esc(_label(dictionary, e.teller))}; "
                f"noemer: {esc(_label(dictionary, e.noemer))}."
            )
        rounding = "geheel getal" if e.decimalen == 0 else f"{e.decimalen} decimaal"
        national = f" Landelijk: {esc(e.landelijk)}." if e.landelijk else ""
        items.append(
            f'<dt id="def-{e.indicator}">{esc(e.label)} <small>({esc(e.indicator)})</small></dt>'
            f"<dd>{esc(e.definitie)} Eenheid: {esc(e.eenheid)} ({esc(e.soort)}, {rounding})."
            f"{ratio}{national}</dd>"
        )
    return f"<dl>{''.join(items)}</dl>"


def _references(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The file's national reference figures (indicator, waarde, eenheid, jaar, bron) in
    dictionary order; none for a file published before it held them (docs/migrations.md, 5)."""
    try:
        return con.execute(
            "select r.indicator, r.waarde, r.eenheid, r.jaar, r.bron from "
            "monitor.landelijke_referentie r left join monitor.indicatoren i using (indicator) "
            "order by i.volgorde nulls last, r.indicator"
        ).fetchall()
    except duckdb.CatalogException:
        return []


def _quarterly_gemeenten(
    con: duckdb.DuckDBPyConnection, quarter: str, periods: dict[str, str], names: list[str]
) -> tuple[dict[str, str | None], dict[str, dict[str, Area]]]:
    """Indicator -> the period type that carries it for a quarter per gemeente
    (``carrying_period_type``: ``kwartaal``, ``kwartaal_afgerond`` for the outcomes of the
    quarter before); and per such period type in this publication its gemeenten (code ->
    area) with those figures."""
    sources = {n: carrying_period_type(n, QUARTERLY, "gemeente") for n in names}
    areas = {
        source: {
            a.code: a
            for a in _areas(
                con, "gemeente", [n for n in names if sources[n] == source], quarter, source
            )
        }
        for source in dict.fromkeys(sources.values())
        if source in periods
    }
    return sources, areas


def _source_text(source: str | None, periods: dict[str, str]) -> str:
    """The period a figure of a quarter comes from in this publication, or that it follows."""
    if source in periods:
        return _period_title(source, periods[source])
    delay = _delay(source)
    return f"{FOLLOWS} met de publicatie {later_text(delay)}" if delay else "–"


def _national_comparison(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    gemeenten: list[Area],
    dictionary: dict[str, Entry],
) -> str:
    """Per indicator with a national reference figure: every gemeente's quarterly value (from
    the period type that carries it, ``_quarterly_gemeenten``: the outcomes of the quarter
    before) beside the national value, its unit, year and source (a link); ``volgt`` where
    this publication has no such row yet."""
    references = _references(con)
    if not references:
        return ""
    sources, areas = _quarterly_gemeenten(con, quarter, periods, [r[0] for r in references])
    order = sorted(gemeenten, key=lambda g: (g.name, g.code))
    head = "".join(f"<th>{esc(g.name)}</th>" for g in order)
    body = []
    for name, waarde, eenheid, jaar, bron in references:
        digits = _digits(dictionary, name)
        shown = areas.get(sources[name] or "", {})
        cells = "".join(
            _cell(shown[g.code].figures[name], digits)
            if g.code in shown
            else f'<td class="geheim">{FOLLOWS if sources[name] else "–"}</td>'
            for g in order
        )
        body.append(
            f"<tr><td>{esc(_label(dictionary, name))}</td>"
            f"<td>{esc(_source_text(sources[name], periods))}</td>{cells}"
            f'<td data-reference="{esc(name)}" data-value="{waarde!r}">{dutch_number(waarde, 1)}</td>'
            f"<td>{esc(eenheid)}</td><td>{jaar}</td>"
            f'<td><a href="{esc(bron)}" rel="noreferrer">Divosa</a></td></tr>'
        )
    return (
        "<h2>Vergelijking met het landelijke beeld</h2>"
        '<p class="note">De cijfers van het kwartaal naast de landelijke cijfers van de Divosa '
        "Monitor Vroegsignalering Schulden (deelnemende gemeenten). Hoe de definities verschillen "
        'staat bij de <a href="#definities">definities</a> (landelijk). Uitkomsten (bereikt, '
        "hulp) komen een kwartaal later, omdat zaken vaak weken na het signaal worden "
        "afgesloten: de kolom periode zegt over welk kwartaal het cijfer gaat.</p>"
        "<table><thead><tr><th>indicator</th><th>periode</th>"
        f"{head}<th>landelijk</th><th>eenheid</th><th>jaar</th><th>bron</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _peer_cell(kind: str, figure: Figure, group: Peers | None, digits: int) -> str:
    """The median of a gemeente's peers (``kind``: regio or grootteklasse) with their count."""
    if group is None:
        return "<td>–</td>"
    attrs = (
        f' data-median="{figure.indicator}" data-peers="{kind}" data-area="{esc(figure.area)}"'
        f' data-quarter="{figure.quarter}" data-n="{group.n}"'
    )
    if group.median is None:
        return f"<td{attrs}>{esc(group.group)}: – ({group.n})</td>"
    return (
        f'<td{attrs} data-value="{group.median!r}">{esc(group.group)}: '
        f"{dutch_number(group.median, digits)} ({group.n})</td>"
    )


def _similar_gemeenten(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    dictionary: dict[str, Entry],
) -> str:
    """Per indicator with a national reference figure, every gemeente's quarterly figure (from
    the period type that carries it, ``_quarterly_gemeenten``) beside the median of the
    gemeenten of its region and of its size class in the file (``similar.py``) and the
    national figure; an indicator this publication has no such rows of yet follows."""
    references = {r[0]: r[1] for r in _references(con)}
    if not references:
        return ""
    sources, by_source = _quarterly_gemeenten(con, quarter, periods, [*references, "inwoners"])
    national = {n: v for n, v in references.items() if sources[n] in by_source}
    follows = "".join(
        f"<li>{esc(_label(dictionary, n))}: {esc(_source_text(sources[n], periods))}</li>"
        for n in references
        if n not in national
    )
    follows = f'<ul class="note">{follows}</ul>' if follows else ""
    areas = sorted(
        by_source.get(sources["inwoners"] or "", {}).values(), key=lambda a: (a.name, a.code)
    )
    figures = {
        name: {a.code: a.figures[name] for a in by_source[sources[name]].values()}
        for name in national
    }
    regions = comparison_regions()
    groups = {
        "regio": {a.code: regions.get(a.code) for a in areas},
        "grootteklasse": {a.code: size_class(a.figures["inwoners"].value) for a in areas},
    }
    medians = {
        name: {
            kind: peers({code: f.value for code, f in figures[name].items()}, members)
            for kind, members in groups.items()
        }
        for name in national
    }
    minimum = pipeline_parameters()["vergelijking_min_gemeenten"]
    if not any(
        p.median is not None for m in medians.values() for g in m.values() for p in g.values()
    ):
        return (
            "<h2>Vergelijkbare gemeenten</h2>"
            f'<p class="note">Dit bestand heeft geen {esc(minimum)} gemeenten met een '
            "gepubliceerd cijfer in dezelfde regio of grootteklasse: er is geen mediaan van "
            "vergelijkbare gemeenten om naast een gemeente te zetten.</p>" + follows
        )
    body = []
    for name, reference in national.items():
        digits = _digits(dictionary, name)
        for a in areas:
            figure = figures[name].get(a.code)
            if figure is None:
                continue
            body.append(
                f"<tr><td>{esc(a.name)}</td><td>{esc(_label(dictionary, name))}</td>"
                f"<td>{esc(_source_text(sources[name], periods))}</td>{_cell(figure, digits)}"
                + "".join(
                    _peer_cell(kind, figure, medians[name][kind].get(a.code), digits)
                    for kind in groups
                )
                + f"<td>{dutch_number(reference, 1)}</td></tr>"
            )
    return (
        "<h2>Vergelijkbare gemeenten</h2>"
        '<p class="note">Elke gemeente naast de mediaan van de gemeenten in dit bestand uit '
        f"dezelfde regio ({esc(pipeline_parameters()['regiosoort'])}) en uit dezelfde "
        "grootteklasse (naar inwoners), met tussen haakjes het aantal gemeenten met een "
        f"gepubliceerd cijfer; een mediaan staat er bij ten minste {esc(minimum)} gemeenten "
        "(– : te weinig). De indeling van de regio's en de grootteklassen staat in de "
        "parameters van de monitor (regio_indeling, gemeentegrootteklassen). De uitkomsten "
        "(bereikt, hulp) gaan over het kwartaal ervoor: ze komen een kwartaal later, omdat "
        "zaken vaak weken na het signaal worden afgesloten.</p>"
        "<table><thead><tr><th>gemeente</th><th>indicator</th><th>periode</th>"
        "<th>cijfer gemeente</th><th>mediaan regio</th><th>mediaan grootteklasse</th>"
        f"<th>landelijk</th></tr></thead><tbody>{''.join(body)}</tbody></table>{follows}"
    )


def _period_tables(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    periods: dict[str, str],
    level: str,
    columns: list[str],
    dictionary: dict[str, Entry],
    parents: dict[str, str] | None = None,
    published_only: bool = False,
    anchors: bool = False,
) -> list[str]:
    """Per period type of the quarter a heading and the table of every area of the level, with
    the ``columns`` the period type carries (the outcomes of a quarter: in its
    ``kwartaal_afgerond`` table, ``carrying_period_type``), ordered by parent area and name;
    then what comes later (``_later_note``). ``published_only``: only the areas with a
    published figure in the table, and a note on how many were left out (every figure of
    theirs secret: in a national file most wijken of a table per persona). ``anchors``: the
    rows of the first table get their area codes as ids (``_area_table``)."""
    parts = []
    for period_type, period in periods.items():
        carried = [c for c in columns if carrying_period_type(c, period_type, level) == period_type]
        if not carried:
            continue
        areas = _areas(con, level, carried, quarter, period_type)
        shown = [
            a
            for a in areas
            if not published_only or any(a.figures[c].value is not None for c in carried)
        ]
        parts += [
            f"<h3>{esc(_period_title(period_type, period))}</h3>",
            _area_table(
                sorted(shown, key=lambda a: (a.parent or "", a.name, a.code)),
                carried,
                dictionary,
                level,
                parents,
                anchors=anchors,
            ),
        ]
        anchors = False
        left_out = len(areas) - len(shown)
        if left_out:
            verb, their = ("staat", "haar") if left_out == 1 else ("staan", "hun")
            parts.append(
                f'<p class="note">{dutch_number(left_out)} van de {dutch_number(len(areas))} '
                f"{LEVEL_PLURALS[level]} {verb} niet in deze tabel: al {their} cijfers hier "
                f"zijn {GEHEIM} of {NO_DENOMINATOR}.</p>"
            )
    return [*parts, _later_note(periods, columns, level, dictionary)]


def later_notes(
    periods: dict[str, str], columns: list[str], level: str, label: Callable[[str], str]
) -> list[tuple[list[str], str]]:
    """Per delay, the period types published later that carry some of ``columns`` where a
    period type of the quarter (``periods``: type -> period) does not
    (``contract.follows_later``: the outcomes), and a Dutch sentence (indicators named by
    ``label``): over which periods this publication has them, and that those over the
    quarter's own periods follow with a later publication. None when every column is the
    quarter's own."""
    later: dict[int, dict[str, list[str]]] = {}  # delay -> columns, carriers, own periods
    for period_type, period in periods.items():
        for column in columns:
            carrier = follows_later(column, period_type, level)
            if carrier:
                found = later.setdefault(_delay(carrier), {"columns": [], "in": [], "own": []})
                found["columns"].append(column)
                found["in"].append(carrier)
                found["own"].append(period)
    notes = []
    for wait, found in later.items():
        names = sorted(set(found["columns"]), key=columns.index)
        carriers = list(dict.fromkeys(found["in"]))
        shown = [f"over {periods[c]}" for c in carriers if c in periods]
        text = (
            f"Uitkomsten ({', '.join(map(label, names))}): zaken worden vaak weken na het signaal "
            f"afgesloten, daarom komen ze {later_text(wait)}. "
            + (
                f"Hierboven de uitkomsten {' en '.join(shown)}. "
                if shown
                else "Deze publicatie heeft nog geen uitkomsten van een eerdere periode. "
            )
            + f"Die over {' en '.join(dict.fromkeys(found['own']))} volgen met de publicatie "
            f"{later_text(wait)}."
        )
        notes.append((carriers, text))
    return notes


def _later_note(
    periods: dict[str, str], columns: list[str], level: str, dictionary: dict[str, Entry]
) -> str:
    """``later_notes`` as paragraphs, the indicators by their labels."""
    return "".join(
        f'<p class="note" data-follows="{" ".join(carriers)}">{esc(text)}</p>'
        for carriers, text in later_notes(
            periods, columns, level, lambda c: _label(dictionary, c).lower()
        )
    )


def render_report(con: duckdb.DuckDBPyConnection, quarter: str) -> str:
    """The HTML of one published quarter, from the published file only."""
    dictionary = published_entries(con)
    periods = period_names(con, quarter)
    cohort = periods.pop(COHORT, None)
    gemeenten = _areas(con, "gemeente", KPI_COLUMNS, quarter)
    if not gemeenten:
        published = ", ".join(attached_quarters(con)) or "none"
        raise ValueError(f"{quarter} is not published (published: {published})")
    buurt_period = period_type_of_level("buurt") or QUARTERLY  # seeds/periods.csv niveaus
    buurten = _areas(con, "buurt", ["signalen_per_1000_hh"], quarter, buurt_period)
    top_buurten = sorted(
        (b for b in buurten if b.figures["signalen_per_1000_hh"].value is not None),
        key=lambda b: (-b.figures["signalen_per_1000_hh"].value, b.code),
    )[:TOP_BUURTEN]
    groups = [f"signalen_{g}" for g in publication_group_names()]
    mix = _areas(con, "gemeente", ["signalen", *groups], quarter)
    largest = [
        g.code for g in sorted(gemeenten, key=lambda g: -(g.figures["huishoudens"].value or 0))
    ][:TREND_GEMEENTEN]
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
    gemeente_names = {g.code: g.name for g in gemeenten}

    synthetic = " Demodata: elk cijfer is gegenereerd." if log and log[1] else ""
    kpis = ""
    if len(gemeenten) == 1:
        figures = gemeenten[0].figures
        kpis = "".join(
            f'<div class="kpi"><b{figures[i].attrs()}>{figures[i].text()}</b>'
            f"{esc(_label(dictionary, i).lower())}</div>"
            for i in KPI_COLUMNS
        )
    unit = "per 1.000 hh"
    sections = [
        f"<h1>Vroegsignalering buurtmonitor {esc(quarter)}</h1>",
        f'<p class="sub">Gepubliceerd op {_time(log[0]) if log else "onbekend"}. Alleen '
        "beschermde cijfers: aantallen van 1 tot en met 9, en cellen waaruit die terug te "
        f"rekenen zijn, staan er als <i>geheim</i>.{synthetic}</p>",
        kpis,
        "<h2>Regio</h2>",
        '<p class="note">De regio (het samenwerkingsverband dat vroegsignalering voor zijn '
        "gemeenten uitvoert) telt op uit haar gemeenten in deze monitor; houdt de monitor "
        "niet al haar gemeenten, dan zegt haar naam hoeveel.</p>",
        *_period_tables(con, quarter, periods, "regio", GEMEENTE_COLUMNS, dictionary, anchors=True),
        "<h2>Gemeenten</h2>",
        '<p class="note">Met de verandering ten opzichte van hetzelfde soort periode in het '
        "vorige kwartaal (– : geen cijfer van het vorige kwartaal; geheim: een van beide is "
        f"geheim; {NO_DENOMINATOR}: een van beide heeft noemer 0).</p>",
        *_period_tables(
            con, quarter, periods, "gemeente", GEMEENTE_COLUMNS, dictionary, anchors=True
        ),
        _national_comparison(con, quarter, periods, gemeenten, dictionary),
        _similar_gemeenten(con, quarter, periods, dictionary),
        "<h2>Buurten met de meeste signalen per 1.000 huishoudens</h2>",
        f'<p class="note">De {TOP_BUURTEN} buurten met het hoogste gepubliceerde cijfer '
        f"({esc(_period_title(buurt_period, periods.get(buurt_period, quarter)))}: buurtcijfers "
        "staan alleen over deze periode in het bestand); buurten waarvan het cijfer geheim is, "
        "staan niet in de rangorde. Alle wijken staan verderop.</p>",
        _hbar_chart(
            "Buurten met de meeste signalen per 1.000 huishoudens",
            [(f"{b.name} ({b.code})", b.figures["signalen_per_1000_hh"]) for b in top_buurten],
            unit,
        )
        if top_buurten
        else '<p class="note">Geen buurtcijfer gepubliceerd.</p>',
        *_reach_section(con, quarter, periods, dictionary),
        *_who_is_reached_section(con, quarter, periods, dictionary),
        *_cohort_section(con, quarter, cohort, dictionary),
        "<h2>Partnermix</h2>",
        '<p class="note">Signalen per partnergroep, als aandeel van de signalen van de '
        "gemeente.</p>",
        _partner_mix_chart(
            "Partnermix",
            [
                (m.name, m.figures["signalen"], [m.figures[g] for g in groups])
                for m in sorted(mix, key=lambda m: m.code)
            ],
        ),
        "<h2>Verloop over de kwartalen</h2>",
        '<p class="note">Signalen per 1.000 huishoudens per gepubliceerd kwartaal'
        + (f", de {len(series)} grootste gemeenten" if len(series) > 1 else "")
        + ".</p>",
        _line_chart("Verloop over de kwartalen", quarters, series),
        '<h2 id="wijken">Alle wijken</h2>',
        '<p class="note">Elke wijk, per gemeente op naam. Zoek uw wijk op naam of code '
        "(Ctrl+F), of ga er direct heen met <code>#</code> en de wijkcode achter het adres van "
        "deze pagina.</p>",
        *_period_tables(
            con, quarter, periods, "wijk", WIJK_COLUMNS, dictionary, gemeente_names, anchors=True
        ),
        *_what_is_published(con, quarter, period_names(con, quarter), dictionary),
        '<h2 id="definities">Definities</h2>',
        _definitions(dictionary),
    ]
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Buurtmonitor {esc(quarter)}</title><style>{CSS}</style></head><body>"
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
