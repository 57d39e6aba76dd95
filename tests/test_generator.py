"""The demo extract generator: reproducible, at the contract's rates, in every dialect.

Everything here is judged from the files on disk (bytes and parsed CSV), not from the
generator's own bookkeeping, except where the ground truth is the thing under test.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from demo.dialects import (
    CONTRACT_VARIANTS,
    DIALECTS,
    HOUSE_NUMBER_NOTATIONS,
    covered_variants,
)
from demo.generator import GeneratorConfig, generate
from demo.signals import (
    CASE_MAX_DELAY,
    CASE_MIN_DELAY,
    CASE_QUICK_DELAY,
    Rates,
    partner_columns,
)
from orchestration.ingestion.sources import MUNICIPAL_SOURCES
from orchestration.parameters import (
    help_accepted_results,
    partners,
    publication_groups,
    regelingen,
    resultaat_codes,
)
from orchestration.quarters import quarter_end, quarter_start
from orchestration.settings import Paths
from tests.stated_indicators import NOT_PICKED_UP

Q = "2026Q3"
BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------------------- helpers


def elfproef(bsn: str) -> bool:
    if not re.fullmatch(r"\d{9}", bsn):
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return int(bsn) > 0 and sum(int(d) * w for d, w in zip(bsn, weights, strict=True)) % 11 == 0


def file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@dataclass
class Parsed:
    """A partner file as found on disk: detected dialect and values per canonical field."""

    path: Path
    raw: bytes
    encoding: str
    delimiter: str
    header: list[str]
    rows: list[list[str]]
    fields: dict[str, list[str]]
    raw_lines: list[str]


def parse_partner_file(path: Path, partner_code: str) -> Parsed:
    raw = path.read_bytes()
    if raw.startswith(BOM):
        encoding = "utf-8-sig"
    else:
        try:
            raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    text = raw.decode(encoding)
    first_line = text.splitlines()[0]
    delimiter = max(";,\t", key=lambda d: len(next(csv.reader([first_line], delimiter=d))))
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, rows = table[0], table[1:]
    mapping = partners()[partner_code].header_mapping
    fields: dict[str, list[str]] = {}
    for i, name in enumerate(header):
        canonical = mapping.get(name.strip().lower())
        if canonical:
            fields[canonical] = [r[i] for r in rows]
    return Parsed(path, raw, encoding, delimiter, header, rows, fields, text.splitlines())


DECIMAL_RE = {
    "1234.56": r"-?\d+\.\d\d",
    "1234,56": r"-?\d+,\d\d",
    "1.234,56": r"-?\d{1,3}(\.\d{3})+,\d\d",
    "€ 1.234,56": r"€ -?\d{1,3}(\.\d{3})*,\d\d",
}
DATE_RE = {
    "2026-07-31": r"\d{4}-\d\d-\d\d",
    "31-07-2026": r"\d\d-\d\d-\d{4}",
    "31/07/2026": r"\d\d/\d\d/\d{4}",
    "20260731": r"\d{8}",
}
BOOL_TOKENS = {
    "ja/nee": {"ja", "nee"},
    "j/n": {"j", "n"},
    "true/false": {"true", "false"},
    "1/0": {"1", "0"},
    "yes/no": {"yes", "no"},
}
NOTATION_RE = {
    "12": r"\d+",
    "12a": r"\d+[a-z]",
    "12-A": r"\d+-[A-HJ-UWYZ]",  # not I/V: those are roman floors
    "12 A": r"\d+ [A-Z]",
    "12 bis": r"\d+ bis",
    "12-2": r"\d+-\d+",
    "12 hs": r"\d+ hs",
    "12-III": r"\d+-(II|III|IV)",
}


def date_parts(value: str) -> tuple[int, int, int]:
    """(year, month, day) of a date in any of the contract's notations, impossible or not."""
    digits = re.sub(r"\D", "", value)
    if re.match(r"\d{4}", value):  # 2026-07-31 or 20260731
        return int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    return int(digits[4:8]), int(digits[2:4]), int(digits[:2])


def raw_fields(line: str, delimiter: str) -> list[tuple[str, bool]]:
    """Split one physical CSV line into (field text, was it quoted)."""
    out, i = [], 0
    while True:
        if line.startswith('"', i):
            j = i + 1
            while True:
                j = line.index('"', j)
                if line.startswith('""', j):
                    j += 2
                    continue
                break
            out.append((line[i + 1 : j].replace('""', '"'), True))
            i = j + 1
        else:
            j = line.find(delimiter, i)
            j = len(line) if j < 0 else j
            out.append((line[i:j], False))
            i = j
        if i >= len(line):
            return out
        assert line[i] == delimiter, (line, i)
        i += 1


def detect(parsed: Parsed, partner_code: str) -> dict[str, set[object]]:
    """The dialect variants one file shows, read from its bytes."""
    raw, found = parsed.raw, {k: set() for k in CONTRACT_VARIANTS}
    found["encoding"].add(parsed.encoding)
    found["delimiter"].add(parsed.delimiter)
    found["line_ending"].add("\r\n" if b"\r\n" in raw else "\n")
    found["final_newline"].add(raw.endswith(b"\n"))
    data_lines = parsed.raw_lines[1:]
    quoted = [q for line in data_lines for _, q in raw_fields(line, parsed.delimiter)]
    if not any(quoted):
        found["quoting"].add("none")
    elif all(quoted):
        found["quoting"].add("all")
    else:
        found["quoting"].add("needed")
    registry = [h for h, c in partner_columns(partners()[partner_code])]
    for got, want in zip(parsed.header, registry, strict=False):
        if got == want:
            found["header"].add("as_is")
        elif got == want.lower() and got != want:
            found["header"].add("lower")
        elif got == want.upper() and got != want:
            found["header"].add("upper")
        elif got == f" {want} ":
            found["header"].add("padded")
    for style, pattern in DECIMAL_RE.items():
        if any(re.fullmatch(pattern, v) for v in parsed.fields["achterstand_bedrag"]):
            found["decimal"].add(style)
    for style, pattern in DATE_RE.items():
        if any(re.fullmatch(pattern, v) for v in parsed.fields["signaaldatum"]):
            found["date"].add(style)
    for canonical in ("crisissignaal", "warme_overdracht", "eindelevering"):
        values = set(parsed.fields.get(canonical, []))
        for style, tokens in BOOL_TOKENS.items():
            if values & tokens and values - tokens <= {"", "NULL", "-"}:
                found["boolean"].add(style)
    all_cells = [c for row in parsed.rows for c in row]
    for marker in ("", "NULL", "-"):
        if marker in all_cells:
            found["empty"].add(marker)
    return found


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Paths, object]:
    paths = Paths(tmp_path_factory.mktemp("synthetic") / "data")
    config = GeneratorConfig(quarter=Q, seed=11, geography="synthetic", households=40_000)
    return paths, generate(config, paths)


@pytest.fixture(scope="module")
def truth(synthetic: tuple[Paths, object]) -> pl.DataFrame:
    paths, _ = synthetic
    return pl.read_csv(paths.ground_truth / Q / "signals.csv", infer_schema=False)


def final_cases(paths: Paths) -> pl.DataFrame:
    """Every case of the quarter's signals as it is closed (the ground truth)."""
    return pl.read_parquet(paths.ground_truth / Q / "cases.parquet")


def landing_csv(paths: Paths, source: str) -> pl.DataFrame:
    (path,) = (paths.landing / Q / source).glob("*.csv")
    raw = path.read_bytes()
    sep = ";" if raw.lstrip(BOM).split(b"\n")[0].count(b";") else ","
    return pl.read_csv(path, separator=sep, infer_schema=False, encoding="utf8")


# ---------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    def run(name: str, seed: int) -> dict[str, str]:
        paths = Paths(tmp_path / name)
        generate(
            GeneratorConfig(quarter=Q, seed=seed, geography="synthetic", households=3_000), paths
        )
        return file_hashes(paths.data_dir)

    first, again, other = run("a", 5), run("b", 5), run("c", 6)
    assert first == again
    landing = [k for k in first if k.startswith("landing/")]
    assert len(landing) >= 6 + len(MUNICIPAL_SOURCES)
    assert not any(k.endswith(".part") for k in first)
    differs = [k for k in landing if first[k] != other.get(k)]
    assert len(differs) >= len(landing) - 1, "a different seed should change (nearly) every file"


def test_registers_are_shared_by_the_quarters_of_a_seed(tmp_path: Path) -> None:
    """Addresses and areas are the same in every quarter; residents too, a few of them at
    another address (moves: tests/test_demo_history.py)."""
    runs = {}
    for quarter in ("2026Q2", "2026Q3"):
        paths = Paths(tmp_path / quarter)
        generate(
            GeneratorConfig(quarter=quarter, seed=3, geography="synthetic", households=2_000), paths
        )
        runs[quarter] = paths
    for source in ("bag_adressen", "wijken_buurten"):
        a = (runs["2026Q2"].landing / "2026Q2" / source / f"{source}_2026Q2.csv").read_bytes()
        b = (runs["2026Q3"].landing / "2026Q3" / source / f"{source}_2026Q3.csv").read_bytes()
        assert a == b, source
    brp = [
        pl.read_csv(
            runs[q].landing / q / "brp_personen" / f"brp_personen_{q}.csv", infer_schema=False
        )
        for q in ("2026Q2", "2026Q3")
    ]
    assert brp[0]["bsn"].to_list() == brp[1]["bsn"].to_list()
    assert (brp[0]["adres_id"] == brp[1]["adres_id"]).mean() > 0.95
    for quarter, paths in runs.items():
        t = pl.read_csv(paths.ground_truth / quarter / "signals.csv", infer_schema=False)
        days = t.filter(~pl.col("fault").str.contains("after_quarter"))["signaaldatum"]
        assert days.min() >= quarter_start(quarter).isoformat()
        assert days.max() <= quarter_end(quarter).isoformat()


# ---------------------------------------------------------------------------- layout


def test_layout_and_ground_truth_outside_landing(synthetic: tuple[Paths, object]) -> None:
    paths, summary = synthetic
    sources = {p.name for p in (paths.landing / Q).iterdir()}
    assert sources == set(partners()) | set(MUNICIPAL_SOURCES)
    for path in (paths.landing / Q).rglob("*"):
        assert path.is_dir() or (path.suffix == ".csv" and path.parent.parent.name == Q)
    assert (paths.ground_truth / Q / "signals.csv").exists()
    assert (paths.ground_truth / Q / "households.parquet").exists()
    assert (paths.ground_truth / Q / "cases.parquet").exists()
    assert not paths.ground_truth.is_relative_to(paths.landing)
    assert not any(
        p.name in {"signals.csv", "households.parquet"} for p in paths.landing.rglob("*")
    )
    assert summary.households == 40_000
    assert summary.files and all(f.startswith(f"landing/{Q}/") for f in summary.files)


# ---------------------------------------------------------------------------- registers


def test_bag_brp_and_areas(synthetic: tuple[Paths, object]) -> None:
    paths, _ = synthetic
    bag = landing_csv(paths, "bag_adressen")
    brp = landing_csv(paths, "brp_personen")
    areas = landing_csv(paths, "wijken_buurten")
    assert bag["adres_id"].str.contains(r"^\d{16}$").all()
    assert bag["adres_id"].n_unique() == bag.height
    assert bag["postcode"].str.contains(r"^[1-9]\d{3}[A-Z]{2}$").all()
    key = bag.select("postcode", "huisnummer", "huisletter", "huisnummertoevoeging")
    assert key.unique().height == bag.height
    no_buurt = bag["buurtcode"].is_null().mean()
    assert 0 < no_buurt < 0.01
    assert 0.02 < (bag["gebruiksdoel"] != "woonfunctie").mean() < 0.15
    assert set(bag["buurtcode"].drop_nulls()) <= set(areas["code"])

    codes = areas["code"]
    assert codes.str.contains(r"^(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$").all()
    assert codes.str.contains(r"^WK\d{4}\d?[A-Z]").any(), "some wijk parts contain letters"
    parents = dict(zip(areas["code"], areas["parent_code"], strict=True))
    for code, parent in parents.items():
        if code.startswith("BU"):
            assert parent == "WK" + code[2:8]
        elif code.startswith("WK"):
            assert parent == "GM" + code[2:6]
        else:
            assert not parent  # a gemeente has no parent (written "" in this quote-all file)

    assert brp["bsn"].n_unique() == brp.height
    assert all(elfproef(b) for b in brp["bsn"])
    woon = set(bag.filter(pl.col("gebruiksdoel") == "woonfunctie")["adres_id"])
    assert set(brp["adres_id"]) <= set(bag["adres_id"])
    at_home = brp.filter(pl.col("adres_id").is_in(list(woon)))
    assert at_home.height / brp.height > 0.99


def test_household_composition(synthetic: tuple[Paths, object]) -> None:
    paths, _ = synthetic
    bag = landing_csv(paths, "bag_adressen")
    woon = bag.filter(pl.col("gebruiksdoel") == "woonfunctie")["adres_id"]
    end = quarter_end(Q)
    brp = landing_csv(paths, "brp_personen").filter(pl.col("adres_id").is_in(woon.to_list()))
    brp = brp.with_columns(
        age=(pl.lit(end) - pl.col("geboortedatum").str.to_date()).dt.total_days() // 365.25
    )
    hh = brp.group_by("adres_id").agg(
        n=pl.len(),
        oldest=pl.col("age").max(),
        youngest=pl.col("age").min(),
        minors=(pl.col("age") < 18).sum(),
        oldest_minor=pl.col("age").filter(pl.col("age") < 18).max(),
        oldest_adult=pl.col("age").filter(pl.col("age") >= 18).max(),
    )
    assert hh.height == 40_000
    assert 0.34 < (hh["n"] == 1).mean() < 0.42  # singles
    assert hh.filter(pl.col("oldest") < 18).height == 0  # no household of children only
    with_minors = hh.filter(pl.col("minors") > 0)
    assert (with_minors["oldest_adult"] - with_minors["oldest_minor"] >= 18).all()
    assert with_minors["minors"].max() == 5
    assert hh.filter(pl.col("minors") >= 3).height > 0
    students = hh.filter((pl.col("n") >= 3) & (pl.col("youngest") >= 18) & (pl.col("oldest") <= 25))
    assert 0.005 < students.height / hh.height < 0.03
    seniors = hh.filter(pl.col("oldest") >= 67)
    starters = hh.filter((pl.col("oldest").is_between(18, 27)) & (pl.col("minors") == 0))
    assert seniors.height / hh.height > 0.1 and starters.height / hh.height > 0.05


def test_spells(synthetic: tuple[Paths, object], truth: pl.DataFrame) -> None:
    paths, _ = synthetic
    brp = landing_csv(paths, "brp_personen")
    uitk = landing_csv(paths, "uitkeringen")
    schuld = landing_csv(paths, "schuldhulp")
    assert set(uitk["regeling"]) == set(regelingen("uitkeringen"))
    assert set(schuld["soort"]) == set(regelingen("schuldhulp"))
    start = quarter_start(Q).isoformat()
    for spells in (uitk, schuld):
        assert set(spells["bsn"]) <= set(brp["bsn"])
        assert spells["startdatum"].max() <= quarter_end(Q).isoformat()
        assert spells["einddatum"].is_null().sum() > 0  # running
        assert (spells["einddatum"].drop_nulls() < start).sum() > 0  # ended before the quarter
        ended = spells.filter(pl.col("einddatum").is_not_null())
        assert (ended["einddatum"] >= ended["startdatum"]).all()

    # more spells (ever) in signalled households than in the others
    with_spell = set(uitk["bsn"]) | set(schuld["bsn"])
    hh_of = (
        brp.with_columns(spell=pl.col("bsn").is_in(list(with_spell)))
        .group_by("adres_id")
        .agg(spell=pl.col("spell").any())
    )
    signalled = set(truth.filter(pl.col("fault") == "none")["adres_id"])
    hh_of = hh_of.with_columns(signalled=pl.col("adres_id").is_in(list(signalled)))
    rate = dict(hh_of.group_by("signalled").agg(pl.col("spell").mean()).iter_rows())
    assert rate[True] > 2 * rate[False]


MATCHED = ("exact", "letter_as_toevoeging", "unique_toevoeging", "missing_toevoeging")
"""Match statuses that attribute a signal to one address (int_signalen_matched_to_adressen)."""


def test_debt_help_after_signals_in_the_ground_truth_and_the_extract(
    synthetic: tuple[Paths, object], truth: pl.DataFrame
) -> None:
    """The ground truth names each signalled household's first signal day (recomputed here
    from the signal rows the address match attributes to it) and the start of the schuldhulp
    trajectory it set off: never before the signal, only for signalled households, and in
    the quarter's extract (for a resident, on that day) when it started by the quarter's end."""
    paths, _ = synthetic
    households = pl.read_parquet(paths.ground_truth / Q / "households.parquet")
    assert households.schema["eerste_signaaldatum"] == pl.Date
    assert households.schema["schuldhulp_na_signaal"] == pl.Date
    first = (
        truth.filter(pl.col("match_status").is_in(MATCHED))
        .group_by(pl.col("household_id").cast(pl.Int64))
        .agg(pl.col("signaaldatum").str.to_date().min().alias("first"))
    )
    signalled = households.filter(pl.col("eerste_signaaldatum").is_not_null())
    joined = signalled.join(first, on="household_id", how="full")
    assert joined.height == signalled.height == first.height > 500
    assert (joined["eerste_signaaldatum"] == joined["first"]).all()

    after = households.filter(pl.col("schuldhulp_na_signaal").is_not_null())
    assert after.height > 0.03 * signalled.height
    assert after["eerste_signaaldatum"].is_not_null().all()
    assert (after["schuldhulp_na_signaal"] >= after["eerste_signaaldatum"]).all()

    brp = landing_csv(paths, "brp_personen").select("bsn", "adres_id")
    schuld = landing_csv(paths, "schuldhulp")
    started = after.filter(pl.col("schuldhulp_na_signaal") <= quarter_end(Q))
    found = (
        started.join(brp, on="adres_id")
        .join(schuld, on="bsn")
        .filter(pl.col("startdatum").str.to_date() == pl.col("schuldhulp_na_signaal"))
    )
    assert 0 < started.height == found["household_id"].n_unique()
    assert set(found["soort"]) <= set(regelingen("schuldhulp"))
    assert (found["einddatum"].is_null() | (found["einddatum"] >= found["startdatum"])).all()


# ---------------------------------------------------------------------------- signals


def test_signal_rates(synthetic: tuple[Paths, object], truth: pl.DataFrame) -> None:
    paths, summary = synthetic
    signals = truth.filter(pl.col("fault") != "duplicate")
    per_1000 = signals.height / summary.residents * 1000
    assert 12.0 < per_1000 < 14.4, per_1000

    groups = publication_groups()
    signals = signals.with_columns(
        group=pl.col("partner_type").replace_strict(groups, default="overig")
    )
    share = {g: n / signals.height for g, n in Counter(signals["group"]).items()}
    expected = {"zorg": 0.41, "huur": 0.20, "energie": 0.20, "water": 0.18, "overig": 0.01}
    for group, want in expected.items():
        assert abs(share.get(group, 0) - want) < 0.035, (group, share)

    clean = signals.filter(pl.col("fault") == "none")
    per_hh = clean.group_by("household_id").agg(
        groups=pl.col("group").n_unique(), n=pl.len(), partners=pl.col("partner_code").n_unique()
    )
    assert 0.42 < (per_hh["groups"] >= 2).mean() < 0.58
    assert (per_hh["n"] > per_hh["partners"]).sum() > 0  # two signals from one partner

    # the final outcomes (the ground truth: many cases are still open in the quarter's extract)
    cases = final_cases(paths).with_columns(pl.col("bereikt").cast(pl.String))
    assert set(cases["resultaat"]) <= resultaat_codes()
    assert cases.select("partner_code", "signaal_id").unique().height == cases.height
    readable = signals.filter(~pl.col("fault").str.starts_with("unreadable")).height
    assert 0.85 < cases.height / readable <= 1.0
    joined = clean.join(cases, on=["partner_code", "signaal_id"], how="left")
    accepted = list(help_accepted_results())
    picked_up = pl.col("resultaat").is_not_null() & ~pl.col("resultaat").is_in(NOT_PICKED_UP)
    hh = joined.group_by("household_id").agg(
        picked_up=picked_up.any(),
        reached=((pl.col("bereikt") == "true") & picked_up).any(),
        helped=pl.col("resultaat").is_in(accepted).any(),
    )
    # the Divosa figures (issue #15): reach over picked-up cases about 20%, help over reached
    # about a third
    reach = hh.filter("picked_up")["reached"].mean()
    assert 0.15 <= reach <= 0.35, reach
    helped = hh.filter("reached")["helped"].mean()
    assert 0.25 < helped < 0.45, helped
    assert not hh.filter(~pl.col("reached"))["helped"].any()

    # amounts per partner type, realistic and positive for readable rows
    ranges = {"energie": (200, 2000), "huur": (500, 5000), "zorg": (150, 3000)}
    for ptype, (lo, hi) in ranges.items():
        amounts = clean.filter(pl.col("partner_type") == ptype)["achterstand_bedrag"].cast(float)
        assert amounts.min() >= lo and amounts.max() <= hi and amounts.n_unique() > 20


def test_cases_close_weeks_after_matching(
    synthetic: tuple[Paths, object], truth: pl.DataFrame
) -> None:
    """The ground truth's cases close weeks after matching: a picked-up case after about a
    month (median), a few after more than 90 days, none after CASE_MAX_DELAY, none before its
    first contact; a case not picked up within CASE_QUICK_DELAY. Each is the case of a signal
    of the quarter, with its true household. The quarter's extract lists every one of them,
    about a third still open (no resultaat), and open cases of earlier quarters besides."""
    paths, _ = synthetic
    cases = final_cases(paths)
    assert cases.schema["datum_afgesloten"] == pl.Date
    assert cases.schema["household_id"] == pl.Int64
    delay = (pl.col("datum_afgesloten") - pl.col("matchingsdatum")).dt.total_days()
    cases = cases.with_columns(delay=delay, quick=pl.col("resultaat").is_in(NOT_PICKED_UP))
    picked_up = cases.filter(~pl.col("quick"))["delay"]
    assert 24 <= picked_up.median() <= 36, picked_up.median()
    assert 0.01 < (picked_up > 90).mean() < 0.08, (picked_up > 90).mean()
    assert picked_up.min() >= CASE_MIN_DELAY
    assert cases["delay"].max() <= CASE_MAX_DELAY
    quick = cases.filter("quick")
    assert quick["delay"].is_between(*CASE_QUICK_DELAY).all()
    assert not quick["bereikt"].any()
    reached = cases.filter("bereikt")
    assert reached["datum_eerste_contact"].is_not_null().all()
    assert (reached["datum_eerste_contact"] <= reached["datum_afgesloten"]).all()
    assert cases.filter(~pl.col("bereikt"))["datum_eerste_contact"].is_null().all()

    written = truth.filter(pl.col("fault") != "duplicate").select(
        "partner_code", "signaal_id", pl.col("household_id").cast(pl.Int64)
    )
    of_signal = cases.join(written, on=["partner_code", "signaal_id"], suffix="_signal")
    assert of_signal.height == cases.height
    assert of_signal["household_id"].eq_missing(of_signal["household_id_signal"]).all()

    extract = landing_csv(paths, "vroegsignaal_zaken")
    listed = cases.join(extract, on=["partner_code", "signaal_id"], suffix="_extract")
    assert listed.height == cases.height
    open_share = listed["resultaat_extract"].is_null().mean()
    assert 0.2 < open_share < 0.45, open_share
    earlier = extract.join(cases, on=["partner_code", "signaal_id"], how="anti")
    assert earlier.height > 0.1 * cases.height
    matched = earlier["matchingsdatum"].str.to_date()  # up to a week after the signal
    assert (matched < quarter_start(Q) + timedelta(days=7)).all()


ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}


def test_hard_address_notations(synthetic: tuple[Paths, object], truth: pl.DataFrame) -> None:
    """Roman floors and left-out additions are written, a small share each, and the ground
    truth's expected match status follows from the BAG extract on disk: a left-out addition
    at a number with one dwelling finds it (missing_toevoeging), with several it is ambiguous."""
    paths, _ = synthetic
    bag = landing_csv(paths, "bag_adressen")
    at = {row["adres_id"]: row for row in bag.iter_rows(named=True)}
    per_number: dict[tuple[str, str], list[dict]] = {}
    for row in bag.iter_rows(named=True):
        per_number.setdefault((row["postcode"], row["huisnummer"]), []).append(row)
    clean = truth.filter(pl.col("fault") == "none")
    counts = Counter(clean["notation"])
    assert set(counts) == {"as_bag", "roman_floor", "omitted_single", "omitted_shared"}
    for notation in ("roman_floor", "omitted_single", "omitted_shared"):
        assert 0 < counts[notation] / clean.height < 0.01, counts
    for row in clean.iter_rows(named=True):
        home = at[row["adres_id"]]
        written = (row["huisletter"], row["huisnummertoevoeging"])
        others = per_number[(row["postcode"], row["huisnummer"])]
        dwellings = sum(o["gebruiksdoel"] == "woonfunctie" for o in others)
        if row["notation"] == "as_bag":
            assert written == (home["huisletter"], home["huisnummertoevoeging"])
        elif row["notation"] == "roman_floor":
            floor = {home["huisnummertoevoeging"], row["huisnummertoevoeging"]}
            assert any(floor == {digit, roman} for digit, roman in ROMAN.items()), row
            assert row["match_status"] == "unique_toevoeging"
        else:
            assert written == (None, None) and home["huisnummertoevoeging"], row
            assert all(o["huisletter"] or o["huisnummertoevoeging"] for o in others), row
            single = row["notation"] == "omitted_single"
            assert (dwellings == 1) == single, (row, dwellings)
            assert row["match_status"] == ("missing_toevoeging" if single else "ambiguous")


def test_landlords_signal_their_tenants_only(
    synthetic: tuple[Paths, object], truth: pl.DataFrame
) -> None:
    paths, _ = synthetic
    households = pl.read_parquet(paths.ground_truth / Q / "households.parquet")
    rent = truth.filter((pl.col("partner_type") == "huur") & pl.col("household_id").is_not_null())
    joined = rent.with_columns(pl.col("household_id").cast(pl.Int64)).join(
        households, on="household_id"
    )
    assert joined.height == rent.height and joined["huurwoning"].all()


def test_faults_at_their_rates_and_real(
    synthetic: tuple[Paths, object], truth: pl.DataFrame
) -> None:
    paths, _ = synthetic
    bag = landing_csv(paths, "bag_adressen")
    n = truth.filter(pl.col("fault") != "duplicate").height
    kinds = Counter(f.split(":")[0] for f in truth["fault"])
    assert 0.005 < kinds["no_address"] / n < 0.02
    assert 0.005 < kinds["outside_gemeente"] / n < 0.02
    assert 0.001 < kinds["unreadable"] / n < 0.012
    assert 0.001 < kinds["duplicate"] / n < 0.012

    addresses = set(zip(bag["postcode"], bag["huisnummer"], strict=True))
    postcodes, pc4s = set(bag["postcode"]), {p[:4] for p in bag["postcode"]}
    for row in truth.iter_rows(named=True):
        where = (row["postcode"], row["huisnummer"])
        if row["fault"] == "none":
            assert where in addresses and row["adres_id"] and row["household_id"]
        elif row["fault"] == "no_address":
            assert row["postcode"] in postcodes and where not in addresses and not row["adres_id"]
        elif row["fault"] == "outside_gemeente":
            assert row["postcode"][:4] not in pc4s and not row["household_id"]

    # a duplicate row repeats an earlier line of the same file byte for byte
    for row in truth.filter(pl.col("fault") == "duplicate").iter_rows(named=True):
        path = paths.landing / Q / row["partner_code"] / row["file_name"]
        raw = path.read_bytes().decode(
            "cp1252" if row["partner_code"] in {"waternet", "ymere", "cz"} else "utf-8-sig"
        )
        lines = raw.splitlines()
        original = truth.filter(
            (pl.col("signaal_id") == row["signaal_id"])
            & (pl.col("partner_code") == row["partner_code"])
            & (pl.col("fault") != "duplicate")
        )
        assert original.height == 1
        assert lines[int(row["line_number"]) - 1] == lines[int(original["line_number"][0]) - 1]


def test_unreadable_rows_are_unreadable(tmp_path: Path) -> None:
    """With many faulty rows, each reason shows in the bytes at the line the truth names."""
    paths = Paths(tmp_path / "data")
    rates = Rates(unreadable=0.2, no_address=0.0, outside_gemeente=0.0)
    generate(
        GeneratorConfig(quarter=Q, seed=9, geography="synthetic", households=5_000, rates=rates),
        paths,
    )
    truth = pl.read_csv(paths.ground_truth / Q / "signals.csv", infer_schema=False)
    bad = truth.filter(pl.col("fault").str.starts_with("unreadable:"))
    assert {f.split(":")[1] for f in bad["fault"]} == {
        "bad_postcode",
        "nonpositive_amount",
        "missing_required",
        "impossible_date",
        "signaaldatum_after_quarter",
    }
    parsed = {
        (code, p.name): parse_partner_file(p, code)
        for code in partners()
        for p in (paths.landing / Q / code).glob("*.csv")
    }
    end = quarter_end(Q)
    for row in bad.iter_rows(named=True):
        file = parsed[(row["partner_code"], row["file_name"])]
        values = {f: v[int(row["line_number"]) - 2] for f, v in file.fields.items()}
        reason = row["fault"].split(":")[1]
        empty = {"", "NULL", "-"}
        if reason == "bad_postcode":
            assert not re.fullmatch(r"\s*\d{4}\s?[A-Za-z]{2}\s*", values["postcode"])
        elif reason == "nonpositive_amount":
            assert re.search(r"^(€ )?(-|0[.,]00$)", values["achterstand_bedrag"])
        elif reason == "missing_required":
            assert any(
                values[f] in empty
                for f in ("signaaldatum", "achterstand_bedrag", "postcode", "huisnummer")
            )
        elif reason == "impossible_date":
            assert date_parts(values["signaaldatum"])[1:] in {(2, 30), (2, 31)}
        else:
            assert date(*date_parts(values["signaaldatum"])) > end


def test_partner_personal_data(synthetic: tuple[Paths, object]) -> None:
    paths, _ = synthetic
    brp_bsns = set(landing_csv(paths, "brp_personen")["bsn"])
    names: list[str] = []
    for code in partners():
        for path in (paths.landing / Q / code).glob("*.csv"):
            parsed = parse_partner_file(path, code)
            for bsn in parsed.fields.get("bsn", []):
                if bsn not in {"", "NULL", "-"}:
                    assert elfproef(bsn) and bsn in brp_bsns
            names += parsed.fields.get("naam", [])
            for email in parsed.fields.get("email", []):
                assert email in {"", "NULL", "-"} or re.fullmatch(r"[a-z0-9.'-]+@[a-z.]+", email)
    assert any(ch in "".join(names) for ch in "éëüö")


# ---------------------------------------------------------------------------- dialects


def test_dialect_table_covers_the_contract() -> None:
    assert len(DIALECTS) >= 6
    assert set(DIALECTS) <= set(partners())
    types = {partners()[code].partner_type for code in DIALECTS}
    assert len(types) >= 4
    covered = covered_variants()
    for aspect, variants in CONTRACT_VARIANTS.items():
        assert covered[aspect] == set(variants), aspect


def test_every_dialect_variant_is_in_the_bytes(synthetic: tuple[Paths, object]) -> None:
    paths, _ = synthetic
    found: dict[str, set[object]] = {k: set() for k in CONTRACT_VARIANTS}
    notations: set[str] = set()
    postcodes: set[str] = set()
    for code in partners():
        files = sorted((paths.landing / Q / code).glob("*.csv"))
        assert files, code
        mapping_fields = {c for _, c in partner_columns(partners()[code])}
        for path in files:
            parsed = parse_partner_file(path, code)
            assert {h.strip().lower() for h in parsed.header} >= set(
                partners()[code].header_mapping
            )
            seen = detect(parsed, code)
            d = DIALECTS[code]
            # what the bytes show is what the dialect table says
            assert seen["encoding"] == {d.encoding}, (code, seen["encoding"])
            assert seen["delimiter"] == {d.delimiter}
            assert seen["quoting"] <= {d.quoting, "none"}  # 'needed' may need nothing
            assert seen["header"] == {d.header}
            assert seen["date"] == {d.date}
            assert seen["line_ending"] == {d.line_ending}
            assert seen["final_newline"] == {d.final_newline}
            assert d.empty in seen["empty"]
            if d.encoding == "cp1252":
                assert re.search(rb"[\xe9\xeb\xfc\xf6\xef\xe8\xe7]", parsed.raw), code
            if d.encoding != "cp1252" and mapping_fields & {"naam", "straat"}:
                assert not parsed.raw.decode("utf-8-sig").isascii(), code  # é as UTF-8
            for aspect in found:
                found[aspect] |= seen[aspect]
            if not mapping_fields & {"huisletter", "huisnummertoevoeging"}:
                for value in parsed.fields["huisnummer"]:
                    for notation, pattern in NOTATION_RE.items():
                        if re.fullmatch(pattern, value):
                            notations.add(notation)
            for value in parsed.fields["postcode"]:
                for style, pattern in {
                    "1234AB": r"\d{4}[A-Z]{2}",
                    "1234 ab": r"\d{4} [a-z]{2}",
                    " 1234ab ": r" \d{4}[a-z]{2} ",
                }.items():
                    if re.fullmatch(pattern, value):
                        postcodes.add(style)
    for aspect, variants in CONTRACT_VARIANTS.items():
        if aspect == "letter_notation":
            continue
        assert found[aspect] == set(variants), (aspect, found[aspect])
    assert notations == set(HOUSE_NUMBER_NOTATIONS), notations
    assert postcodes == {"1234AB", "1234 ab", " 1234ab "}


# ---------------------------------------------------------------------------- amsterdam


def test_amsterdam_small_scale(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "data")
    summary = generate(GeneratorConfig(quarter=Q, seed=1, geography="amsterdam", scale=0.02), paths)
    areas = landing_csv(paths, "wijken_buurten")
    levels = Counter(c[:2] for c in areas["code"])
    assert levels == {"GM": 1, "WK": 99, "BU": 479}
    assert "BU03630000" in set(areas["code"]) and "Kop Zeedijk" in set(areas["naam"])
    assert abs(summary.households - 0.02 * 456_800) < 0.1 * 0.02 * 456_800 + 300
    bag = landing_csv(paths, "bag_adressen")
    pc4 = bag["postcode"].str.slice(0, 4).cast(int)
    assert pc4.min() == 1011 and pc4.max() <= 1109 + 5
    assert bag["woonplaats"].unique().to_list() == ["Amsterdam"]
    per_buurt = bag.filter(pl.col("gebruiksdoel") == "woonfunctie").group_by("buurtcode").len()
    assert per_buurt["len"].max() > 3 * per_buurt["len"].median()  # skewed, as the city
    truth = pl.read_csv(paths.ground_truth / Q / "signals.csv", infer_schema=False)
    assert truth.height > 50 and set(truth["partner_code"]) >= set(DIALECTS) - {"duo"}
    assert date.fromisoformat(truth["signaaldatum"].min()) >= quarter_start(Q)
