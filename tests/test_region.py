"""Several gemeenten in one warehouse (issue 16): the Drechtsteden region of three
real-shaped gemeenten, with its municipal extracts delivered as one regional file per source
or as one file per gemeente, and with one gemeente's extracts missing.

What the contract allows (docs/runbook.md, *Deliveries*): a source folder may hold any number
of files; their rows are loaded together (the first file by precedence keeps a key). So a
region delivers `bag_adressen`, `brp_personen` and `wijken_buurten` per gemeente or as one
file, and the regional services (benefits, debt help, the cases) one file for all.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import REGION_QUARTERS, run_monitor_in

pytestmark = pytest.mark.e2e

QUARTER = REGION_QUARTERS[0]
"""The region's first quarter (conftest's ``drechtsteden_run`` ran two): its publication is
what a run of that quarter alone publishes, never changed by the next quarter's."""
PER_GEMEENTE = ("bag_adressen", "brp_personen", "wijken_buurten")


def read_csv(path: Path) -> tuple[list[str], list[list[str]], str]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    return rows[0], rows[1:], delimiter


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def landing_copy(source: Path, target: Path) -> Path:
    """A fresh data directory with ``source``'s landing folder of ``QUARTER`` (and demo key)
    only."""
    target.mkdir(parents=True)
    shutil.copytree(source / "landing" / QUARTER, target / "landing" / QUARTER)
    shutil.copy(source / "demo_pseudonym.key", target / "demo_pseudonym.key")
    return target


def split_per_gemeente(landing: Path) -> dict[str, int]:
    """Replace each source of ``PER_GEMEENTE`` by one file per gemeente (an address by its BAG
    gemeente, a resident by its address, an area by its code); files per source."""
    header, rows, _ = read_csv(next((landing / "bag_adressen").glob("*.csv")))
    address = {r[header.index("adres_id")]: r[header.index("gemeentecode")] for r in rows}
    made = {}
    for source in PER_GEMEENTE:
        (path,) = (landing / source).glob("*.csv")
        header, rows, delimiter = read_csv(path)
        parts: dict[str, list[list[str]]] = {}
        for row in rows:
            if source == "bag_adressen":
                gemeente = row[header.index("gemeentecode")]
            elif source == "brp_personen":
                gemeente = address[row[header.index("adres_id")]]
            else:  # GM0505, WK050500, BU05050000: the gemeente is in the code
                gemeente = "GM" + row[header.index("code")][2:6]
            parts.setdefault(gemeente, []).append(row)
        path.unlink()
        for gemeente, part in parts.items():
            write_csv(
                landing / source / f"{source}_{gemeente}_{QUARTER}.csv", header, part, delimiter
            )
        made[source] = len(parts)
    return made


def published_cells(data_dir: Path) -> set[tuple]:
    """The cells ``QUARTER``'s publication wrote."""
    with duckdb.connect(str(data_dir / "monitor.duckdb"), read_only=True) as con:
        return set(
            con.execute(
                "select * from main.area_indicators where quarter = ?", [QUARTER]
            ).fetchall()
        )


def test_one_file_per_gemeente_publishes_what_one_regional_file_does(
    drechtsteden_run, tmp_path
) -> None:
    data_dir = landing_copy(drechtsteden_run, tmp_path / "data")
    assert split_per_gemeente(data_dir / "landing" / QUARTER) == dict.fromkeys(PER_GEMEENTE, 3)
    run_monitor_in(data_dir, "run", "--quarter", QUARTER)
    regional = published_cells(drechtsteden_run)
    per_gemeente = published_cells(data_dir)
    assert per_gemeente == regional
    gemeenten = {c[4] for c in regional if c[3] == "gemeente"}
    assert gemeenten == {"GM0505", "GM0590", "GM0642"}


def test_a_gemeente_without_its_extracts_stops_the_quarter_and_is_named(
    drechtsteden_run, tmp_path
) -> None:
    data_dir = landing_copy(drechtsteden_run, tmp_path / "data")
    landing = data_dir / "landing" / QUARTER
    split_per_gemeente(landing)
    for source in ("bag_adressen", "brp_personen"):
        (landing / source / f"{source}_GM0590_{QUARTER}.csv").unlink()
    result = run_monitor_in(data_dir, "run", "--quarter", QUARTER, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "gemeente_extracts" in output, output[-3000:]
    assert "GM0590" in output, output[-3000:]
    # the closing lines: dbt ran, and the cause is the gate check's own finding
    assert f"{QUARTER}: dbt's own output: " in result.stdout, output[-3000:]
    causes = [line for line in result.stdout.splitlines() if f"{QUARTER}: cause: " in line]
    assert any(
        "quality_gate: check gemeente_extracts: " in cause and "GM0590" in cause for cause in causes
    ), causes or output[-3000:]
    assert not (data_dir / "monitor.duckdb").exists()


def test_the_report_shows_each_gemeente_beside_the_median_of_its_region(drechtsteden_run) -> None:
    """Each ``data-peers="regio"`` cell of the region's report against the median made here
    of the three gemeenten's published figures in monitor.gemeente."""
    import re
    from statistics import median

    page = (drechtsteden_run / "reports" / f"buurtmonitor_{QUARTER}.html").read_text()
    cells = re.findall(
        r'data-median="([^"]+)" data-peers="regio" data-area="([^"]+)" '
        r'data-quarter="[^"]+" data-n="(\d+)"(?: data-value="([^"]+)")?',
        page,
    )
    from orchestration.parameters import national_references, period_indicators

    # three gemeenten x the indicators with a national figure that the file's first quarter
    # has (the outcomes, pct_bereikt and the like, come with the next quarter's publication)
    own = {i.name for i in period_indicators("kwartaal")}
    national = {r.indicator for r in national_references()}
    assert len(national - own) >= 2 and len(cells) == 3 * len(national & own) > 0
    with duckdb.connect(str(drechtsteden_run / "monitor.duckdb"), read_only=True) as con:
        for indicator, area, n, value in cells:
            shown = [
                v
                for (v,) in con.execute(
                    f"select {indicator} from main.gemeente where quarter = ? and "
                    "period_type = 'kwartaal' and area_code in ('GM0505', 'GM0590', 'GM0642')",
                    [QUARTER],
                ).fetchall()
                if v is not None
            ]
            assert int(n) == len(shown), (area, indicator)
            if len(shown) >= 3:
                assert float(value) == pytest.approx(median(shown)), (area, indicator)
            else:
                assert value == "", (area, indicator)
    assert any(value for *_, value in cells), "no region median to check"


def test_the_region_is_published_as_the_sum_of_its_gemeenten(drechtsteden_run) -> None:
    """The regio row of the Drechtsteden: named for the three of its six gemeenten the
    warehouse holds, each published count (of both quarters' publications, the first
    quarter's outcomes in the second's) the sum of its gemeenten's where all are published
    (dbt's gemeenten_add_up_to_their_regio checks the unsuppressed ones), and published so
    that no gemeente can be told from it: never exactly one hidden among a regio count and
    its gemeenten's. The report shows it."""
    from orchestration.contract import count_indicator_names

    counts = count_indicator_names()
    with duckdb.connect(str(drechtsteden_run / "monitor.duckdb"), read_only=True) as con:
        regions = con.execute(
            "select distinct area_code, area_name, parent_code from main.area_indicators "
            "where area_level = 'regio'"
        ).fetchall()
        parents = dict(con.execute(
            "select distinct area_code, parent_code from main.area_indicators "
            "where area_level = 'gemeente'"
        ).fetchall())  # fmt: skip
        cells = con.execute(  # every quarter's publication: the outcomes come with the next
            "select quarter || ' ' || period_type, area_level, area_code, indicator, value, "
            "status from main.area_indicators where area_level in ('regio', 'gemeente')"
        ).fetchall()
    assert regions == [("RG0002", "Drechtsteden (3 van 6 gemeenten)", None)]
    assert parents == dict.fromkeys(("GM0505", "GM0590", "GM0642"), "RG0002")
    by_cell = {(p, lvl, i): [] for p, lvl, _, i, _, _ in cells}
    for p, lvl, _, i, value, status in cells:
        by_cell[(p, lvl, i)].append((value, status))
    checked = 0
    for (period_type, level, indicator), rows in by_cell.items():
        if level != "regio" or indicator not in counts:
            continue
        ((regio_value, regio_status),) = rows
        gemeenten = by_cell[(period_type, "gemeente", indicator)]
        assert len(gemeenten) == 3
        hidden = [s == "suppressed" for _, s in [(regio_value, regio_status), *gemeenten]]
        assert sum(hidden) != 1, (period_type, indicator)  # one hidden: it is the difference
        if not any(hidden):
            assert regio_value == sum(v for v, _ in gemeenten), (period_type, indicator)
            checked += 1
    assert checked >= 10, "too few fully published regio counts to compare"
    page = (drechtsteden_run / "reports" / f"buurtmonitor_{QUARTER}.html").read_text()
    assert "<h2>Regio</h2>" in page and "Drechtsteden (3 van 6 gemeenten)" in page
