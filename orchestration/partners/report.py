"""The partner page: ``monitor partner-report --partner eneco --quarter 2026Q3``.

One self-contained HTML file in Dutch (inline CSS, no script, no remote resource; it opens
offline), made from that partner's file ``data/partners/<partner>.duckdb`` only: so it can
show nothing the file does not hold, and the file holds that partner's protected figures
only. Written beside it as ``<partner>_<quarter>.html``.

What it shows: per gemeente the funnel of the quarter (``summary.FUNNEL``: signals, linked
to a household, households) beside the previous quarter in the file, and that the outcomes of
its signals follow with the next file; then, under their own period, the outcomes of the
quarter before (households, picked up, reached, accepted help, days to first contact and the
rates: period type ``kwartaal_afgerond``, ``summary.AFGEROND``) beside those in the previous
file; the delivery (lines read, loaded, quarantined per file) and the quarantined lines per
reason; and what ``geheim`` means. Every figure carries the cell it shows as
``data-gemeente``, ``data-indicator``, ``data-quarter`` (the file's quarter), ``data-period``
and, when published, ``data-value``, so a test (or a partner) can trace a number back to its
file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration import filemodes
from orchestration.contract import QUARTERLY
from orchestration.dictionary import GEHEIM, NO_DENOMINATOR, suppressed_text
from orchestration.partners.files import (
    DELIVERY_TABLE,
    FEEDBACK_TABLE,
    PARTNER_TABLE,
    QUARANTINE_TABLE,
    existing_partner_file,
)
from orchestration.partners.summary import (
    AFGEROND,
    FUNNEL,
    LINKED,
    funnel_indicator,
    step_label,
)
from orchestration.quarters import next_quarter, previous_quarter
from orchestration.report import CSS, dutch_number, esc
from orchestration.settings import Paths

PAGE_CSS = "td.text,th.text{text-align:left}h3{font-size:1rem;margin:1.2rem 0 .2rem}"
"""Beside the monitor report's CSS: text cells left, a small heading per table."""


class PartnerReportError(RuntimeError):
    """No file for the partner, or the quarter is not in it."""


LATER_HEADING = (
    "Uitkomsten over {period}: zaken worden vaak weken na het signaal afgesloten, daarom komen "
    "ze een kwartaal later"
)
"""The heading of the outcomes of the quarter before (``summary.AFGEROND``)."""
FOLLOWS = (
    "Wat er met de signalen van {quarter} gebeurde (opgepakt, bereikt, hulp geaccepteerd, dagen "
    "tot contact) volgt in het bestand van {next}: zaken worden vaak weken na het signaal "
    "afgesloten, daarom komen de uitkomsten een kwartaal later."
)
"""Said under the quarter's own figures."""

Column = tuple[str, str]
"""A column of figures: the file's quarter (``kwartaal``) and the figures' period
(``periode``)."""


def _cell(
    gemeente: str, indicator: str, column: Column, row: tuple | None, secret: str = GEHEIM
) -> str:
    """A table cell with the figure ``row`` = (value, status, soort) or an empty cell;
    ``secret`` where it is suppressed (``dictionary.suppressed_text``)."""
    if row is None:
        return "<td></td>"
    value, status, soort = row
    quarter, period = column
    attrs = (
        f' data-gemeente="{esc(gemeente)}" data-indicator="{esc(indicator)}"'
        f' data-quarter="{esc(quarter)}" data-period="{esc(period)}"'
    )
    if status == GEHEIM or value is None:
        return f'<td class="geheim"{attrs}>{secret}</td>'
    digits = 0 if soort == "aantal" or float(value).is_integer() else 1
    return f'<td{attrs} data-value="{value!r}">{dutch_number(value, digits)}</td>'


def _funnel(
    figures: dict, previous: dict, gemeente: str, column: Column, before: Column | None
) -> str:
    """The funnel steps and the rates of one gemeente in one period type (``column``);
    beside them the previous file's figures of that period type (``before``) when the file
    holds them. Each column is headed by its period."""
    names = list(figures)
    steps = [
        (_linked_label(figures, n) if s == LINKED and n else step_label(s), n)
        for s, n in ((s, funnel_indicator(s, names)) for s in FUNNEL)
    ]
    steps += [(f"{figures[n][3]}", n) for n in names if figures[n][2] == "verhouding"]
    columns = [column, before] if previous and before else [column]
    now = {n: f[0] for n, f in figures.items()}  # over a published 0: n.v.t.
    then = {n: f[0] for n, f in previous.items()}
    rows = []
    for label, name in steps:
        if name is None:
            continue
        cells = _cell(gemeente, name, column, figures[name][:3], suppressed_text(name, now))
        if len(columns) > 1:
            row = previous.get(name)
            cells += _cell(gemeente, name, columns[1], row, suppressed_text(name, then))
        rows.append(f"<tr><td>{esc(label)}</td>{cells}</tr>")
    head = "".join(f"<th>{esc(period)}</th>" for _, period in columns)
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _linked_label(figures: dict, name: str) -> str:
    """The linked signals' label as the file has it, and what it means here."""
    return f"{figures[name][3]} ({step_label(LINKED).lower()})"


def _linkage(figures: dict, gemeente: str, column: Column) -> str:
    """The partner's signals by what the linkage made of them: linked to a household (its
    group's ``signalen_<groep>``), or at none, per reason."""
    linked = funnel_indicator(LINKED, list(figures))
    reasons = [n for n in figures if n.startswith("signalen_") and n != linked]
    rows = "".join(
        f"<tr><td>{esc(_linked_label(figures, n) if n == linked else figures[n][3])}</td>"
        f"{_cell(gemeente, n, column, figures[n][:3])}</tr>"
        for n in ([linked] if linked else []) + reasons
    )
    return (
        "<h3>Uw signalen: gekoppeld aan een huishouden of niet</h3>"
        f"<table><tr><th></th><th>{esc(column[1])}</th></tr>{rows}</table>"
    )


Figures = dict[tuple[str, str], dict]
"""(gemeentecode, gemeente) -> indicator -> (value, status, soort, omschrijving)."""


def _figures(
    con: duckdb.DuckDBPyConnection, quarter: str, period_type: str
) -> tuple[Column | None, Figures]:
    """The file's figures of ``quarter`` of one period type (one period: the quarter, or the
    quarter before): (their column, None without figures; the figures per gemeente)."""
    out: Figures = {}
    column = None
    for period, code, name, indicator, label, soort, value, status in con.execute(
        "select periode, gemeentecode, gemeente, indicator, omschrijving, soort, waarde, status "
        f"from {FEEDBACK_TABLE} where kwartaal = ? and periodesoort = ? "
        "order by gemeentecode, rowid",
        [quarter, period_type],
    ).fetchall():
        column = (quarter, period)
        out.setdefault((code, name), {})[indicator] = (value, status, soort, label)
    return column, out


def _table(headers: list[str], rows: list[tuple]) -> str:
    """A table of text (left) and whole numbers (right, Dutch notation)."""
    kinds = ["text" if not isinstance(v, int) else "" for v in (rows[0] if rows else headers)]
    head = "".join(
        f'<th class="{kind}">{esc(h)}</th>' if kind else f"<th>{esc(h)}</th>"
        for h, kind in zip(headers, kinds, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{dutch_number(v)}</td>"
            if isinstance(v, int)
            else f'<td class="text">{esc(v)}</td>'
            for v in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


Period = tuple[Column | None, Figures]
"""The file's figures of one quarter and period type (``_figures``)."""


def _beside(gemeente: tuple[str, str], now: Period, before: Period) -> str:
    """The funnel of one gemeente in ``now``, beside the same gemeente's figures of
    ``before`` (the previous file's, same period type) when the file holds them."""
    earlier = {code: f for (code, _), f in before[1].items()}
    previous = {k: v[:3] for k, v in earlier.get(gemeente[0], {}).items()}
    return _funnel(now[1][gemeente], previous, gemeente[0], now[0], before[0])


def render_partner_report(con: duckdb.DuckDBPyConnection, quarter: str) -> str:
    code, naam = con.execute(f"select partner_code, partner_naam from {PARTNER_TABLE}").fetchone()
    before = previous_quarter(quarter)
    own, later = (_figures(con, quarter, t) for t in (QUARTERLY, AFGEROND))
    own_before, later_before = (_figures(con, before, t) for t in (QUARTERLY, AFGEROND))
    figures = {**own[1], **later[1]}
    delivery = con.execute(
        f"select bestand, status, regels_gelezen, regels_geladen, regels_in_quarantaine "
        f"from {DELIVERY_TABLE} where kwartaal = ? order by bestand",
        [quarter],
    ).fetchall()
    if not figures and not delivery:
        held = [
            q
            for (q,) in con.execute(
                f"select distinct kwartaal from {DELIVERY_TABLE} order by 1"
            ).fetchall()
        ]
        raise PartnerReportError(
            f"the file of {code} holds no figures of {quarter}"
            + (f"; it holds {', '.join(held)}" if held else "")
        )
    quarantine = con.execute(
        f"select bestand, reden, regels from {QUARANTINE_TABLE} where kwartaal = ? "
        "order by bestand, regels desc, reden",
        [quarter],
    ).fetchall()
    read, loaded, quarantined = (sum(r[i] for r in delivery) for i in (2, 3, 4))
    parts = [
        f"<h1>Terugkoppeling vroegsignalen: {esc(naam)}</h1>",
        f'<p class="sub">{esc(quarter)}: wat er gebeurde met de signalen die {esc(naam)} '
        "aan de gemeente leverde.</p>",
        f'<div class="kpi"><b>{dutch_number(read)}</b>regels geleverd</div>'
        f'<div class="kpi"><b>{dutch_number(loaded)}</b>ingelezen</div>'
        f'<div class="kpi"><b>{dutch_number(quarantined)}</b>in quarantaine</div>',
    ]
    for gemeente in sorted(figures):
        parts.append(f"<h2>{esc(gemeente[1])} ({esc(gemeente[0])})</h2>")
        if gemeente in own[1]:
            follows = FOLLOWS.format(quarter=quarter, next=next_quarter(quarter))
            parts += [_beside(gemeente, own, own_before), f'<p class="note">{esc(follows)}</p>']
        if gemeente in later[1]:
            heading = LATER_HEADING.format(period=later[0][1])
            parts += [f"<h3>{esc(heading)}</h3>", _beside(gemeente, later, later_before)]
        if gemeente in own[1]:
            parts.append(_linkage(own[1][gemeente], gemeente[0], own[0]))
    parts += [
        "<h2>Levering</h2>",
        _table(["Bestand", "Status", "Regels gelezen", "Ingelezen", "In quarantaine"], delivery),
        "<h2>Regels in quarantaine, per reden</h2>",
        _table(["Bestand", "Reden", "Regels"], quarantine)
        if quarantine
        else "<p>Geen regels in quarantaine.</p>",
        "<h2>Zo leest u deze cijfers</h2>",
        '<p class="note">Huishoudens: de huishoudens op de adressen van uw signalen. Opgepakt, '
        "bereikt en hulp geaccepteerd gelden voor het huishouden, ook als een signaal van een "
        "andere partner tot het contact leidde: de gemeente helpt een huishouden, geen signaal. "
        "De dagen tot contact tellen vanaf het eerste signaal van het huishouden in het "
        "kwartaal, van welke partner ook. "
        f"<b>{GEHEIM}</b>: dit cijfer is afgeschermd, omdat het te klein is of omdat het met "
        "de andere cijfers een klein aantal zou verraden (dezelfde regels als de buurtmonitor). "
        f"<b>{NO_DENOMINATOR}</b>: een verhouding of mediaan waarvan de noemer 0 is; er valt "
        "niets te berekenen. "
        "Wat er met de signalen gebeurde (opgepakt, bereikt, hulp geaccepteerd, dagen tot "
        "contact) staat een kwartaal later in dit bestand, onder het kwartaal van de signalen: "
        "dan zijn de meeste zaken afgesloten. De huishoudens met een signaal staan er nog eens "
        "bij, hetzelfde cijfer als bij dat kwartaal zelf. "
        "De percentages: bereikt en hulp geaccepteerd als deel van de huishoudens met een "
        "signaal, bereikt van opgepakt als deel van de opgepakte huishoudens, hulp van bereikt "
        "als deel van de bereikte. Een regel in quarantaine is niet ingelezen; de reden staat "
        "erbij, het regelnummer in het logboek van de gemeente.</p>",
    ]
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>Terugkoppeling {esc(naam)} {esc(quarter)}</title><style>{CSS}{PAGE_CSS}</style>"
        "</head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def write_partner_report(paths: Paths, partner: str, quarter: str) -> Path:
    """Write ``<partner>_<quarter>.html`` beside the partner's file; the path."""
    source = existing_partner_file(paths, partner)
    with duckdb.connect(str(source), read_only=True) as con:
        page = render_partner_report(con, quarter)
    target = source.with_name(f"{partner}_{quarter}.html")
    filemodes.write_shared(target, lambda handle: handle.write(page))
    return target
