"""Atomic publication into monitor.duckdb: schema, other quarters kept, republication
replaced and logged; failures, kills and readers never damage the previous file."""

from __future__ import annotations

import csv
import fcntl
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from demo.sample_publication import sample_frames, write_tables
from orchestration import dictionary, publish
from orchestration.contract import (
    LEVELS,
    PUBLISHED_COLUMNS,
    ContractError,
    indicator_levels,
    indicator_names,
    is_published_at,
    wide_columns,
)
from orchestration.dictionary import FOLLOWS, GEHEIM, NO_DENOMINATOR, NOT_PUBLISHED, entries
from orchestration.parameters import (
    indicator_by_name,
    indicator_definitions,
    indicator_kinds,
    indicators,
    read_seed,
)
from orchestration.publish import PublishError, publish_quarter
from tests.published_sample import publish_test_quarter

REPO = Path(__file__).resolve().parent.parent
Q2, Q3 = "2026Q2", "2026Q3"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A warehouse file holding the sample candidate of 2026Q2 and 2026Q3."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        write_tables(con, **sample_frames(Q2))
        write_tables(con, **sample_frames(Q3))
    return path


@pytest.fixture
def monitor_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "monitor.duckdb"


def do_publish(
    warehouse: Path, quarter: str, monitor_path: Path, run_id: str = "run-1", **kwargs: object
) -> publish.PublishResult:
    args = dict(
        run_id=run_id,
        data_version="v1",
        checks_passed=["area_indicators", "parts_vs_total"],
        n_primary=30,
        n_secondary=18,
        synthetic=True,
    )
    args.update(kwargs)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return publish_quarter(con, quarter, monitor_path, **args)


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def temp_files(monitor_path: Path) -> list[Path]:
    return sorted(monitor_path.parent.glob(f".{monitor_path.name}.publish-*"))


# --- what is written ------------------------------------------------------------------------


def test_publish_writes_the_published_schema(warehouse: Path, monitor_path: Path) -> None:
    result = do_publish(warehouse, Q3, monitor_path)
    assert (
        result.quarters == [Q3]
        and result.rows == len(sample_frames(Q3)["candidate"])  # every period at its levels
        and not result.replaced
    )
    assert result.areas == {"regio": 1, "gemeente": 1, "wijk": 2, "buurt": 4}
    tables = dict(query(monitor_path, "select table_name, comment from duckdb_tables()"))
    assert set(tables) == {
        "area_indicators", "buurt", "wijk", "gemeente", "regio", "publication_log", "indicatoren",
        "buurt_leesbaar", "wijk_leesbaar", "gemeente_leesbaar", "regio_leesbaar",
        "landelijke_referentie",
    }  # fmt: skip
    comments = [*tables.values(),
                *(c for (c,) in query(monitor_path, "select comment from duckdb_columns() where not internal"))]  # fmt: skip
    assert all(comments)  # every table and column documented for analysts
    # ... in the file itself: no pointer to a file the analyst does not have
    assert not [c for c in comments if re.search(r"seeds/|\.csv|\.md\b|MONITOR", c)]
    columns = query(
        monitor_path,
        "select column_name, data_type from duckdb_columns() "
        "where table_name = 'area_indicators' order by column_index",
    )
    assert [c for c, _ in columns] == list(PUBLISHED_COLUMNS)
    assert dict(columns)["value"] == "DOUBLE"
    for level in ("buurt", "wijk", "gemeente"):
        cols = query(
            monitor_path,
            "select column_name from duckdb_columns() where table_name = ? order by column_index",
            [level],
        )
        assert [c for (c,) in cols] == wide_columns()
    log = query(
        monitor_path,
        "select quarter, run_id, data_version, checks_passed, n_primary_suppressed, "
        "n_secondary_suppressed, synthetic, typeof(published_at) from monitor.publication_log",
    )
    assert log == [
        (Q3, "run-1", "v1", ["area_indicators", "parts_vs_total"], 30, 18, True, "TIMESTAMP")
    ]
    # analysts' names: monitor.<table> with the file opened directly
    assert query(monitor_path, "select count(*) from monitor.gemeente") == [(2,)]  # 2 periods


def test_wide_tables_carry_the_long_values(warehouse: Path, monitor_path: Path) -> None:
    do_publish(warehouse, Q3, monitor_path)
    candidate = sample_frames(Q3)["candidate"]
    long = query(
        monitor_path,
        "select period_type, area_code, indicator, value, status from monitor.area_indicators",
    )
    assert len(long) == len(candidate)
    with duckdb.connect(str(monitor_path), read_only=True) as con:
        wide = (
            con.execute(
                " union all by name ".join(f"select * from monitor.{level}" for level in LEVELS)
            )
            .df()
            .set_index(["period_type", "area_code"])
        )
    for period_type, area_code, indicator, value, status in long:
        shown = wide.loc[(period_type, area_code), indicator]
        if status == "suppressed":
            assert value is None and pd.isna(shown)
        else:
            assert shown == value


def test_counts_are_whole_numbers_and_rates_rounded(warehouse: Path, monitor_path: Path) -> None:
    """Counts are BIGINT in the wide tables; every value is rounded to its kind's decimals
    (seeds/indicator_kinds.csv), and is the candidate's value so rounded."""
    do_publish(warehouse, Q3, monitor_path)
    kinds = {e.indicator: e for e in entries()}
    types = dict(query(monitor_path, "select column_name, data_type from duckdb_columns() "
                       "where table_name = 'buurt'"))  # fmt: skip
    for name, entry in kinds.items():
        assert types[name] == ("BIGINT" if entry.decimalen == 0 else "DOUBLE"), name
    assert {e.decimalen for e in kinds.values()} >= {0, 1}
    candidate = sample_frames(Q3)["candidate"].set_index(["period_type", "area_code", "indicator"])
    long = query(monitor_path, "select period_type, area_code, indicator, value "
                 "from monitor.area_indicators where status = 'published'")  # fmt: skip
    unrounded = 0
    for period_type, area_code, indicator, value in long:
        digits = kinds[indicator].decimalen
        assert value == round(value, digits), (area_code, indicator, value)
        true = candidate["value"][(period_type, area_code, indicator)]
        assert abs(value - true) <= 0.5 * 10**-digits + 1e-9, (area_code, indicator)
        unrounded += value != true
    assert unrounded > 0, "the sample has rates with more decimals than published"


def test_the_dictionary_describes_every_indicator(warehouse: Path, monitor_path: Path) -> None:
    do_publish(warehouse, Q3, monitor_path)
    rows = query(monitor_path, "select indicator, label, definitie, soort, eenheid, teller, noemer, "
                 "decimalen, niveaus, perioden, periode, bronvelden, landelijk "
                 "from monitor.indicatoren order by volgorde")  # fmt: skip
    assert [r[0] for r in rows] == indicator_names()
    texts = indicator_definitions()
    held = {
        (ind, level, period)
        for ind, level, period in query(
            monitor_path, "select indicator, area_level, period_type from monitor.area_indicators"
        )
    }
    for (
        name,
        label,
        definitie,
        soort,
        eenheid,
        teller,
        noemer,
        _,
        niveaus,
        perioden,
        *words,
    ) in rows:
        text = texts[name]
        assert (label, definitie) == (text.label, text.definitie)
        assert words == [text.periode, text.bronvelden, text.landelijk] and all(words)
        assert soort in {"aantal", "verhouding", "mediaan"} and eenheid
        assert niveaus == [lvl for lvl in LEVELS if any((name, lvl, p) in held for p in perioden)
                           and lvl in indicator_levels()[name]]  # fmt: skip
        assert set(perioden) == {p for i, _, p in held if i == name}
        if soort == "verhouding":
            assert teller in indicator_names() and noemer in indicator_names()
    assert len({r[1] for r in rows}) == len(rows), "labels are column names: unique"


def test_the_national_reference_is_published_as_cited(warehouse: Path, monitor_path: Path) -> None:
    do_publish(warehouse, Q3, monitor_path)
    rows = query(monitor_path, "select indicator, waarde, eenheid, jaar, bron, toelichting "
                 "from monitor.landelijke_referentie order by indicator")  # fmt: skip
    seed = sorted(
        (r["indicator"], float(r["waarde"]), r["eenheid"], int(r["jaar"]), r["bron"],
         r["toelichting"])
        for r in read_seed("landelijke_referentie")
    )  # fmt: skip
    assert rows == seed and rows
    assert {r[0] for r in rows} <= set(indicator_names())


def test_every_indicator_has_a_dutch_label() -> None:
    """A new indicator in seeds/indicators.csv needs its label and definition in
    seeds/indicator_definities.csv (else it is published under its name)."""
    assert set(indicator_definitions()) == set(indicator_names())


def test_an_indicator_without_a_label_is_published_under_its_name(monkeypatch) -> None:
    texts = dict(indicator_definitions())
    del texts["pct_hulp"]
    monkeypatch.setattr(dictionary, "indicator_definitions", lambda: texts)
    entry = next(e for e in dictionary.entries() if e.indicator == "pct_hulp")
    omschrijving = next(i.omschrijving for i in indicators() if i.name == "pct_hulp")
    assert (entry.label, entry.definitie) == ("pct_hulp", omschrijving)


def test_an_indicator_kind_without_a_rounding_is_refused(monkeypatch) -> None:
    kinds = {k: v for k, v in indicator_kinds().items() if k != "median"}
    monkeypatch.setattr(dictionary, "indicator_kinds", lambda: kinds)
    with pytest.raises(ContractError, match="mediaan_bedrag has kind 'median'"):
        dictionary.entries()


def test_readable_tables_say_geheim_under_labels(warehouse: Path, monitor_path: Path) -> None:
    do_publish(warehouse, Q3, monitor_path)
    labels = [label for (label,) in query(
        monitor_path, "select label from monitor.indicatoren order by volgorde")]  # fmt: skip
    seen: dict[str, int] = {}  # empty cells by their text
    for level in LEVELS:
        with duckdb.connect(str(monitor_path), read_only=True) as con:
            result = con.execute(f"select * from monitor.{level}_leesbaar")
            header = [d[0] for d in result.description]
            readable = result.fetchall()
            numbers = con.execute(f"select * from monitor.{level}").fetchall()
        assert header[6:] == labels and header[:6] == ["Kwartaal", "Soort periode", "Periode",
                                                      "Gebiedscode", "Gebiedsnaam", "Ligt in"]  # fmt: skip
        assert len(readable) == len(numbers) > 0
        names = [e.indicator for e in entries()]
        for text_row, row in zip(readable, numbers, strict=True):
            assert text_row[:6] == row[:6]
            for name, text, value in zip(names, text_row[6:], row[6:], strict=True):
                if value is None:  # a level or period type without it: not secret, just empty
                    carried = row[1] in indicator_by_name()[name].period_types()
                    shown = carried and is_published_at(name, level)
                    # not carried: volgt or niet gepubliceerd (test_outcomes_read_volgt...);
                    # over a published 0: n.v.t. (test_a_rate_over_a_published_zero...)
                    secret = (GEHEIM, NO_DENOMINATOR) if shown else (FOLLOWS, NOT_PUBLISHED)
                    assert text in secret
                    seen[text] = seen.get(text, 0) + 1
                else:
                    assert "." not in text and float(text.replace(",", ".")) == value
    assert seen.get("geheim", 0) > 0 and seen.get(NOT_PUBLISHED, 0) > 0, seen


def test_a_rate_over_a_published_zero_reads_nvt_not_geheim(
    tmp_path: Path, monitor_path: Path
) -> None:
    """A suppressed rate or median whose denominator its row publishes as 0 (no households of
    a persona in a wijk, so no share of them reached) hides nothing: the readable tables and
    both exports say n.v.t. there and geheim at every other suppressed cell, while
    area_indicators keeps it suppressed (NULL), as the primary rule says."""
    from orchestration.export import export_quarter

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        write_tables(con, **sample_frames(Q3, late=True))
    do_publish(warehouse, Q3, monitor_path)
    over = {i.name: i.denominator for i in indicators() if i.kind in ("rate", "median")}
    cells = {  # (quarter, period type, period, area, indicator) -> (value, status)
        tuple(key): (value, status)
        for *key, value, status in query(
            monitor_path,
            "select quarter, period_type, period, area_code, indicator, value, status "
            "from monitor.area_indicators",
        )
    }
    expected = {  # every suppressed cell -> its text, from the long table alone
        key: NO_DENOMINATOR
        if over.get(key[4]) and cells.get((*key[:4], over[key[4]])) == (0, "published")
        else GEHEIM
        for key, (_, status) in cells.items()
        if status == "suppressed"
    }
    assert set(expected.values()) == {GEHEIM, NO_DENOMINATOR}  # the sample has both
    assert all(cells[key][0] is None for key in expected)  # the long table: NULL, suppressed
    label = {e.indicator: e.label for e in entries()}
    out = tmp_path / "export"
    export_quarter(monitor_path, Q3, "all", out)
    for level in LEVELS:
        with duckdb.connect(str(monitor_path), read_only=True) as con:
            result = con.execute(f"select * from monitor.{level}_leesbaar")
            header = [d[0] for d in result.description]
            readable = [dict(zip(header, r, strict=True)) for r in result.fetchall()]
        with (out / f"{Q3}_{level}.csv").open(encoding="utf-8-sig", newline="") as f:
            exported = list(csv.DictReader(f, delimiter=";"))
        for row, csv_row in zip(readable, exported, strict=True):
            area = tuple(row[h] for h in header[:4])  # quarter, period type, period, area
            for name, text in label.items():
                if (*area, name) in expected:
                    assert row[text] == csv_row[text] == expected[(*area, name)], (
                        level, area, name
                    )  # fmt: skip
    with (out / f"{Q3}_alle_cellen.csv").open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            key = (r["Kwartaal"], r["Soort periode"], r["Periode"], r["Gebiedscode"],
                   r["Indicator"])  # fmt: skip
            assert r["Waarde"] == expected.get(key, r["Waarde"]), key
            assert (r["Status"] == "geheim") == (key in expected), key


def test_outcomes_read_volgt_until_the_next_quarter_publishes_them(
    tmp_path: Path, monitor_path: Path
) -> None:
    """Issue 15 item 7: the outcomes of a quarter (seeds: period types that carry them, not
    ``kwartaal``) read ``volgt`` in the quarter's own rows, in the readable tables and the CSV
    export alike, and the next quarter's publication has them for the same period; an
    indicator that no period type published later carries still reads ``niet
    gepubliceerd``."""
    from orchestration.export import export_quarter

    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        write_tables(con, **sample_frames(Q2))  # the file's first quarter: no later rows
        write_tables(con, **sample_frames(Q3, late=True))
    do_publish(warehouse, Q2, monitor_path)
    do_publish(warehouse, Q3, monitor_path)
    label = {e.indicator: e.label for e in entries()}
    outcomes = {  # carried by a period type of one quarter, but not by the quarter itself
        i.name
        for i in indicators()
        if "kwartaal" not in i.period_types() and "kwartaal_afgerond" in i.period_types()
    }
    assert "pct_bereikt" in outcomes
    cells = {
        (q, p, period, code, i)
        for q, p, period, code, i in query(
            monitor_path,
            "select quarter, period_type, period, area_code, indicator from monitor.area_indicators",
        )
    }
    exported = {}
    for quarter in (Q2, Q3):
        for path in export_quarter(monitor_path, quarter, "all", tmp_path / quarter):
            with path.open(encoding="utf-8-sig", newline="") as f:
                header, *rows = list(csv.reader(f, delimiter=";"))
            exported |= {(path.stem, tuple(r[:4])): dict(zip(header, r, strict=True)) for r in rows}
    follows = 0
    for level in LEVELS:
        with duckdb.connect(str(monitor_path), read_only=True) as con:
            result = con.execute(f"select * from monitor.{level}_leesbaar")
            header = [d[0] for d in result.description]
            rows = [dict(zip(header, r, strict=True)) for r in result.fetchall()]
        for row in rows:
            quarter, period_type, period, code = (row[c] for c in header[:4])
            csv_row = exported[(f"{quarter}_{level}", (quarter, period_type, period, code))]
            for name, text in label.items():
                if text in row and row[text] in (GEHEIM, NO_DENOMINATOR, FOLLOWS, NOT_PUBLISHED):
                    assert csv_row[text] == row[text], (level, row, name)  # export = table
            if period_type == "kwartaal":
                for name in outcomes & {n for n in label if is_published_at(n, level)}:
                    assert row[label[name]] == FOLLOWS, (level, quarter, code, name)
                    follows += 1
                    if quarter == Q2:  # published with the next quarter, for the same period
                        assert (Q3, "kwartaal_afgerond", Q2, code, name) in cells
            if period_type == "kwartaal_afgerond":  # carried by the quarter itself only
                assert row[label["signalen"]] == NOT_PUBLISHED, row
            if level == "buurt":  # no period type publishes it per buurt
                assert row[label["pct_bereikt"]] == NOT_PUBLISHED, row
            if period_type == "vier_kwartalen":  # only a cohort of one quarter carries it
                assert row[label["hh_schuldhulp_binnen_6m"]] == NOT_PUBLISHED, row
    assert follows > 0
    comment = query(
        monitor_path, "select comment from duckdb_tables() where table_name = 'wijk_leesbaar'"
    )[0][0]
    assert f"'{FOLLOWS}'" in comment and "kwartaal_afgerond" in comment


def test_other_quarters_stay_and_a_republished_quarter_is_replaced(
    warehouse: Path, monitor_path: Path
) -> None:
    do_publish(warehouse, Q2, monitor_path, run_id="run-q2")
    do_publish(warehouse, Q3, monitor_path, run_id="run-q3a")
    q2_before = query(
        monitor_path, "select * from monitor.area_indicators where quarter = ? order by all", [Q2]
    )
    # a corrected Q3 candidate: one published value changes
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update disclosure.area_indicators_candidate set value = 1300 "
            "where quarter = ? and area_code = 'BU09990101' and indicator = 'huishoudens'",
            [Q3],
        )
    result = do_publish(warehouse, Q3, monitor_path, run_id="run-q3b", synthetic=False)
    assert result.replaced and result.quarters == [Q2, Q3]
    assert (
        query(
            monitor_path,
            "select * from monitor.area_indicators where quarter = ? order by all",
            [Q2],
        )
        == q2_before
    )
    assert query(
        monitor_path, "select quarter, count(*) from monitor.area_indicators group by 1 order by 1"
    ) == [(Q2, len(sample_frames(Q2)["candidate"])), (Q3, len(sample_frames(Q3)["candidate"]))]
    assert query(
        monitor_path,
        "select huishoudens from monitor.buurt where quarter = ? and area_code = 'BU09990101'",
        [Q3],
    ) == [(1300.0,)]
    assert query(
        monitor_path,
        "select quarter, run_id, synthetic from monitor.publication_log order by published_at",
    ) == [(Q2, "run-q2", True), (Q3, "run-q3a", True), (Q3, "run-q3b", False)]
    assert query(monitor_path, "select count(*) from monitor.wijk") == [(2 * 2 * 2,)]  # 2 periods


def test_extra_candidate_columns_never_reach_the_file(tmp_path: Path, monitor_path: Path) -> None:
    frames = sample_frames(Q3)
    frames["candidate"]["bsn"] = "123456782"
    frames["candidate"]["suppression"] = frames["protected"]["suppression"]
    with duckdb.connect() as con:
        write_tables(con, candidate=frames["candidate"])
        publish_test_quarter(con, Q3, monitor_path)
    names = {c for (c,) in query(monitor_path, "select distinct column_name from duckdb_columns()")}
    assert not names & {"bsn", "suppression", "bsn_pseudo", "adres_pseudo"}
    assert b"123456782" not in monitor_path.read_bytes()


def test_a_suppressed_cell_never_publishes_its_value(monitor_path: Path) -> None:
    frames = sample_frames(Q3)
    c = frames["candidate"]
    c.loc[(c.area_code == "BU09990A0B") & (c.indicator == "signalen_energie"), "value"] = 2.0
    with duckdb.connect() as con:
        write_tables(con, candidate=c)
        publish_test_quarter(con, Q3, monitor_path)
    assert query(
        monitor_path,
        "select value, status from monitor.area_indicators "
        "where area_code = 'BU09990A0B' and indicator = 'signalen_energie'",
    ) == [(None, "suppressed")]


def test_nothing_to_publish_is_refused(warehouse: Path, monitor_path: Path) -> None:
    with pytest.raises(PublishError, match="no rows for 2026Q1"):
        do_publish(warehouse, "2026Q1", monitor_path)
    assert not monitor_path.exists()


# --- atomicity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "step", ["started", "old_copied", "quarter_inserted", "tables_built", "fsynced", "verified"]
)
def test_failure_midway_leaves_the_file_byte_identical(
    warehouse: Path, monitor_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    do_publish(warehouse, Q2, monitor_path)
    before = monitor_path.read_bytes()

    def fail(name: str) -> None:
        if name == step:
            raise RuntimeError(f"injected failure at {name}")

    monkeypatch.setattr(publish, "_step_hook", fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        do_publish(warehouse, Q3, monitor_path)
    assert monitor_path.read_bytes() == before
    assert temp_files(monitor_path) == []
    assert query(monitor_path, "select distinct quarter from monitor.area_indicators") == [(Q2,)]


def test_failed_gate_means_no_publication(warehouse: Path, monitor_path: Path) -> None:
    """The caller's contract: publish only when the gate passed."""
    from orchestration.gate import run_gate

    do_publish(warehouse, Q2, monitor_path)
    before = monitor_path.read_bytes()
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update disclosure.area_indicators_candidate set value = 5 "
            "where quarter = ? and area_code = 'GM0999' and indicator = 'signalen_water'",
            [Q3],
        )
        result = run_gate(con, Q3, only=["area_indicators"])
    assert not result.passed
    if result.passed:  # pragma: no cover - what the publish asset does
        do_publish(warehouse, Q3, monitor_path)
    assert monitor_path.read_bytes() == before


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    import duckdb
    from orchestration import dictionary, publish

    warehouse, quarter, target, pause_at = sys.argv[1:5]

    def hook(step):
        print(step, flush=True)
        if step == pause_at:
            time.sleep(120)

    publish._step_hook = hook
    with duckdb.connect(warehouse, read_only=True) as con:
        publish.publish_quarter(con, quarter, target, run_id="killed", data_version="v",
                                checks_passed=[], n_primary=0, n_secondary=0, synthetic=True)
    print("done", flush=True)
""")


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@pytest.mark.timeout(120)
@pytest.mark.parametrize("pause_at", ["old_copied", "verified"])
def test_publication_killed_midway_leaves_the_previous_file(
    tmp_path: Path, warehouse: Path, monitor_path: Path, pause_at: str
) -> None:
    do_publish(warehouse, Q2, monitor_path)
    before = monitor_path.read_bytes()
    script = tmp_path / "publish_and_pause.py"
    script.write_text(KILL_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(warehouse), Q3, str(monitor_path), pause_at],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    try:
        seen = []
        while True:
            line = proc.stdout.readline().strip()
            assert line, f"publisher ended early: {seen} {proc.stderr.read()}"
            seen.append(line)
            if line == pause_at:
                break
        assert temp_files(monitor_path), "the new file is being built next to the target"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert monitor_path.read_bytes() == before
    assert query(monitor_path, "select distinct quarter from monitor.area_indicators") == [(Q2,)]
    stale = temp_files(monitor_path)
    assert stale  # left by the killed process ...
    result = do_publish(warehouse, Q3, monitor_path, run_id="next")
    assert temp_files(monitor_path) == []  # ... and cleaned up by the next publication
    assert result.quarters == [Q2, Q3]


def test_second_publisher_is_refused_while_one_runs(warehouse: Path, monitor_path: Path) -> None:
    monitor_path.parent.mkdir(parents=True)
    lock = monitor_path.with_name(f".{monitor_path.name}.lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(PublishError, match="another publication"):
            do_publish(warehouse, Q3, monitor_path)
    assert not monitor_path.exists()


def test_leftover_wal_of_the_published_file_is_refused(warehouse: Path, monitor_path: Path) -> None:
    do_publish(warehouse, Q2, monitor_path)
    before = monitor_path.read_bytes()
    wal = monitor_path.with_name(monitor_path.name + ".wal")
    wal.write_bytes(b"not ours")
    with pytest.raises(PublishError, match="wal exists"):
        do_publish(warehouse, Q3, monitor_path)
    assert monitor_path.read_bytes() == before and wal.read_bytes() == b"not ours"


READER_SCRIPT = textwrap.dedent("""
    import sys
    import duckdb

    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    quarters = lambda c: ",".join(q for (q,) in c.execute(
        "select distinct quarter from monitor.area_indicators order by 1").fetchall())
    print("open", quarters(con), flush=True)
    sys.stdin.readline()                      # the test publishes meanwhile
    print("old", quarters(con), flush=True)   # the open session still reads the old file
    con.close()
    with duckdb.connect(path, read_only=True) as fresh:
        print("new", quarters(fresh), flush=True)
""")


@pytest.mark.timeout(120)
def test_reader_holding_the_file_open_does_not_block_publication(
    tmp_path: Path, warehouse: Path, monitor_path: Path
) -> None:
    do_publish(warehouse, Q2, monitor_path)
    script = tmp_path / "reader.py"
    script.write_text(READER_SCRIPT)
    reader = subprocess.Popen(
        [sys.executable, str(script), str(monitor_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=python_env(),
    )
    try:
        assert reader.stdout.readline().strip() == f"open {Q2}"
        result = do_publish(warehouse, Q3, monitor_path)  # must neither block nor fail
        assert result.quarters == [Q2, Q3]
        assert query(
            monitor_path, "select distinct quarter from monitor.area_indicators order by 1"
        ) == [(Q2,), (Q3,)]
        out, err = reader.communicate("go\n", timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0, err
    assert out.splitlines() == [f"old {Q2}", f"new {Q2},{Q3}"]


def test_an_empty_cell_is_secret_where_its_quarter_published_the_cell(
    warehouse: Path, monitor_path: Path, tmp_path: Path
) -> None:
    """``geheim`` or ``niet gepubliceerd`` follows the file's rows, not today's seeds: a
    quarter published when its period type carried an indicator keeps ``geheim`` in its
    suppressed cells after a later quarter stops carrying it (as the outcome figures will
    move to a later period type: docs/late-figures-plan.md), in the readable tables and in
    the exports alike."""
    from orchestration.export import export_quarter

    with duckdb.connect(str(warehouse)) as con:
        (name, code), *_ = con.execute(
            "select indicator, area_code from disclosure.area_indicators_candidate "
            "where quarter = ? and period_type = 'kwartaal' and area_level = 'wijk' "
            "and status = 'suppressed' and indicator like 'hh_%' order by all",
            [Q2],
        ).fetchall()
        con.execute(  # Q3 as if kwartaal no longer carried the indicator
            "delete from disclosure.area_indicators_candidate "
            "where quarter = ? and period_type = 'kwartaal' and indicator = ?",
            [Q3, name],
        )
    do_publish(warehouse, Q2, monitor_path)
    do_publish(warehouse, Q3, monitor_path)
    label = next(e.label for e in entries() if e.indicator == name)
    readable = dict(query(
        monitor_path,
        f'select "Kwartaal", "{label}" from monitor.wijk_leesbaar '
        "where \"Soort periode\" = 'kwartaal' and \"Gebiedscode\" = ?",
        [code],
    ))  # fmt: skip
    assert readable == {Q2: "geheim", Q3: NOT_PUBLISHED}
    for quarter, text in readable.items():
        (path,) = export_quarter(monitor_path, quarter, "wijk", tmp_path / quarter)
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f, delimiter=";"))
        column = rows[0].index(label)
        (row,) = [r for r in rows[1:] if r[1] == "kwartaal" and r[3] == code]
        assert row[column] == text
