"""The dbt project against a hand-made warehouse (tests/fixtures/raw_warehouse.py).

Runs the real ``dbt build`` (seeds, models and every dbt data test) per quarter, the way the
pipeline does: the quarter in MONITOR_QUARTER, the warehouse in MONITOR_WAREHOUSE. Checks
the match statuses, household features and personas against the fixture's expectations,
recomputes every indicator independently in Python from the fixture's raw rows (with the
definitions of MONITOR.md stated in this file, not read from the seeds the models read), and
checks that quarters are independent, buildable in any order and rebuilt identically.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

try:
    from tests.fixtures import raw_warehouse as fx
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fixtures import raw_warehouse as fx  # type: ignore[no-redef]
from tests.stated_indicators import (
    COUNTS,
    GROUPS,
    HELP_RANK,
    LATER_ONLY,
    NOT_PICKED_UP,
    OUTCOMES,
    PER_MONTH_RATES,
    RATES,
    UNLINKED_COUNTS,
)

REPO = Path(__file__).resolve().parent.parent
PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")

PER_QUARTER_TABLES = (
    "main_marts.fct_signalen",
    "main_marts.fct_huishouden_signalen",
    "main_monitor.mon_match_rates",
    "main_monitor.mon_area_counts",
    "main_monitor.mon_area_indicators",
)
"""The tables a quarter's build fills for the quarter itself (of mon_area_indicators, the rows
of its own period types)."""
LATER_TABLES = (
    "main_marts.fct_huishouden_uitkomsten",
    "main_monitor.mon_area_counts_kwartaal_afgerond",
    "main_monitor.mon_area_indicators",
)
"""The tables with what a quarter's build computes of the quarter before it: its outcomes as
known a quarter later (of mon_area_indicators, the rows of kwartaal_afgerond); no rows while
that quarter is not built."""
OWN_PERIOD_TYPES = ("kwartaal", "vier_kwartalen")

# ------------------------------------------------ the definitions, stated here (MONITOR.md)
# The reference below is computed from these statements, never from seeds/ (which the models
# read): a changed seed or model shows up as a difference.

AOW_AGE = 67
"""senior: the oldest resident is this old or older."""
MINOR_BELOW = 18
"""A resident younger than this is a minor."""
JONGE_STARTER_OLDEST = (18, 27)
"""jonge_starter: the oldest resident is 18 to 27 (both included) and there are no minors."""
STUDENT_AGES = (17, 25)
"""student: every resident is 17 to 25 (both included) and none has a benefit."""
GROOT_GEZIN_MINORS = 3
"""groot_gezin_minimum: at least this many minors and a minimum-income benefit."""
MINIMUM_BENEFITS = {"participatiewet", "ioaw"}
SELF_EMPLOYED_BENEFITS = {"bbz"}
KNOWN_MONTHS = 12
"""Known to the gemeente: a benefit or debt-help spell in the 12 months up to the first signal."""
REPEAT_MONTHS = 6
"""A repeat (hh_herhaald): another signal at the household's address, dated in the 6 calendar
months before its first signal of the quarter (from that day 6 months earlier to the day
before), delivered in any landing."""

SCHULDHULP_MONTHS = 6
"""hh_schuldhulp_binnen_6m: a resident (registered at the address in the cohort's quarter) whose
schuldhulp trajectory started from the household's first signal of that quarter up to 6
calendar months after it, both days included; published two quarters after the cohort's
quarter, from that later quarter's schuldhulp extract."""
COHORT_DELAY = 2

MEDIANS = ("mediaan_bedrag", "mediaan_dagen_achterstand", "mediaan_dagen_tot_contact")
"""The median arrears (sum of a household's amounts) over the signalled households; the median
of their longest arrears in days; over reached households, the median days from the first
signal to the first contact."""
MIN_MEDIAN_N = 10
"""The medians in days need this many households with a value (else NULL: MONITOR.md rule 1)."""


def dbt(
    command: list[str],
    warehouse: Path,
    quarter: str | None,
    work: Path,
    project: Path = PROJECT,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "DBT_"))}
    env.update(
        MONITOR_WAREHOUSE=str(warehouse),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_VERSION_CHECK="false",
    )
    if quarter:
        env["MONITOR_QUARTER"] = quarter
    return subprocess.run(
        [
            str(DBT),
            *command,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def build_ok(warehouse: Path, quarter: str, work: Path, command: str = "build") -> None:
    result = dbt([command], warehouse, quarter, work)
    assert result.returncode == 0, f"dbt {command} {quarter}\n{result.stdout}\n{result.stderr}"


def snapshot(warehouse: Path, quarter: str) -> dict[str, dict[str, list[tuple]]]:
    """The rows of ``quarter`` in every per-quarter table: ``own`` (PER_QUARTER_TABLES) and
    ``later`` (LATER_TABLES)."""
    types = "('" + "', '".join(OWN_PERIOD_TYPES) + "')"

    def rows(con: duckdb.DuckDBPyConnection, table: str, own: bool) -> list[tuple]:
        where = "quarter = ?"
        if table.endswith("mon_area_indicators"):
            where += f" and period_type {'in' if own else 'not in'} {types}"
        return con.execute(
            f"select * from {table} where {where} order by all", [quarter]
        ).fetchall()

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            "own": {table: rows(con, table, True) for table in PER_QUARTER_TABLES},
            "later": {table: rows(con, table, False) for table in LATER_TABLES},
        }


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(fx.READABLE_SQL)  # readable(pseudonym): the fixture's stand-in
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Quarters B, A, B, A built one after the other in one warehouse, with a snapshot of
    every per-quarter table after each build. B is built once before and once after A."""
    work = tmp_path_factory.mktemp("dbt")
    warehouse = fx.build_raw_warehouse(work / "warehouse.duckdb")
    snapshots: dict[str, dict] = {}
    for step, quarter in enumerate((fx.QUARTER_B, fx.QUARTER_A, fx.QUARTER_B, fx.QUARTER_A)):
        # the rebuilds run the same models without repeating seeds and data tests (time)
        build_ok(warehouse, quarter, work, command="build" if step < 2 else "run")
        snapshots[f"{step}"] = {q: snapshot(warehouse, q) for q in fx.QUARTERS}
    return {"warehouse": warehouse, "work": work, "snapshots": snapshots}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the tests that change a built warehouse work on their copy (``copy_to``): one path
    for every copy and one dbt target folder, so dbt parses the project in full once and only
    partially after (it parses in full whenever the warehouse path in its profile changes,
    about 3 s a call)."""
    return tmp_path_factory.mktemp("scratch")


def copy_to(scratch: Path, source: Path) -> Path:
    """A fresh copy of the warehouse ``source`` at the scratch path (an earlier copy replaced)."""
    warehouse = scratch / "warehouse.duckdb"
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    shutil.copy(source, warehouse)
    return warehouse


# ------------------------------------------------------------------ the independent reference


def quarter_bounds(quarter: str) -> tuple[date, date]:
    year, q = int(quarter[:4]), int(quarter[5])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, dom)
        except ValueError:
            continue
    raise AssertionError(day)


def overlaps(start: date, end: date | None, lo: date, hi: date) -> bool:
    return start <= hi and (end is None or end >= lo)


def days_of(s: fx.Signal) -> int | None:
    """Days in arrears: as delivered, else from the start of the arrears to the signal."""
    if s.dagen is not None:
        return s.dagen
    if s.start is not None and s.start <= s.signaaldatum:
        return (s.signaaldatum - s.start).days
    return None


def expected_households(quarter: str, cases_until: str | None = None) -> dict[str, dict]:
    """Signalled households of the quarter, from the fixture and EXPECTED_MATCH (not the model),
    with the cases as the landings up to ``cases_until`` (the quarter itself by default) have
    them: the quarter's own figures, or its outcomes known a quarter later."""
    start, end = quarter_bounds(quarter)
    latest: dict[tuple[str, str], fx.Signal] = {}
    for s in fx.SIGNALS:  # list order = file order: a later landing / file / line wins
        if start <= s.signaaldatum <= end:
            key = (s.partner_code, s.signaal_id)
            old = latest.get(key)
            if old is None or (s.landing, s.file_name) >= (old.landing, old.file_name):
                latest[key] = s
    zaken: dict[tuple[str, str], tuple] = {}
    for z in fx.ZAKEN:  # landing order, then position; no later landing
        if z[0] > (cases_until or quarter):
            continue
        key = (z[1], z[2])
        if key not in zaken or z[0] >= zaken[key][0]:
            zaken[key] = z
    per_household: dict[str, list[fx.Signal]] = defaultdict(list)
    for key, s in latest.items():
        adres = fx.EXPECTED_MATCH[key][1]
        if adres and fx.ADDRESS[adres].woonfunctie and fx.RESIDENTS.get(adres):
            per_household[adres].append(s)
    spells = [(b, "uitkering", r, s0, e) for b, r, s0, e in fx.UITKERINGEN] + [
        (b, "schuldhulp", r, s0, e) for b, r, s0, e in fx.SCHULDHULP
    ]
    households = {}
    for adres, signals in per_household.items():
        ages = fx.RESIDENTS[adres]
        persons = {fx.person_id(adres, i) for i in range(len(ages))}
        own = [sp for sp in spells if sp[0] in persons]
        first = min(s.signaaldatum for s in signals)
        repeat_from = months_before(first, REPEAT_MONTHS)
        herhaald = any(
            fx.EXPECTED_MATCH[(s.partner_code, s.signaal_id)][1] == adres
            and repeat_from <= s.signaaldatum < first
            and (s.partner_code, s.signaal_id) not in latest
            for s in fx.SIGNALS
        )
        window = months_before(first, KNOWN_MONTHS)
        bekend = any(s0 <= first and (e is None or e >= window) for _, _, _, s0, e in own)
        benefits = {
            code
            for _, bron, code, s0, e in own
            if bron == "uitkering" and overlaps(s0, e, start, end)
        }
        minors = sum(age < MINOR_BELOW for age in ages)
        young, old = JONGE_STARTER_OLDEST
        if young <= max(ages) <= old and minors == 0:
            persona = "jonge_starter"
        elif minors >= GROOT_GEZIN_MINORS and benefits & MINIMUM_BENEFITS:
            persona = "groot_gezin_minimum"
        elif max(ages) >= AOW_AGE:
            persona = "senior"
        elif benefits & SELF_EMPLOYED_BENEFITS:
            persona = "zelfstandige"
        elif STUDENT_AGES[0] <= min(ages) and max(ages) <= STUDENT_AGES[1] and not benefits:
            persona = "student"
        else:
            persona = "overig"
        cases = [
            zaken[(s.partner_code, s.signaal_id)]
            for s in signals
            if (s.partner_code, s.signaal_id) in zaken
        ]
        picked_up = [z for z in cases if z[3] not in NOT_PICKED_UP]
        helped = [z[3] for z in cases if z[3] in fx.HELP_ACCEPTED]
        hulp = bool(helped)
        types = {s.type or "overige" for s in signals}
        groups = [fx.PUBLICATION_GROUP.get(s.type or "overige", "overig") for s in signals]
        households[adres] = {
            "persona": persona,
            "bekend": bekend,
            "hulp": hulp,
            "bereikt": hulp or any(bool(z[4]) for z in picked_up),
            "opgepakt": bool(picked_up),
            "hulpsoort": min(helped, key=HELP_RANK.index) if helped else None,
            "contactpogingen": sum(z[5] or 0 for z in picked_up),
            "crisis": sum(bool(s.crisis) for s in signals),
            "eindelevering": sum(bool(s.eindelevering) for s in signals),
            "inwoners": len(ages),
            "dagen_tot_contact": min(
                ((z[6] - first).days for z in picked_up if z[6] and z[4]), default=None
            ),
            "n_types": len(types),
            "groups": groups,
            "totaal": sum(Decimal(s.bedrag) for s in signals),
            "max_dagen": max((d for d in map(days_of, signals) if d is not None), default=None),
            "herhaald": herhaald,
            "first": first,
            "last": max(s.signaaldatum for s in signals),
        }
    return households


def area_codes(adres: str) -> list[str]:
    """The areas a household counts in: its buurt, that buurt's wijk and the wijk's gemeente
    (the reference's hierarchy, whatever gemeente BAG gives); without a buurt in the
    reference, BAG's gemeente only."""
    areas = {code: (level, parent) for code, level, _, parent in fx.AREAS}
    a = fx.ADDRESS[adres]
    buurt = (a.buurtcode or "").strip().upper()
    if areas.get(buurt, ("",))[0] == "buurt":
        wijk = areas[buurt][1]
        return [buurt, wijk, areas[wijk][1]]
    return [a.gemeente]


def expected_indicators(
    quarter: str, cases_until: str | None = None
) -> dict[tuple[str, str], float | None]:
    """(area_code, indicator) -> value, computed from the fixture alone (``cases_until``: see
    ``expected_households``)."""
    areas = {code: (level, parent) for code, level, _, parent in fx.AREAS}
    households = expected_households(quarter, cases_until)

    huishoudens: dict[str, float] = defaultdict(float)
    inwoners: dict[str, float] = defaultdict(float)
    for adres, ages in fx.RESIDENTS.items():
        if fx.ADDRESS[adres].woonfunctie:
            for code in area_codes(adres):
                huishoudens[code] += 1
                inwoners[code] += len(ages)
    placed = [(area_codes(adres), h) for adres, h in households.items()]
    return area_figures(
        list(areas), huishoudens, placed, inwoners, expected_unlinked(quarter, households)
    )


def signal_gemeenten(
    quarter: str, households: dict[str, dict]
) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(partner_code, signaal_id) of every signal of the quarter -> (the gemeente it counts in,
    its signalen_<reason> when it is at no household, else None). A signal at a household
    counts in the household's gemeente; one at no household in the matched address's BAG
    gemeente, else the gemeente of most BAG addresses with the signal's pc4 (a tie: the lowest
    code), else (a pc4 outside) the reference's only gemeente; the fixture has two
    gemeenten, so those count nowhere."""
    start, end = quarter_bounds(quarter)
    gemeenten = [code for code, level, _, _ in fx.AREAS if level == "gemeente"]
    per_pc4: dict[str, Counter[str]] = defaultdict(Counter)
    for a in fx.ADDRESSES:
        per_pc4[a.postcode[:4]][a.gemeente] += 1
    pc4_gemeente = {pc4: min(n, key=lambda g: (-n[g], g)) for pc4, n in per_pc4.items()}
    out: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for s in fx.SIGNALS:
        key = (s.partner_code, s.signaal_id)
        if not start <= s.signaaldatum <= end:
            continue
        status, adres = fx.EXPECTED_MATCH[key]
        if adres in households:
            out[key] = (area_codes(adres)[-1], None)
        elif adres:
            out[key] = (fx.ADDRESS[adres].gemeente, "signalen_geen_huishouden")
        else:
            only = gemeenten[0] if len(gemeenten) == 1 else None
            reason = {
                "no_match": "signalen_geen_match",
                "outside_gemeente": "signalen_buiten_gemeente",
                "ambiguous": "signalen_meerdere_adressen",
            }[status]
            out[key] = (pc4_gemeente.get(s.postcode[:4], only), reason)
    return out


def expected_unlinked(quarter: str, households: dict[str, dict]) -> dict[str, dict[str, float]]:
    """gemeente -> signalen_<reason> -> signals of the quarter at no household, in the gemeente
    of ``signal_gemeenten``."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for gemeente, reason in signal_gemeenten(quarter, households).values():
        if gemeente and reason:
            out[gemeente][reason] += 1
    return out


def area_figures(
    codes: list[str],
    huishoudens: dict[str, float],
    placed: list[tuple[list[str], dict]],
    inwoners: dict[str, float],
    unlinked: dict[str, dict[str, float]],
    quarters: int = 1,
) -> dict[tuple[str, str], float | None]:
    """(area_code, indicator) -> value from the signalled households, each with the areas it
    counts in and its features (``expected_households``' shape), the areas' households and
    residents, and the signals at no household per gemeente (``expected_unlinked``), over a
    period of ``quarters`` quarters."""
    counts: dict[str, dict[str, float]] = {code: defaultdict(float) for code in codes}
    totals: dict[str, list[float]] = defaultdict(list)
    days: dict[str, dict[str, list[float]]] = {m: defaultdict(list) for m in MEDIANS[1:]}
    for code in codes:
        counts[code]["huishoudens"] = huishoudens.get(code, 0.0)
        counts[code]["inwoners"] = inwoners.get(code, 0.0)
        for name in UNLINKED_COUNTS:
            counts[code][name] = unlinked.get(code, {}).get(name, 0.0)
            counts[code]["signalen"] += counts[code][name]
    for in_areas, h in placed:
        for code in in_areas:
            c = counts[code]
            c["hh_met_signaal"] += 1
            c["hh_meerdere_signalen"] += h["n_types"] >= 2
            c["signalen"] += len(h["groups"])
            for group in h["groups"]:
                c[f"signalen_{group}"] += 1
            c["hh_onbekend"] += not h["bekend"]
            c["hh_bereikt"] += h["bereikt"]
            c["hh_hulp_geaccepteerd"] += h["hulp"]
            c[f"hh_persona_{h['persona']}"] += 1
            c[f"hh_bereikt_persona_{h['persona']}"] += h["bereikt"]
            c[f"hh_hulp_persona_{h['persona']}"] += h["hulp"]
            c["hh_opgepakt"] += h["opgepakt"]
            if h["hulpsoort"]:
                c[f"hh_hulpsoort_{h['hulpsoort']}"] += 1
            c["crisissignalen"] += h["crisis"]
            c["eindeleveringssignalen"] += h["eindelevering"]
            c["contactpogingen"] += h["contactpogingen"]
            c["hh_herhaald"] += h["herhaald"]
            totals[code].append(float(h["totaal"]))
            if h["max_dagen"] is not None:
                days["mediaan_dagen_achterstand"][code].append(h["max_dagen"])
            if h["bereikt"] and h["dagen_tot_contact"] is not None:
                days["mediaan_dagen_tot_contact"][code].append(h["dagen_tot_contact"])
    out: dict[tuple[str, str], float | None] = {}
    for code in codes:
        c = counts[code]
        out |= {(code, name): c[name] for name in COUNTS}
        for name, (numerator, denominator, scale) in RATES.items():
            scale /= quarters if name in PER_MONTH_RATES else 1
            out[(code, name)] = c[numerator] / c[denominator] * scale if c[denominator] else None
        out[(code, "mediaan_bedrag")] = statistics.median(totals[code]) if totals[code] else None
        for name, values in days.items():
            known = values[code]
            out[(code, name)] = statistics.median(known) if len(known) >= MIN_MEDIAN_N else None
    return out


# ----------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_every_signal_gets_the_expected_match_status(built, quarter: str) -> None:
    start, end = quarter_bounds(quarter)
    expected = {
        key: value
        for key, value in fx.EXPECTED_MATCH.items()
        if any(
            s.partner_code == key[0] and s.signaal_id == key[1] and start <= s.signaaldatum <= end
            for s in fx.SIGNALS
        )
    }
    actual = {
        (partner, signaal): (status, adres)
        for partner, signaal, status, adres in query(
            built["warehouse"],
            "select partner_code, readable(signaal_id), match_status, readable(adres_pseudo) "
            "from main_marts.fct_signalen where quarter = ?",
            [quarter],
        )
    }
    assert actual == expected


def test_every_fallback_is_exercised() -> None:
    statuses = {status for status, _ in fx.EXPECTED_MATCH.values()}
    assert statuses == {
        "exact",
        "letter_as_toevoeging",
        "unique_toevoeging",
        "missing_toevoeging",
        "ambiguous",
        "no_match",
        "outside_gemeente",
    }


def test_match_rates_count_the_signals(built) -> None:
    rows = query(
        built["warehouse"],
        "select match_status, sum(n_signalen), sum(n_huishouden) "
        "from main_monitor.mon_match_rates where quarter = ? group by 1",
        [fx.QUARTER_A],
    )
    by_status = {status: (int(n), int(h)) for status, n, h in rows}
    assert by_status["ambiguous"] == (1, 0)
    assert by_status["no_match"] == (2, 0)
    assert by_status["outside_gemeente"] == (1, 0)
    # exact matches to the office (a09) and the empty dwelling (a10) reach no household
    n_exact, h_exact = by_status["exact"]
    assert n_exact - h_exact == 2


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_personas(built, quarter: str) -> None:
    actual = dict(
        query(
            built["warehouse"],
            "select readable(huishouden_id), persona from main_marts.fct_huishouden_signalen "
            "where quarter = ?",
            [quarter],
        )
    )
    assert actual == fx.EXPECTED_PERSONA[quarter]
    assert actual == {k: v["persona"] for k, v in expected_households(quarter).items()}
    assert set(fx.EXPECTED_PERSONA[fx.QUARTER_A].values()) == {
        "jonge_starter",
        "groot_gezin_minimum",
        "senior",
        "zelfstandige",
        "student",
        "overig",
    }


def test_household_features(built) -> None:
    rows = query(
        built["warehouse"],
        """
        select readable(huishouden_id), n_signalen, n_partner_types, n_publicatiegroepen, totaal_bedrag,
               max_dagen_achterstand, crisis, bekend, bereikt, hulp_geaccepteerd,
               n_bewoners, n_minderjarigen, buurtcode, gemeentecode
        from main_marts.fct_huishouden_signalen where quarter = ?""",
        [fx.QUARTER_A],
    )
    h = {row[0]: row[1:] for row in rows}
    # a01: eneco (delivered twice, counted once), waternet (days derived), unregistered partner
    assert h["a01"][:5] == (3, 3, 3, Decimal("245.50"), 104)
    # a02A: the corrected redelivery of Y1 (1600) replaces the first (1500); crisis
    assert h["a02A"][:6] == (3, 3, 2, Decimal("1830.00"), None, True)
    # a12: the late signal W9 (delivered in the next quarter's landing) counts in quarter A
    assert h["a12"][:2] == (2, 2)
    assert h["a13"][-2:] == (None, "GM0001")  # no buurt
    assert h["b03"][-2:] == ("BU00020101", "GM0002")  # padded code and gemeentecode '0002'
    assert {k for k, v in h.items() if v[6]} == fx.EXPECTED_BEKEND_A
    # help accepted: not a01, whose case E1 accepted help only in B's landing (a later landing
    # is not read: test_outcomes_known_a_quarter_later)
    assert {k for k, v in h.items() if v[8]} == {"a02A", "a05", "a06_1"}
    # reached; c05's case says reached but was not picked up
    reached = {k for k, v in h.items() if v[7]}
    assert {k for k in reached if not k.startswith("c")} == {"a02A", "a02B", "a05", "a06_1"}
    assert {k for k in reached if k.startswith("c")} == {
        f"c{n:02d}" for n in (1, 3, 4, 6, 7, 9, 10, 11, 12, 13)
    }
    assert h["a02A"][9:11] == (5, 3)
    expected = expected_households(fx.QUARTER_A)
    for adres, features in h.items():
        assert features[4] == expected[adres]["max_dagen"], adres
        assert features[3] == expected[adres]["totaal"], adres


def test_the_households_that_define_the_indicators(built) -> None:
    """The edges of the definitions, row by row: partner types (not signals, not publication
    groups) make a household 'meerdere', and the look-back window includes its first day."""
    rows = query(
        built["warehouse"],
        "select readable(huishouden_id), n_signalen, n_partner_types, n_publicatiegroepen, bekend "
        "from main_marts.fct_huishouden_signalen where quarter = ? and readable(huishouden_id) like 'c%'",
        [fx.QUARTER_A],
    )
    h = {row[0]: row[1:] for row in rows}
    assert h["c03"][:3] == (2, 1, 1)  # two eneco signals: one partner type
    assert h["c04"][:3] == (2, 1, 1)  # eneco and vattenfall: one partner type
    assert h["c09"][:3] == (2, 2, 1)  # zorg and cak_zorgverzekering: two types, one group
    assert not h["c02"][3]  # the spell ended the day before the window
    assert h["c08"][3]  # the spell ended on the window's first day
    assert h["c05"][3]  # the spell started on the day of the first signal


def test_the_households_that_define_the_funnel(built) -> None:
    """The edges of picked up, reached, help type and effort, row by row."""
    rows = query(
        built["warehouse"],
        "select readable(huishouden_id), opgepakt, bereikt, hulpsoort, contactpogingen, "
        "n_crisissignalen, n_eindeleveringssignalen, dagen_tot_contact "
        "from main_marts.fct_huishouden_signalen where quarter = ?",
        [fx.QUARTER_A],
    )
    h = {row[0]: row[1:] for row in rows}
    assert h["a03"][:2] == (False, False)  # only a repeat signal: not picked up
    assert h["c05"][:2] == (False, False)  # 'reached' on a case not picked up: not reached
    assert h["c02"][:2] == (False, False)  # inwoner_overleden
    assert h["c08"][:3] == (True, False, None)  # verwijzing_zonder_contact: picked up, no help
    assert h["a12A"][:2] == (True, False)  # an open case (no outcome yet) is picked up
    assert h["a02A"][2:4] == ("vervolghulp_financieel", 3)  # financial ranks above quick fix
    assert h["a06_1"][2] == "vervolghulp_niet_financieel"
    assert h["a05"][1:4] == (True, "quick_fix", 0)  # help accepted implies reached
    assert h["a01"][3] == 3  # E1's case as landed with A: 3 attempts (B's version: 2)
    assert h["c04"][4:6] == (1, 1) and h["a04_2"][4:6] == (0, 1)
    # days to the first contact: from the first signal (c09's zorg signal), not the one reached
    assert (h["c01"][6], h["c09"][6], h["a02B"][6]) == (3, 53, None)
    assert h["a04_2"][:2] == (False, False)  # no case at all


def test_the_households_that_define_signal_counts_and_help_rank(built) -> None:
    """Quarter B's edges: crisis and end-of-supply count signals, not households (d01 has two
    of each); attempts count on picked-up cases only (d01's case not picked up had three);
    non-financial follow-up help ranks above a quick fix (d02 has both); arrears that started
    on the day of the signal are 0 days (d02's eneco signal), not unknown."""
    rows = query(
        built["warehouse"],
        "select readable(huishouden_id), n_crisissignalen, n_eindeleveringssignalen, "
        "contactpogingen, opgepakt, hulpsoort, max_dagen_achterstand "
        "from main_marts.fct_huishouden_signalen "
        "where quarter = ? and readable(huishouden_id) like 'd%'",
        [fx.QUARTER_B],
    )
    h = {row[0]: row[1:] for row in rows}
    assert h["d01"][:5] == (2, 2, 1, True, None)
    assert h["d02"][2:] == (3, True, "vervolghulp_niet_financieel", 0)
    expected = expected_households(fx.QUARTER_B)
    assert (expected["d01"]["crisis"], expected["d01"]["eindelevering"]) == (2, 2)
    assert expected["d01"]["contactpogingen"] == 1
    assert expected["d02"]["hulpsoort"] == "vervolghulp_niet_financieel"
    assert expected["d02"]["max_dagen"] == 0
    # d03_2: the one residential address at 3, not the office with the lower pseudonym
    assert "d03_2" in h and fx.pseudonym("d03_1") < fx.pseudonym("d03_2")


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_the_amounts_and_days_of_every_household(built, quarter: str) -> None:
    """Every signalled household's total arrears and longest arrears in days, in both
    quarters; a signal delivered twice in one landing counts in the version of the later file
    (d02's W10: waternet_aug.csv after waternet.csv)."""
    actual = {
        hh: (totaal, dagen)
        for hh, totaal, dagen in query(
            built["warehouse"],
            "select readable(huishouden_id), totaal_bedrag, max_dagen_achterstand "
            "from main_marts.fct_huishouden_signalen where quarter = ?",
            [quarter],
        )
    }
    expected = {hh: (h["totaal"], h["max_dagen"]) for hh, h in expected_households(quarter).items()}
    assert actual == expected
    if quarter == fx.QUARTER_B:
        assert actual["d02"][0] == Decimal("100.00") + Decimal("140.00")


def expected_partner_figures(
    quarter: str, cases_until: str | None = None
) -> dict[tuple[str, str, str], float | None]:
    """(partner, gemeente, indicator) -> value over the partner's signals of the quarter,
    computed from the fixture alone: its signals counted in the gemeente (linked or not), the
    linked ones in its publication group, those at no household per reason, the households
    with a signal of the partner and, of those, picked up, reached and helped (the household's
    outcome, whichever partner's case led to it; with the cases as ``expected_households``
    has them up to ``cases_until``), the median days to contact and the rates over these
    counts. Every partner x gemeente with a signal there has every figure."""
    households = expected_households(quarter, cases_until)
    signals = {(s.partner_code, s.signaal_id): s for s in fx.SIGNALS}
    counts: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    partner_households: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, (gemeente, reason) in signal_gemeenten(quarter, households).items():
        if gemeente is None:
            continue  # counted in no gemeente
        c = counts[(key[0], gemeente)]
        c["signalen"] += 1
        for name in UNLINKED_COUNTS:
            c[name] += name == reason
        group = fx.PUBLICATION_GROUP.get(signals[key].type or "overige", "overig")
        c[f"signalen_{group}"] += not reason  # the partner's group, 0 when none is linked
        if not reason:
            partner_households[(key[0], gemeente)].add(fx.EXPECTED_MATCH[key][1])
    outcomes = {"hh_opgepakt": "opgepakt", "hh_bereikt": "bereikt", "hh_hulp_geaccepteerd": "hulp"}
    out: dict[tuple[str, str, str], float | None] = {}
    for (partner, gemeente), c in counts.items():
        own = [households[a] for a in partner_households[(partner, gemeente)]]
        c["hh_met_signaal"] = len(own)
        for name, feature in outcomes.items():
            c[name] = sum(h[feature] for h in own)
        out |= {(partner, gemeente, name): value for name, value in c.items()}
        for name, (numerator, denominator, scale) in RATES.items():
            if numerator in c and denominator in c:
                value = c[numerator] / c[denominator] * scale if c[denominator] else None
                out[(partner, gemeente, name)] = value
        days = [h["dagen_tot_contact"] for h in own if h["bereikt"]]
        days = [d for d in days if d is not None]
        median = statistics.median(days) if len(days) >= MIN_MEDIAN_N else None
        out[(partner, gemeente, "mediaan_dagen_tot_contact")] = median
    return out


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_partner_figures_equal_an_independent_computation(built, quarter: str) -> None:
    """mon_partner_indicators, per partner and gemeente (``expected_partner_figures``): the
    quarter's own figures without the outcomes (kwartaal); in B also the outcomes of A's
    households as B's landing knows them, with their hh_met_signaal and rates
    (kwartaal_afgerond, period A, where the partner had households); none in A (the quarter
    before is not built)."""
    actual = {
        (period_type, period, partner, gemeente, name): value
        for period_type, period, partner, gemeente, name, value in query(
            built["warehouse"],
            "select period_type, period, partner_code, area_code, indicator, value "
            "from main_monitor.mon_partner_indicators where quarter = ?",
            [quarter],
        )
    }
    expected = {
        ("kwartaal", quarter, *key): value
        for key, value in expected_partner_figures(quarter).items()
        if key[-1] not in LATER_ONLY
    }
    if quarter == fx.QUARTER_B:
        later = expected_partner_figures(fx.QUARTER_A, quarter)
        expected |= {
            ("kwartaal_afgerond", fx.QUARTER_A, *key): value
            for key, value in later.items()
            if key[-1] in OUTCOMES and later[(*key[:2], "hh_met_signaal")]
        }
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == (None if value is None else pytest.approx(value)), key
    # the data exercise it: a household signalled in both quarters (a01, eneco's)
    assert expected[("kwartaal", quarter, "eneco", "GM0001", "hh_met_signaal")] > 1
    if quarter == fx.QUARTER_B:  # a01's E1 accepted help in B's landing, not yet in A's
        own = expected_partner_figures(fx.QUARTER_A)[("eneco", "GM0001", "hh_hulp_geaccepteerd")]
        assert (
            expected[("kwartaal_afgerond", fx.QUARTER_A, "eneco", "GM0001", "hh_hulp_geaccepteerd")]
            > own
        )
        assert any(k[0] == "kwartaal_afgerond" and k[-1] == "pct_hulp" for k in expected)


def test_the_addresses_that_define_the_gemeente_of_a_signal() -> None:
    """pc4 1111 has addresses in both gemeenten (the office e01 and the household e04 are in
    GM0002 by BAG): the signal at the office counts in GM0002; the ambiguous E43 at pc4 1111
    in GM0001, the gemeente of most of its addresses; e04 counts in its buurt's gemeente. The
    signal at e05, whose use BAG does not give, is at no household."""
    e = expected_indicators(fx.QUARTER_B)
    assert e[("GM0002", "signalen_geen_huishouden")] == 1
    assert e[("GM0001", "signalen_geen_huishouden")] == 1  # e05, of unknown use
    assert e[("GM0001", "signalen_meerdere_adressen")] == 1
    assert {fx.ADDRESS[a].gemeente for a in ("e01", "e04")} == {"GM0002"}
    assert e[("GM0002", "huishoudens")] == 3  # b01, b02, b03; not e04


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_the_households_that_define_repeat_signals(built, quarter: str) -> None:
    """A repeat has another signal at its address from the first day of the six months before
    its first signal of the quarter (not the day before), from any landing, built or not."""
    actual = {
        hh
        for (hh,) in query(
            built["warehouse"],
            "select readable(huishouden_id) from main_marts.fct_huishouden_signalen "
            "where quarter = ? and herhaald",
            [quarter],
        )
    }
    assert actual == fx.EXPECTED_HERHAALD[quarter]
    expected = expected_households(quarter)
    assert actual == {hh for hh, h in expected.items() if h["herhaald"]}
    assert 0 < len(actual) < len(expected)


def test_the_fixture_exercises_the_new_definitions() -> None:
    """The independent computation below meets every case of issue #15 in quarter A: each
    reason a signal is at no household (the one from outside counts in no gemeente, the
    fixture having two), the medians in days with ten households, the funnel's steps."""
    e = expected_indicators(fx.QUARTER_A)
    reasons = ("geen_match", "meerdere_adressen", "geen_huishouden", "buiten_gemeente")
    assert [e[("GM0001", f"signalen_{r}")] for r in reasons] == [2, 1, 2, 0]
    assert all(e[("BU0001AB01", f"signalen_{r}")] == 0 for r in reasons)
    assert e[("BU0001AB01", "mediaan_dagen_achterstand")] is not None
    assert e[("BU0001AB01", "mediaan_dagen_tot_contact")] is not None
    assert e[("BU00010101", "mediaan_dagen_achterstand")] is None  # fewer than ten known
    gm = {n: e[("GM0001", n)] for n in ("hh_met_signaal", "hh_opgepakt", "hh_bereikt")}
    assert gm["hh_met_signaal"] > gm["hh_opgepakt"] > gm["hh_bereikt"] > 0
    assert all(e[("GM0001", f"hh_hulpsoort_{t}")] > 0 for t in HELP_RANK)


@pytest.mark.parametrize("quarter", fx.QUARTERS)
def test_indicators_equal_an_independent_computation(built, quarter: str) -> None:
    """The quarter's own figures, without its outcomes; in B also A's outcomes as B's
    landing knows them (kwartaal_afgerond, period A); none in A (the quarter before is not
    built)."""
    actual = {
        (period_type, period, code, name): value
        for period_type, period, code, name, value in query(
            built["warehouse"],
            "select period_type, period, area_code, indicator, value "
            "from main_monitor.mon_area_indicators where quarter = ?",
            [quarter],
        )
    }
    expected = {
        ("kwartaal", quarter, code, name): value
        for (code, name), value in expected_indicators(quarter).items()
        if name not in LATER_ONLY
    }
    if quarter == fx.QUARTER_B:
        expected |= {
            ("kwartaal_afgerond", fx.QUARTER_A, code, name): value
            for (code, name), value in expected_indicators(fx.QUARTER_A, quarter).items()
            if name in OUTCOMES
        }
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == (None if value is None else pytest.approx(value)), key


def test_outcomes_known_a_quarter_later(built) -> None:
    """A's outcomes in B's build (fct_huishouden_uitkomsten): the cases as B's landing has
    them, so a01's E1 accepted help (its version in B's landing) and a12A's open case E7 was
    closed in B, reached; the features of A itself keep what A's landing said."""
    rows = query(
        built["warehouse"],
        "select readable(huishouden_id), opgepakt, bereikt, hulp_geaccepteerd, hulpsoort, "
        "contactpogingen, dagen_tot_contact from main_marts.fct_huishouden_uitkomsten "
        "where quarter = ? and period = ?",
        [fx.QUARTER_B, fx.QUARTER_A],
    )
    later = {row[0]: row[1:] for row in rows}
    expected = expected_households(fx.QUARTER_A, fx.QUARTER_B)
    assert later.keys() == expected.keys()
    for adres, (opgepakt, bereikt, hulp, hulpsoort, pogingen, dagen) in later.items():
        e = expected[adres]
        assert (opgepakt, bereikt, hulp, hulpsoort, pogingen, dagen) == (
            e["opgepakt"], e["bereikt"], e["hulp"], e["hulpsoort"], e["contactpogingen"],
            e["dagen_tot_contact"],
        ), adres  # fmt: skip
    assert later["a01"][2:5] == (True, "quick_fix", 2)
    assert later["a12A"][:2] == (True, True) and later["a12A"][5] is not None
    own = dict(
        query(
            built["warehouse"],
            "select readable(huishouden_id), bereikt from main_marts.fct_huishouden_signalen "
            "where quarter = ? and readable(huishouden_id) in ('a01', 'a12A')",
            [fx.QUARTER_A],
        )
    )
    assert own == {"a01": False, "a12A": False}
    assert not query(
        built["warehouse"],
        "select * from main_marts.fct_huishouden_uitkomsten where quarter = ?",
        [fx.QUARTER_A],
    )  # the quarter before A is not built


def test_area_tables_are_additive(built) -> None:
    counts = list(COUNTS)
    cols = ", ".join(counts)
    rows = query(
        built["warehouse"],
        f"select quarter, area_level, area_code, parent_code, {cols} "
        "from main_monitor.mon_area_counts",
    )
    by_key = {(r[0], r[2]): dict(zip(counts, r[4:], strict=True)) for r in rows}
    children: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        if r[3]:
            children[(r[0], r[3])].append(by_key[(r[0], r[2])])
    strictly_more = 0
    for quarter, level, code in {(r[0], r[1], r[2]) for r in rows}:
        c = by_key[(quarter, code)]
        sums = {n: sum(child[n] for child in children[(quarter, code)]) for n in counts}
        if level == "wijk":
            assert c == sums, (quarter, code)
        if level == "gemeente":
            assert all(c[n] >= sums[n] for n in counts), (quarter, code)
            strictly_more += c["huishoudens"] > sums["huishoudens"]
        unlinked = sum(c[n] for n in UNLINKED_COUNTS)
        assert c["signalen"] == sum(c[f"signalen_{g}"] for g in GROUPS) + unlinked
        assert level == "gemeente" or unlinked == 0
        assert c["hh_met_signaal"] == sum(v for n, v in c.items() if n.startswith("hh_persona_"))
        assert c["hh_hulp_geaccepteerd"] == sum(
            v for n, v in c.items() if n.startswith("hh_hulpsoort_")
        )
        assert (
            c["hh_hulp_geaccepteerd"]
            <= c["hh_bereikt"]
            <= c["hh_opgepakt"]
            <= c["hh_met_signaal"]
            <= c["huishoudens"]
            <= c["inwoners"]
        )
    assert strictly_more == 2  # GM0001 holds the household without buurt, in both quarters


def test_every_area_every_quarter_with_zeros(built) -> None:
    rows = query(
        built["warehouse"],
        "select quarter, period_type, count(distinct area_code), count(*) "
        "from main_monitor.mon_area_indicators group by all order by all",
    )
    own = len([n for n in (*COUNTS, *RATES, *MEDIANS) if n not in LATER_ONLY])
    assert rows == [
        (fx.QUARTER_A, "kwartaal", len(fx.AREAS), len(fx.AREAS) * own),
        (fx.QUARTER_B, "kwartaal", len(fx.AREAS), len(fx.AREAS) * own),
        (fx.QUARTER_B, "kwartaal_afgerond", len(fx.AREAS), len(fx.AREAS) * len(OUTCOMES)),
    ]
    empty = dict(
        query(
            built["warehouse"],
            "select indicator, value from main_monitor.mon_area_indicators "
            "where quarter = ? and area_code = 'BU0001AB02'",
            [fx.QUARTER_A],
        )
    )
    assert empty["huishoudens"] == 0 and empty["signalen"] == 0
    assert empty["pct_meerdere"] is None and empty["mediaan_bedrag"] is None


def test_counts_are_bigint_and_values_double(built) -> None:
    types = dict(
        query(
            built["warehouse"],
            "select table_name || '.' || column_name, data_type "
            "from information_schema.columns where table_schema = 'main_monitor'",
        )
    )
    assert types["mon_area_indicators.value"] == "DOUBLE"
    assert types["mon_area_counts.huishoudens"] == "BIGINT"
    assert types["mon_area_counts.signalen"] == "BIGINT"
    assert "HUGEINT" not in types.values()


def test_building_another_quarter_leaves_a_quarter_untouched(built) -> None:
    after_a, after_b_again = built["snapshots"]["1"], built["snapshots"]["2"]
    assert all(after_a[fx.QUARTER_A]["own"].values())  # every per-quarter table has rows for A
    assert after_b_again[fx.QUARTER_A] == after_a[fx.QUARTER_A]


def test_rebuilding_a_quarter_gives_identical_rows(built) -> None:
    snapshots = built["snapshots"]
    assert snapshots["3"][fx.QUARTER_A] == snapshots["1"][fx.QUARTER_A]
    assert snapshots["3"][fx.QUARTER_B] == snapshots["2"][fx.QUARTER_B]


def test_a_count_added_since_a_quarter_was_built_is_appended_on_the_next_build(
    built, scratch: Path
) -> None:
    """An upgrade that adds counts (issue 15 item 8: who is reached per persona) meets kept
    tables without their columns: the next build of a quarter appends them, the rows of the
    other quarters NULL there. DuckDB cannot commit a transaction that deletes rows and then
    adds a column, so the quarter's rows are deleted before the model's transaction
    (dbt_project.yml); with the delete inside it this build failed."""
    warehouse = copy_to(scratch, built["warehouse"])
    added = ("hh_bereikt_persona_overig", "hh_hulp_persona_overig")
    tables = ("main_monitor.mon_area_counts", "main_monitor.mon_area_counts_kwartaal_afgerond")
    with duckdb.connect(str(warehouse)) as con:  # a warehouse of before the persona columns
        for table in tables:
            for column in added:
                con.execute(f"alter table {table} drop column {column}")
    build_ok(warehouse, fx.QUARTER_B, scratch, command="run")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nulls = {
            table: dict(
                con.execute(
                    f"select quarter, count(*) filter (where {added[0]} is null) from {table} "
                    "group by quarter"
                ).fetchall()
            )
            for table in tables
        }
    assert all(n[fx.QUARTER_B] == 0 for n in nulls.values())  # rebuilt: the columns filled
    assert nulls[tables[0]][fx.QUARTER_A] > 0  # built before the columns: NULL there


def test_quarters_can_be_built_in_any_order(built) -> None:
    """B built before any A (step 0) has the same figures of its own as B built after A (step
    2); only the later has A's outcomes known a quarter later."""
    snapshots = built["snapshots"]
    before_a, after_a = snapshots["0"][fx.QUARTER_B], snapshots["2"][fx.QUARTER_B]
    assert all(before_a["own"].values())
    assert snapshots["0"][fx.QUARTER_A] == {
        "own": {table: [] for table in PER_QUARTER_TABLES},
        "later": {table: [] for table in LATER_TABLES},
    }
    assert after_a["own"] == before_a["own"]
    assert before_a["later"] == {table: [] for table in LATER_TABLES}
    assert all(after_a["later"].values())


def test_build_without_a_quarter_fails_and_says_why(built) -> None:
    result = dbt(["run", "--select", "stg_bag__adressen"], built["warehouse"], None, built["work"])
    assert result.returncode != 0
    assert "MONITOR_QUARTER" in result.stdout + result.stderr


def test_a_quarter_without_its_extracts_fails(built, scratch: Path) -> None:
    warehouse = copy_to(scratch, built["warehouse"])
    result = dbt(
        ["build", "--select", "+quarter_has_its_reference_extracts"],
        warehouse,
        "2027Q1",
        scratch,
    )
    assert result.returncode != 0
    assert "quarter_has_its_reference_extracts" in result.stdout


@pytest.mark.parametrize("column", ["quarter", "signaal_id"])
def test_a_null_in_any_required_column_fails_its_models_test(
    built, scratch: Path, column: str
) -> None:
    """One ``not_null_columns`` test per model guards every column it lists (the first and a
    later one here): the table passes as built and fails with one NULL in either column."""
    warehouse = copy_to(scratch, built["warehouse"])
    select = ["test", "--select", "fct_signalen,test_name:not_null_columns"]
    passed = dbt(select, warehouse, fx.QUARTER_A, scratch)
    assert passed.returncode == 0, passed.stdout
    assert "PASS not_null_columns_fct_signalen" in passed.stdout
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"update main_marts.fct_signalen set {column} = null "
            "where rowid = (select min(rowid) from main_marts.fct_signalen)"
        )
    failed = dbt(select, warehouse, fx.QUARTER_A, scratch)
    assert failed.returncode != 0
    assert "FAIL 1 not_null_columns_fct_signalen" in failed.stdout


# ---------------------------------------------- the cohort followed for six months (period type)


def months_after(day: date, months: int) -> date:
    return months_before(day, -months)


@pytest.fixture(scope="module")
def cohort_built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Quarters A and B built, then the quarter two after A (C), whose extracts are B's
    registers plus schuldhulp trajectories at the edges of the window of four of A's
    signalled households (on the day of the first signal and exactly six months after it: in;
    a day before and six months and a day after: out), and new signals at the addresses of
    A's households that accepted help at the edges of theirs (from the day after the later of
    the first contact and the last signal of A, here the latter, up to six months after the
    first signal: on the household's
    last signal day of A out, six months in, six months and a day out, one in B in), and one at a
    household without help (out)."""
    work = tmp_path_factory.mktemp("dbt_cohort")
    warehouse = fx.build_raw_warehouse(work / "warehouse.duckdb")
    later = fx.QUARTER_B
    for _ in range(COHORT_DELAY - 1):
        later = f"{int(later[:4]) + (later[5] == '4')}Q{int(later[5]) % 4 + 1}"
    households = expected_households(fx.QUARTER_A, fx.QUARTER_B)
    edges = (
        lambda f: f,
        lambda f: months_after(f, SCHULDHULP_MONTHS),
        lambda f: f - timedelta(days=1),
        lambda f: months_after(f, SCHULDHULP_MONTHS) + timedelta(days=1),
    )
    extra = [
        (fx.person_id(adres, 0), "advies", edge(households[adres]["first"]), None)
        for adres, edge in zip(sorted(households)[:4], edges, strict=True)
    ]
    helped = sorted(a for a, h in households.items() if h["hulp"])
    not_helped = min(a for a, h in households.items() if not h["hulp"])
    in_b = quarter_bounds(fx.QUARTER_B)[0] + timedelta(days=40)
    again_edges = (  # the fixture's cases have no contact dates: from the last signal of A
        lambda h: after_contact(h),
        lambda h: months_after(h["first"], SCHULDHULP_MONTHS),
        lambda h: months_after(h["first"], SCHULDHULP_MONTHS) + timedelta(days=1),
        lambda h: in_b,
    )
    again = [
        (adres, edge(households[adres])) for adres, edge in zip(helped, again_edges, strict=False)
    ] + [(not_helped, households[not_helped]["first"] + timedelta(days=40))]
    with duckdb.connect(str(warehouse)) as con:
        for table in (
            "wijken_buurten",
            "bag_adressen",
            "brp_personen",
            "uitkeringen",
            "schuldhulp",
        ):
            con.execute(
                f"insert into raw.{table} select * replace (? as quarter) from raw.{table} "
                "where quarter = ?",
                [later, fx.QUARTER_B],
            )
        con.executemany(
            "insert into raw.schuldhulp values (?, 'schuldhulp', 'extra.csv', ?, ?, ?, ?, ?)",
            [(later, i + 2, fx.pseudonym(b), *rest) for i, (b, *rest) in enumerate(extra)],
        )
        for i, (adres, day) in enumerate(again):  # a copy of one of its signals, later
            original = next(
                s
                for s in fx.SIGNALS
                if fx.EXPECTED_MATCH[(s.partner_code, s.signaal_id)][1] == adres
            )
            con.execute(
                "insert into raw.signalen select * replace (? as quarter, 'again.csv' as file_name, "
                "? as line_number, ? as signaal_id, ? as signaaldatum) from raw.signalen "
                "where signaal_id = ? and partner_code = ? limit 1",
                [later, i + 2, fx.pseudonym(f"again{i}"), day,
                 fx.pseudonym(original.signaal_id), original.partner_code],
            )  # fmt: skip
    for quarter in (fx.QUARTER_A, fx.QUARTER_B, later):
        build_ok(warehouse, quarter, work)
    return {"warehouse": warehouse, "quarter": later, "extra": extra, "again": again}


def after_contact(h: dict) -> date:
    """The day after which a new signal of a household that accepted help counts: its first
    contact or its last signal of the quarter, whichever is later (not the signals that led to
    the help)."""
    if h["dagen_tot_contact"] is None:
        return h["last"]
    return max(h["first"] + timedelta(days=h["dagen_tot_contact"]), h["last"])


def expected_cohort(extra: list[tuple], again: list[tuple]) -> dict[tuple[str, str], float | None]:
    """(area_code, indicator) -> value of quarter A's cohort, from the fixture alone: its
    signalled households, those with a resident's schuldhulp start in their window, those that
    accepted help (the cases as known a quarter after A) and those of them with a new signal
    at their address in theirs."""
    households = expected_households(fx.QUARTER_A, fx.QUARTER_B)
    spells = [*fx.SCHULDHULP, *extra]
    signals_at = [(fx.EXPECTED_MATCH[(s.partner_code, s.signaal_id)][1], s.signaaldatum)
                  for s in fx.SIGNALS] + list(again)  # fmt: skip
    counts: dict[str, Counter[str]] = {code: Counter() for code, *_ in fx.AREAS}
    for adres, h in households.items():
        persons = {fx.person_id(adres, i) for i in range(len(fx.RESIDENTS[adres]))}
        last_day = months_after(h["first"], SCHULDHULP_MONTHS)
        started = any(b in persons and h["first"] <= s0 <= last_day for b, _, s0, _ in spells)
        signalled_again = h["hulp"] and any(
            at == adres and after_contact(h) < day <= last_day for at, day in signals_at
        )
        for code in area_codes(adres):
            counts[code]["hh_met_signaal"] += 1
            counts[code]["hh_hulp_geaccepteerd"] += h["hulp"]
            counts[code]["hh_schuldhulp_binnen_6m"] += started
            counts[code]["hh_nieuw_signaal_na_hulp"] += signalled_again
    out: dict[tuple[str, str], float | None] = {}
    rates = {
        "pct_schuldhulp_binnen_6m": ("hh_schuldhulp_binnen_6m", "hh_met_signaal"),
        "pct_nieuw_signaal_na_hulp": ("hh_nieuw_signaal_na_hulp", "hh_hulp_geaccepteerd"),
    }
    for code, c in counts.items():
        for name in ("hh_met_signaal", "hh_hulp_geaccepteerd", "hh_schuldhulp_binnen_6m",
                     "hh_nieuw_signaal_na_hulp"):  # fmt: skip
            out[(code, name)] = c[name]
        for name, (numerator, denominator) in rates.items():
            out[(code, name)] = 100 * c[numerator] / c[denominator] if c[denominator] else None
    return out


def test_the_cohort_equals_an_independent_computation(cohort_built) -> None:
    """The cohort of quarter A in the build of the quarter two later: its rows of
    mon_area_indicators (period A) against the fixture, at every level; the edges of the
    window are in the data (two in, two out), and its households are the count published with
    A itself."""
    rows = query(
        cohort_built["warehouse"],
        "select period, area_code, indicator, value from main_monitor.mon_area_indicators "
        "where quarter = ? and period_type = 'cohort_zes_maanden'",
        [cohort_built["quarter"]],
    )
    assert {r[0] for r in rows} == {fx.QUARTER_A}
    actual = {(code, name): value for _, code, name, value in rows}
    expected = expected_cohort(cohort_built["extra"], cohort_built["again"])
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert actual[key] == (None if value is None else pytest.approx(value)), key
    gemeenten = [code for code, level, *_ in fx.AREAS if level == "gemeente"]
    for name in ("hh_schuldhulp_binnen_6m", "hh_nieuw_signaal_na_hulp"):
        assert sum(expected[(g, name)] for g in gemeenten) >= 2, name  # the edges that are in
    published_before = {  # with A, and A's outcomes with B
        (code, name): value
        for code, name, value in query(
            cohort_built["warehouse"],
            "select area_code, indicator, value from main_monitor.mon_area_indicators "
            "where (quarter, period_type, indicator) in (values "
            "(?, 'kwartaal', 'hh_met_signaal'), "
            "(?, 'kwartaal_afgerond', 'hh_hulp_geaccepteerd'))",
            [fx.QUARTER_A, fx.QUARTER_B],
        )
    }
    repeated = {
        k: v for k, v in actual.items() if k[1] in ("hh_met_signaal", "hh_hulp_geaccepteerd")
    }
    assert published_before == repeated


def test_a_cohort_needs_its_quarter_built(built) -> None:
    """The quarter after A has no cohort rows: its cohort (two quarters before) is not built."""
    assert not query(
        built["warehouse"],
        "select * from main_monitor.mon_area_indicators where period_type = 'cohort_zes_maanden'",
    )


def test_a_cohort_needs_the_outcomes_of_its_quarter(cohort_built, scratch: Path) -> None:
    """Without A's outcomes as known a quarter later (B built before A, or A protected before
    the outcomes moved), the quarter two after A has no cohort rows instead of a cohort of no
    households."""
    warehouse = copy_to(scratch, cohort_built["warehouse"])
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "delete from main_marts.fct_huishouden_uitkomsten where period = ?", [fx.QUARTER_A]
        )
    cohort = "main_monitor.mon_area_counts_cohort_zes_maanden"
    before = query(
        warehouse, f"select count(*) from {cohort} where quarter = ?", [cohort_built["quarter"]]
    )
    result = dbt(
        ["run", "--select", "mon_area_counts_cohort_zes_maanden"],
        warehouse,
        cohort_built["quarter"],
        scratch,
    )
    assert result.returncode == 0, result.stdout
    after = query(
        warehouse, f"select count(*) from {cohort} where quarter = ?", [cohort_built["quarter"]]
    )
    assert before[0][0] == len(fx.AREAS) and after == [(0,)]
