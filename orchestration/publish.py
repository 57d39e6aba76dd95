"""Atomic publication of a checked quarter into the analysts' file ``monitor.duckdb``.

What the file holds (names fixed by MONITOR.md, change only with a migration note). Analysts
write ``monitor.area_indicators``: ``monitor`` is the *catalog* DuckDB names after the file
``monitor.duckdb``, and the tables live in its default schema ``main``. (A schema called
``monitor`` inside ``monitor.duckdb`` would make every ``monitor.x`` ambiguous in DuckDB 1.5:
"Binder Error: Ambiguous reference to catalog or schema", leaving only ``monitor.monitor.x``.)

- ``area_indicators``: quarter x period x area x indicator, ``value`` NULL where ``status``
  is ``suppressed``; the period is ``period_type`` (``kwartaal``, ``vier_kwartalen``;
  ``kwartaal_afgerond`` and ``vier_kwartalen_afgerond``: the outcomes of the quarter or four
  quarters before, rows of the publication a quarter later; ``cohort_zes_maanden``: a
  quarter's signalled households followed for six months, a row of the publication two
  quarters later) and ``period`` (``2026Q3``, ``2025Q4-2026Q3``), ``quarter`` the quarter of
  the publication;
- ``buurt``, ``wijk``, ``gemeente``, ``regio``: the same values wide, one column per indicator
  (``seeds/indicators.csv`` order; BIGINT for a kind rounded to whole numbers, else DOUBLE).
  They carry values only: NULL there means suppressed (the gate guarantees that a published
  value is never NULL); ``area_indicators.status`` says it explicitly;
- ``buurt_leesbaar``, ``wijk_leesbaar``, ``gemeente_leesbaar``, ``regio_leesbaar``: the wide
  rows for reading, the Dutch labels as column names, text with a decimal comma, ``geheim``
  where suppressed, ``volgt`` where a later period type publishes the figure;
- ``indicatoren``: the indicator dictionary (``orchestration/dictionary.py``), with the levels
  and period types the file holds each indicator for;
- ``landelijke_referentie``: the national figures to compare with (Divosa), each cited
  (``seeds/landelijke_referentie.csv``);
- ``publication_log``: one row per publication (a republished quarter gets a new row).

Every value is rounded to the decimals of its kind (``seeds/indicator_kinds.csv``: counts
whole, rates 1 decimal, the median whole euros) as it is written; the comments on every table
and column are Dutch and stand on their own (docs/migrations.md, 4).

The column sets are written out below and nothing else is ever copied: the candidate is read
column by column, so no household-level row, pseudonym or extra column can reach the file.

How a quarter is published (``publish_quarter``):

1. take an exclusive lock (``.monitor.duckdb.lock``; one publisher at a time) and remove temp
   files left by an earlier publication that was killed;
2. build a brand-new DuckDB file next to the target (same directory, temp name); copy the
   other quarters and the log from the current file (attached READ_ONLY, so analysts' read-only
   sessions neither block nor are blocked) and add the new quarter;
3. checkpoint, close, fsync, reopen read-only to verify, then ``os.replace`` it onto
   ``monitor.duckdb`` and fsync the directory.

A failure or a kill at any moment before step 3's rename leaves the previous file byte for
byte as it was (it is only ever opened read-only); after the rename the new file is complete.
An analyst who keeps the old file open keeps reading the old inode; a new connection sees the
new quarter.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import filemodes
from orchestration.contract import (
    CANDIDATE_TABLE,
    LEVELS,
    PERIOD_COLUMN,
    PERIOD_KEY,
    PROTECTED_TABLE,
    PUBLISHED_COLUMNS,
    PUBLISHED_SCHEMA,
    STATUSES,
    WIDE_KEY_COLUMNS,
    follows_later,
    indicator_levels,
    is_published_at,
    publication_scope,
    select_with_periods,
    wide_select_sql,
)
from orchestration.dictionary import (
    COLUMN_LABELS,
    DICTIONARY_TABLE,
    FOLLOWS,
    GEHEIM,
    NO_DENOMINATOR,
    NOT_PUBLISHED,
    Entry,
    denominators,
    entries,
    follows_note,
)
from orchestration.failures import OperatorError
from orchestration.ingestion.loader import CURRENT_FILES
from orchestration.ingestion.provenance import is_synthetic
from orchestration.parameters import national_references, periods
from orchestration.quarters import parse_quarter
from orchestration.report import write_report
from orchestration.settings import Paths, fault_pause
from orchestration.shares import PublishedShare, published_shares

_step_hook: Callable[[str], None] | None = None
"""Test hook: called with the name of each step (see ``_step``); a test sets it to pause or
raise between steps. None in production."""


class PublishError(OperatorError):
    """Publication refused or failed; the previous ``monitor.duckdb`` is untouched."""


@dataclass(frozen=True)
class PublishResult:
    quarter: str
    path: Path
    published_at: datetime
    """UTC, as written to ``publication_log.published_at``."""
    rows: int
    """Rows of the quarter in ``monitor.area_indicators``."""
    areas: dict[str, int] = field(default_factory=dict)
    """Areas per level in the published quarter."""
    suppressed: int = 0
    quarters: list[str] = field(default_factory=list)
    """Every quarter in the file after publication."""
    replaced: bool = False
    """True when the quarter was published before and its rows were replaced."""


# --- the published file -------------------------------------------------------------------


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comments(table: str, about: str, columns: dict[str, str]) -> list[str]:
    """COMMENT ON statements: the table's and each column's (name as written in SQL)."""
    return [
        f"comment on table {PUBLISHED_SCHEMA}.{table} is {_quote(about)}",
        *(
            f"comment on column {PUBLISHED_SCHEMA}.{table}.{column} is {_quote(text)}"
            for column, text in columns.items()
        ),
    ]


PERIOD_COMMENTS = {
    "period_type": "Soort periode: kwartaal (het kwartaal zelf), vier_kwartalen (het kwartaal "
    "en de drie ervoor: een voortschrijdend jaar), kwartaal_afgerond en "
    "vier_kwartalen_afgerond (de uitkomsten van het vorige kwartaal of de vier kwartalen tot en "
    "met het vorige kwartaal, een kwartaal later gepubliceerd omdat zaken vaak weken na het "
    "signaal worden afgesloten) of cohort_zes_maanden (de huishoudens met een signaal in het "
    "kwartaal period, zes maanden gevolgd: in de publicatie van twee kwartalen later)",
    "period": "De periode: '2026Q3' voor een kwartaal, '2025Q4-2026Q3' voor vier kwartalen, "
    "'2026Q2' voor de afgeronde uitkomsten van 2026Q2 (in de publicatie van 2026Q3), '2026Q1' "
    "voor het cohort van 2026Q1 (in de publicatie van 2026Q3)",
}
KEY_COMMENTS = {
    "quarter": "Kwartaal van de publicatie, bijv. '2026Q3': het laatste kwartaal van de periode "
    "(van een kwartaal_afgerond of vier_kwartalen_afgerond een kwartaal na de periode, van "
    "een cohort_zes_maanden twee)",
    **PERIOD_COMMENTS,
    "area_name": "Naam van het gebied (CBS-gebiedsindeling)",
    "parent_code": "Het gebied waar dit gebied in ligt: de wijk van een buurt, de gemeente van een "
    "wijk, de regio (samenwerkingsverband) van een gemeente; leeg voor een regio",
}
GEHEIM_NOTE = (
    "Geheim (onthullingscontrole): de waarde is verborgen, niet nul; reken haar niet terug uit "
    "totalen (dat kan niet nauwkeuriger dan op 10). Een som over een kolom met geheime cellen is "
    "een ondergrens. Een verhouding of mediaan waarvan de noemer een gepubliceerde 0 is, staat "
    "ook als geheim: er valt niets te berekenen (de leesbare tabellen zeggen daar "
    f"'{NO_DENOMINATOR}')."
)


def _period_type_list() -> str:
    """The published period types in Dutch prose: ``'kwartaal', ... of 'cohort_zes_maanden'``."""
    names = [f"'{p}'" for p in publication_scope()]
    return f"{', '.join(names[:-1])} of {names[-1]}" if len(names) > 1 else names[0]


def _long_table_sql() -> list[str]:
    """``area_indicators``: DDL and analyst documentation."""
    create = f"""create table {PUBLISHED_SCHEMA}.area_indicators (
  quarter VARCHAR not null, period_type VARCHAR not null, period VARCHAR not null,
  area_level VARCHAR not null, area_code VARCHAR not null,
  area_name VARCHAR, parent_code VARCHAR, indicator VARCHAR not null, value DOUBLE,
  status VARCHAR not null,
  primary key (quarter, period_type, area_code, indicator))"""
    about = (
        "Vroegsignalering buurtmonitor, gepubliceerde cijfers in lange vorm (voor scripts en "
        "koppelingen): een rij per kwartaal x periode x gebied x indicator. Filter op "
        f"period_type: {_period_type_list()}. value is leeg (NULL) waar status = "
        f"'suppressed' (geheim). {GEHEIM_NOTE} Aantallen zijn gehele getallen, verhoudingen en "
        f"medianen afgerond zoals {DICTIONARY_TABLE}.decimalen zegt. Betekenis, eenheid, teller "
        f"en noemer van elke indicator: tabel {DICTIONARY_TABLE}. Alleen cijfers per gebied: "
        "geen huishouden, pseudoniem of adres."
    )
    columns = {
        **KEY_COMMENTS,
        "area_level": "Niveau van het gebied: regio, gemeente, wijk of buurt",
        "area_code": "Code van het gebied: RG#### (regio, eigen code), GM####, WK######, "
        "BU######## (CBS)",
        "indicator": f"Naam van de indicator; label en definitie in tabel {DICTIONARY_TABLE}",
        "value": "Het cijfer; leeg (NULL) als het geheim is",
        "status": "published (gepubliceerd) of suppressed (geheim, value is leeg)",
    }
    return [create, *_comments("area_indicators", about, columns)]


def _log_table_sql() -> list[str]:
    """``publication_log``: DDL and analyst documentation."""
    create = f"""create table {PUBLISHED_SCHEMA}.publication_log (
  quarter VARCHAR not null, published_at TIMESTAMP not null, run_id VARCHAR,
  data_version VARCHAR, checks_passed VARCHAR[], n_primary_suppressed INTEGER,
  n_secondary_suppressed INTEGER, synthetic BOOLEAN)"""
    about = (
        "Een rij per publicatie van een kwartaal (een herpublicatie voegt een rij toe; de "
        "laatste rij van een kwartaal beschrijft de huidige cijfers). published_at is in UTC; "
        "synthetic = true: demodata, elk cijfer is gegenereerd."
    )
    columns = {
        "quarter": "Het gepubliceerde kwartaal",
        "published_at": "Wanneer het bestand met dit kwartaal is geplaatst (UTC)",
        "run_id": "De Dagster-run die het publiceerde",
        "data_version": "Vingerafdruk (hash) van de aangeleverde bestanden waaruit de cijfers zijn "
        "berekend",
        "checks_passed": "De controles (Great Expectations-suites, onthullingsaudit) die "
        "geslaagd zijn",
        "n_primary_suppressed": "Cellen geheim omdat ze klein waren (primaire geheimhouding)",
        "n_secondary_suppressed": "Cellen geheim om de kleine cellen te beschermen (secundaire "
        "geheimhouding)",
        "synthetic": "true: demodata, elk cijfer is gegenereerd",
    }
    return [create, *_comments("publication_log", about, columns)]


def _indicator_comment(entry: Entry, level: str | None = None) -> str:
    unit = f"{entry.soort}, {entry.eenheid}"
    text = f"{entry.label}: {entry.definitie} ({unit}); leeg (NULL) = geheim"
    if level is None:
        return text
    if not is_published_at(entry.indicator, level):
        text += f", of niet per {level} gepubliceerd ({NOT_PUBLISHED})"
    later = {
        period_type: follows_later(entry.indicator, period_type, level)
        for period_type in publication_scope()
    }
    text += "".join(
        f"; in de rijen {period_type} leeg: het cijfer komt later, in de rij {carrier} met "
        f"dezelfde periode ({FOLLOWS})"
        for period_type, carrier in later.items()
        if carrier
    )
    return text


def _wide_table_sql(level: str) -> list[str]:
    """``buurt``, ``wijk``, ``gemeente`` or ``regio``: DDL and analyst documentation. Counts
    (and whatever rounds to whole numbers) are BIGINT, the other indicators DOUBLE."""
    wide_cols = ",\n  ".join(
        f'"{e.indicator}" {"BIGINT" if e.decimalen == 0 else "DOUBLE"}' for e in entries()
    )
    create = (
        f"create table {PUBLISHED_SCHEMA}.{level} (\n  quarter VARCHAR not null, "
        "period_type VARCHAR not null, period VARCHAR not null, "
        f"area_code VARCHAR not null, area_name VARCHAR, parent_code VARCHAR,\n"
        f"  {wide_cols},\n  primary key (quarter, period_type, area_code))"
    )
    about = (
        f"De cijfers per {level}, breed, om mee te rekenen: een rij per kwartaal x periode x "
        f"{level}, een kolom per indicator. Filter op period_type ({_period_type_list()}). "
        "Leeg (NULL) = geheim, of een indicator die de soort periode niet heeft "
        f"({DICTIONARY_TABLE}.perioden; de uitkomsten van een kwartaal staan in de rij "
        f"kwartaal_afgerond van de publicatie een kwartaal later). {GEHEIM_NOTE} Om te lezen: "
        f"{level}_leesbaar (labels als kolomnamen, 'geheim', '{NO_DENOMINATOR}' of '{FOLLOWS}' "
        "in de cel). "
        f"Definities: tabel {DICTIONARY_TABLE}."
    )
    columns = (
        KEY_COMMENTS
        | {"area_code": f"CBS-code van de {level}"}
        | {f'"{e.indicator}"': _indicator_comment(e, level) for e in entries()}
    )
    return [create, *_comments(level, about, columns)]


def _dictionary_sql() -> list[str]:
    """``indicatoren``: the indicator dictionary (filled in ``_build``)."""
    create = f"""create table {PUBLISHED_SCHEMA}.{DICTIONARY_TABLE} (
  indicator VARCHAR primary key, label VARCHAR not null, definitie VARCHAR not null,
  soort VARCHAR not null, eenheid VARCHAR not null, teller VARCHAR, noemer VARCHAR,
  decimalen INTEGER not null, periode VARCHAR, bronvelden VARCHAR, landelijk VARCHAR,
  niveaus VARCHAR[] not null, perioden VARCHAR[] not null, volgorde INTEGER not null)"""
    about = (
        "Woordenboek van de indicatoren: per indicator het label, de definitie, de soort "
        "(aantal, verhouding, mediaan), de eenheid, teller en noemer van een verhouding, de "
        "afronding, waarover ze telt, uit welke velden van de leveringen ze komt, hoe ze zich "
        "verhoudt tot de landelijke definitie (Divosa, DDAS) en op welke niveaus en in welke "
        "soorten periode het bestand haar bevat."
    )
    columns = {
        "indicator": "Naam van de indicator: de kolomnaam in buurt, wijk, gemeente en regio, de "
        "waarde van area_indicators.indicator",
        "label": "Korte Nederlandse naam: de kolomnaam in de _leesbaar-tabellen en de exports",
        "definitie": "Wat de indicator telt of meet",
        "soort": "aantal, verhouding of mediaan",
        "eenheid": "huishoudens, signalen, procent, per 1000 huishoudens of euro",
        "teller": "Bij een verhouding: de indicator in de teller",
        "noemer": "Bij een verhouding of mediaan: de indicator in de noemer (of de groep)",
        "decimalen": "Afronding: aantal decimalen (0 = geheel getal)",
        "periode": "Waarover de indicator telt: kwartaal (de hele periode), einde kwartaal (de "
        "stand aan het eind van de periode) of kwartaal, zes maanden gevolgd (de huishoudens "
        "met een signaal in het kwartaal en wat er in de zes maanden daarna gebeurde)",
        "bronvelden": "De velden van de leveringen (partners en gemeente) waaruit de indicator "
        "wordt berekend",
        "landelijk": "De landelijke definitie (Divosa Monitor Vroegsignalering, DDAS) die de "
        "indicator volgt, of waarom ze ervan afwijkt; landelijke cijfers: tabel "
        "landelijke_referentie",
        "niveaus": "De niveaus (regio, gemeente, wijk, buurt) waarop de indicator bestaat en het "
        "bestand haar bevat; op een ander niveau is ze per definitie 0 (zoals de signalen "
        "zonder huishouden in wijk en buurt)",
        "perioden": f"De soorten periode ({_period_type_list()}) waarin het bestand de "
        "indicator bevat",
        "volgorde": "Volgorde van de kolommen in de brede tabellen",
    }
    return [create, *_comments(DICTIONARY_TABLE, about, columns)]


REFERENCE_TABLE = "landelijke_referentie"


def _reference_sql() -> list[str]:
    """``landelijke_referentie``: the cited national figures (filled in ``_build``)."""
    create = f"""create table {PUBLISHED_SCHEMA}.{REFERENCE_TABLE} (
  indicator VARCHAR primary key, waarde DOUBLE not null, eenheid VARCHAR not null,
  jaar INTEGER not null, bron VARCHAR not null, toelichting VARCHAR not null)"""
    about = (
        "Landelijke cijfers om de gemeente mee te vergelijken (Divosa Monitor Vroegsignalering "
        "Schulden), elk met jaar en bron. Vergelijk met de indicator van dezelfde naam op "
        "gemeenteniveau; de definitie en hoe die zich tot de landelijke verhoudt staan in "
        f"{DICTIONARY_TABLE}."
    )
    columns = {
        "indicator": f"De indicator waarmee het cijfer te vergelijken is (zie {DICTIONARY_TABLE})",
        "waarde": "Het landelijke cijfer",
        "eenheid": "Eenheid, dezelfde als die van de indicator",
        "jaar": "Het jaar waarover het landelijke cijfer gaat",
        "bron": "Adres van de publicatie waaruit het cijfer komt",
        "toelichting": "Wat de bron precies zegt en hoe het cijfer is afgeleid",
    }
    return [create, *_comments(REFERENCE_TABLE, about, columns)]


def _follows_sql(indicator: str, level: str) -> str:
    """SQL list of the period types whose rows of ``level`` say ``volgt`` for ``indicator``
    (``contract.follows_later``); ``null`` for none."""
    later = [p for p in publication_scope() if follows_later(indicator, p, level)]
    return ", ".join(_quote(p) for p in later) or "null"


def _no_denominator_sql(indicator: str) -> str:
    """The ``when`` of a readable cell that says ``n.v.t.``: a suppressed rate or median whose
    denominator the row publishes as 0 (``dictionary.suppressed_text``); empty for a count."""
    denominator = denominators().get(indicator)
    if denominator is None:
        return ""
    return (
        f"when list_contains(h.held, '{indicator}') and w.\"{denominator}\" = 0 "
        f"then '{NO_DENOMINATOR}' "
    )


def _readable_sql(level: str) -> list[str]:
    """``<level>_leesbaar``: the wide table of a level for reading, filled from it: labels as
    column names, decimal commas, in an empty cell ``geheim`` where ``area_indicators`` has the
    cell (suppressed; ``n.v.t.`` for a rate or median whose denominator the row publishes as
    0), ``volgt`` where it has none and a period type published later carries the figure of
    the row's period (``contract.follows_later``: the outcomes of a quarter, a
    quarter later) and ``niet gepubliceerd`` where it has none otherwise (the level or the
    period type does not carry the indicator, or did not when the quarter was published)."""
    key = (PERIOD_COLUMN, *PERIOD_KEY, "area_code")
    held = (
        f"select {', '.join(key)}, list(indicator) as held "
        f"from {PUBLISHED_SCHEMA}.area_indicators where area_level = '{level}' group by all"
    )
    cells = [f'w.{c} as "{COLUMN_LABELS[c]}"' for c in WIDE_KEY_COLUMNS] + [
        f"coalesce(replace(printf('%.{e.decimalen}f', cast(w.\"{e.indicator}\" as double)), '.', ','), "
        f"case {_no_denominator_sql(e.indicator)}"
        f"when list_contains(h.held, '{e.indicator}') then '{GEHEIM}' "
        f"when w.{PERIOD_KEY[0]} in ({_follows_sql(e.indicator, level)}) then '{FOLLOWS}' "
        f"else '{NOT_PUBLISHED}' end) as {_quote_identifier(e.label)}"
        for e in entries()
    ]
    create = (
        f"create table {PUBLISHED_SCHEMA}.{level}_leesbaar as select {', '.join(cells)} "
        f"from {PUBLISHED_SCHEMA}.{level} w left join ({held}) h on "
        + " and ".join(f"w.{c} = h.{c}" for c in key)
        + " order by w.rowid"
    )
    about = (
        f"De cijfers per {level} om te lezen: dezelfde rijen als tabel {level}, met de labels "
        "van de indicatoren als kolomnamen, een decimale komma, 'geheim' waar een cijfer geheim "
        f"is, '{NO_DENOMINATOR}' bij een verhouding of mediaan waarvan de noemer 0 is (er valt "
        "niets te berekenen) en "
        f"'{NOT_PUBLISHED}' waar de {level} of de soort periode een indicator niet heeft (zie "
        f"{DICTIONARY_TABLE}.niveaus en .perioden). {follows_note()} Tekst: reken met tabel "
        f"{level}. Definities: tabel {DICTIONARY_TABLE}."
    )
    keys = KEY_COMMENTS | {"area_code": f"CBS-code van de {level}"}
    columns = {_quote_identifier(COLUMN_LABELS[c]): keys[c] for c in WIDE_KEY_COLUMNS} | {
        _quote_identifier(e.label): _indicator_comment(e, level) for e in entries()
    }
    return [create, *_comments(f"{level}_leesbaar", about, columns)]


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema_sql() -> list[str]:
    """DDL and analyst documentation (COMMENT ON) of the published file."""
    return [
        *_long_table_sql(),
        *_log_table_sql(),
        *_dictionary_sql(),
        *_reference_sql(),
        *(statement for level in LEVELS for statement in _wide_table_sql(level)),
    ]


# --- the steps ------------------------------------------------------------------------------


def _step(name: str) -> None:
    if _step_hook is not None:
        _step_hook(name)
    if name == "verified":  # the new file is complete, the swap not yet done
        fault_pause("publish")  # test hook (orchestration/settings.py), inert in production


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.publish-"


@contextlib.contextmanager
def _publisher_lock(target: Path) -> Iterator[None]:
    """One publisher per target at a time (released by the OS if the process dies)."""
    lock_path = target.with_name(f".{target.name}.lock")
    with filemodes.open_restricted(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PublishError(f"another publication of {target} is running") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temp_files(target: Path) -> list[Path]:
    """Temp files of an earlier, killed publication (safe: we hold the publisher lock)."""
    removed = []
    for path in target.parent.glob(_temp_prefix(target) + "*"):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_candidate(con: duckdb.DuckDBPyConnection, quarter: str, source: str):
    """The quarter's candidate rows, published columns only, as an Arrow table."""
    cols = ", ".join(PUBLISHED_COLUMNS)
    table = con.execute(
        f"select {cols} from {source} where quarter = ?", [quarter]
    ).to_arrow_table()
    if table.num_rows == 0:
        raise PublishError(f"{source} has no rows for {quarter}: nothing to publish")
    return table


def publish_quarter(
    warehouse_con: duckdb.DuckDBPyConnection,
    quarter: str,
    monitor_path: Path | str,
    *,
    run_id: str,
    data_version: str,
    checks_passed: list[str],
    n_primary: int,
    n_secondary: int,
    synthetic: bool,
    source_table: str = CANDIDATE_TABLE,
) -> PublishResult:
    """Publish ``quarter`` of ``source_table`` (read through ``warehouse_con``) atomically.

    Call only after the gate passed. Other quarters in ``monitor_path`` stay; the quarter's
    previous rows (if any) are replaced and a ``publication_log`` row is appended.
    Raises ``PublishError`` (or the underlying error) with the previous file untouched.
    """
    parse_quarter(quarter)
    target = Path(monitor_path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.with_name(target.name + ".wal").exists():
        raise PublishError(
            f"{target}.wal exists: the published file was opened read-write outside publication. "
            "Check who wrote to it, then remove the .wal file (the published file itself is "
            "only ever replaced, never written in place)."
        )
    new_rows = _read_candidate(warehouse_con, quarter, source_table)
    with _publisher_lock(target):
        _remove_stale_temp_files(target)
        temp = target.with_name(f"{_temp_prefix(target)}{os.getpid()}-{secrets.token_hex(4)}.tmp")
        published_at = datetime.now(UTC).replace(tzinfo=None)
        log_row = [quarter, published_at, run_id, data_version, list(checks_passed),
                   int(n_primary), int(n_secondary), bool(synthetic)]  # fmt: skip
        try:
            _step("started")
            replaced = _build(temp, target if target.exists() else None, quarter, new_rows, log_row)
            if temp.with_name(temp.name + ".wal").exists():
                raise PublishError(f"{temp}.wal left after checkpoint and close")
            _fsync_file(temp)
            _step("fsynced")
            result = _verify(temp, quarter, new_rows.num_rows, published_at, replaced)
            _step("verified")
            filemodes.share(temp)  # the analysts' file: 0644 whatever the umask
            os.replace(temp, target)
            _fsync_dir(target.parent)
            _step("replaced")
        except BaseException:
            temp.unlink(missing_ok=True)
            temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
            raise
    return PublishResult(
        quarter=quarter,
        path=target,
        published_at=published_at,
        rows=result.rows,
        areas=result.areas,
        suppressed=result.suppressed,
        quarters=result.quarters,
        replaced=replaced,
    )


def _old_columns(con: duckdb.DuckDBPyConnection) -> str:
    """The published columns of the old file's ``area_indicators`` (attached as ``_old``); a file
    published before the period columns (docs/migrations.md, 3) holds quarters only."""
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_catalog = '_old' "
            f"and table_schema = '{PUBLISHED_SCHEMA}' and table_name = 'area_indicators'"
        ).fetchall()
    }
    return select_with_periods(PUBLISHED_COLUMNS, existing)


def _build(temp: Path, old: Path | None, quarter: str, new_rows, log_row: list) -> bool:
    """Write the complete new file at ``temp``: the old file's other quarters and log (``old``
    attached read-only), the new quarter, the wide tables and the new log row. Returns whether
    the quarter was in the old file (a republication)."""
    order = ", ".join(f"('{e.indicator}', {i}, {e.decimalen})" for i, e in enumerate(entries()))
    level_order = ", ".join(f"('{level}', {i})" for i, level in enumerate(LEVELS))
    in_set = ", ".join
    con = duckdb.connect(str(temp))
    try:
        for statement in _schema_sql():
            con.execute(statement)
        con.register("_new_quarter", new_rows)
        con.execute(
            f"create temp table _ind as select * from (values {order}) t(indicator, ord, decimalen)"
        )
        con.execute(
            f"create temp table _lvl as select * from (values {level_order}) t(area_level, ord)"
        )
        sources = [
            "select quarter, period_type, period, area_level, area_code, area_name, "
            "parent_code, indicator, "
            "cast(case when status = 'published' then value end as double) as value, status "
            "from _new_quarter"
        ]
        period_order = ", ".join(f"('{p.period_type}', {i})" for i, p in enumerate(periods()))
        con.execute(
            f"create temp table _per as select * from (values {period_order}) t(period_type, ord)"
        )
        replaced = False
        if old is not None:
            con.execute(f"attach {_quote(str(old))} as _old (read_only)")
            replaced = bool(con.execute(
                f"select count(*) from _old.{PUBLISHED_SCHEMA}.area_indicators where quarter = ?", [quarter]
            ).fetchone()[0])  # fmt: skip
            sources.append(
                f"select {_old_columns(con)} from _old.{PUBLISHED_SCHEMA}.area_indicators "
                f"where quarter <> {_quote(quarter)}"
            )
            con.execute(
                f"insert into {PUBLISHED_SCHEMA}.publication_log by name "
                f"select * from _old.{PUBLISHED_SCHEMA}.publication_log order by published_at"
            )
        _step("old_copied")
        con.execute(
            f"insert into {PUBLISHED_SCHEMA}.area_indicators "
            "select a.quarter, a.period_type, a.period, a.area_level, a.area_code, a.area_name, "
            "a.parent_code, a.indicator, coalesce(round(a.value, i.decimalen), a.value), a.status "
            f"from ({' union all '.join(sources)}) a "
            "left join _per p using (period_type) "
            "left join _lvl l using (area_level) left join _ind i using (indicator) "
            "order by a.quarter, p.ord nulls last, a.period_type, l.ord nulls last, "
            "a.area_code, i.ord nulls last, a.indicator"
        )
        bad = con.execute(
            f"select count(*) from {PUBLISHED_SCHEMA}.area_indicators "
            f"where status not in ({in_set(map(_quote, STATUSES))}) "
            f"or area_level not in ({in_set(map(_quote, LEVELS))})"
        ).fetchone()[0]
        if bad:
            raise PublishError(f"{bad} rows with an unknown status or area level: not published")
        _step("quarter_inserted")
        for level in LEVELS:
            con.execute(
                f"insert into {PUBLISHED_SCHEMA}.{level} "
                + wide_select_sql(f"{PUBLISHED_SCHEMA}.area_indicators", level, quarter=None)
            )
        for level in LEVELS:
            for statement in _readable_sql(level):
                con.execute(statement)
        _fill_dictionary(con)
        con.executemany(
            f"insert into {PUBLISHED_SCHEMA}.{REFERENCE_TABLE} values (?, ?, ?, ?, ?, ?)",
            [[r.indicator, r.waarde, r.eenheid, r.jaar, r.bron, r.toelichting]
             for r in national_references()],
        )  # fmt: skip
        con.execute(
            f"insert into {PUBLISHED_SCHEMA}.publication_log values (?, ?, ?, ?, ?, ?, ?, ?)",
            log_row,
        )
        if old is not None:
            con.execute("detach _old")
        _step("tables_built")
        con.execute("checkpoint")
    finally:
        con.close()
    return replaced


def _fill_dictionary(con: duckdb.DuckDBPyConnection) -> None:
    """One row per indicator of the seeds, with the levels and period types the file holds it
    for (in the seeds' order); a level the indicator does not exist at (its 0 by definition,
    ``contract.indicator_levels``) is not among its levels."""
    present = {
        indicator: (set(levels), set(period_types))
        for indicator, levels, period_types in con.execute(
            "select indicator, list(distinct area_level), list(distinct period_type) "
            f"from {PUBLISHED_SCHEMA}.area_indicators group by indicator"
        ).fetchall()
    }
    period_types = [p.period_type for p in periods()]
    defined = indicator_levels()
    rows = []
    for i, e in enumerate(entries()):
        levels, kinds = present.get(e.indicator, (set(), set()))
        levels &= set(defined[e.indicator])
        rows.append(
            [e.indicator, e.label, e.definitie, e.soort, e.eenheid, e.teller, e.noemer,
             e.decimalen, e.periode, e.bronvelden, e.landelijk,
             [lvl for lvl in LEVELS if lvl in levels], [p for p in period_types if p in kinds], i]
        )  # fmt: skip
    con.executemany(
        f"insert into {PUBLISHED_SCHEMA}.{DICTIONARY_TABLE} values ({', '.join(['?'] * 14)})",
        rows,
    )


def _verify(
    path: Path, quarter: str, expected_rows: int, published_at: datetime, replaced: bool
) -> PublishResult:
    """Reopen the finished file read-only and check the new quarter landed whole."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows, suppressed = con.execute(
            "select count(*), count(*) filter (status = 'suppressed') "
            f"from {PUBLISHED_SCHEMA}.area_indicators where quarter = ?",
            [quarter],
        ).fetchone()
        areas = dict(
            con.execute(
                f"select area_level, count(distinct area_code) from {PUBLISHED_SCHEMA}.area_indicators "
                "where quarter = ? group by 1",
                [quarter],
            ).fetchall()
        )
        area_periods = con.execute(
            "select count(distinct (period_type, area_code)) "
            f"from {PUBLISHED_SCHEMA}.area_indicators where quarter = ?",
            [quarter],
        ).fetchone()[0]
        wide = sum(
            con.execute(
                f"select count(*) from {PUBLISHED_SCHEMA}.{level} where quarter = ?", [quarter]
            ).fetchone()[0]
            for level in LEVELS
        )
        logged = con.execute(
            f"select count(*) from {PUBLISHED_SCHEMA}.publication_log where quarter = ? and published_at = ?",
            [quarter, published_at],
        ).fetchone()[0]
        quarters = [
            r[0]
            for r in con.execute(
                f"select distinct quarter from {PUBLISHED_SCHEMA}.area_indicators order by 1"
            ).fetchall()
        ]
    if rows != expected_rows or wide != area_periods or logged != 1:
        raise PublishError(
            f"verification of {path} failed: {rows} rows (expected {expected_rows}), "
            f"{wide} wide rows for {area_periods} areas x periods, {logged} log rows"
        )
    return PublishResult(
        quarter=quarter,
        path=path,
        published_at=published_at,
        rows=rows,
        areas=areas,
        suppressed=suppressed,
        quarters=quarters,
        replaced=replaced,
    )


# --- the stage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """What the publish stage did: the publication and the facts its log row records."""

    result: PublishResult
    data_version: str
    n_primary: int
    n_secondary: int
    synthetic: bool
    report: Path
    shares: list[PublishedShare] = field(default_factory=list)
    """Information loss per level, period type and indicator (``published_shares``)."""


def data_version(con: duckdb.DuckDBPyConnection, quarter: str) -> str:
    """Hash of the landed files the quarter's figures were computed from: the current state of
    each file (a rerun that saw the same files, and logged them ``unchanged``, keeps it)."""
    hashes = con.execute(
        f"select file_sha256 from {CURRENT_FILES} where quarter = ? "
        "and status <> 'failed' order by source, file_name",
        [quarter],
    ).fetchall()
    return hashlib.sha256("".join(h for (h,) in hashes).encode()).hexdigest()[:16]


def suppression_counts(con: duckdb.DuckDBPyConnection, quarter: str) -> tuple[int, int]:
    """(primary, secondary) suppressions of the quarter's protected table."""
    return con.execute(
        "select count(*) filter (suppression = 'primary'), "
        f"count(*) filter (suppression = 'secondary') from {PROTECTED_TABLE} where quarter = ?",
        [quarter],
    ).fetchone()


def publish_checked_quarter(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    paths: Paths,
    *,
    run_id: str,
    checks_passed: list[str],
) -> Publication:
    """The publish stage: publish the quarter's checked candidate to ``paths.monitor`` with its
    log row, then write the quarter's report. Call only after every check passed."""
    version = data_version(con, quarter)
    n_primary, n_secondary = suppression_counts(con, quarter)
    synthetic = is_synthetic(con, quarter)  # recorded at ingestion (ingestion/provenance.py)
    result = publish_quarter(
        con,
        quarter,
        paths.monitor,
        run_id=run_id,
        data_version=version,
        checks_passed=checks_passed,
        n_primary=n_primary,
        n_secondary=n_secondary,
        synthetic=synthetic,
    )
    report = write_report(paths, quarter)
    shares = published_shares(con, quarter)
    return Publication(result, version, n_primary, n_secondary, synthetic, report, shares)
