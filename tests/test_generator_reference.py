"""``monitor generate --reference FILE``: the demo generator on any area file.

A hand-made file with three gemeenten (tests/fixtures/reference_drechtsteden.csv, the
contract's ``wijken_buurten`` form) and small StatLine exports written here; judged from the
landing files on disk.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from demo import geography as geo_mod
from demo.generator import GeneratorConfig, generate
from orchestration import cli
from orchestration.settings import Paths

Q = "2026Q3"
FIXTURE = Path(__file__).parent / "fixtures" / "reference_drechtsteden.csv"


def fixture_areas() -> pl.DataFrame:
    return pl.read_csv(FIXTURE, separator=";", infer_schema=False)


def landing_csv(paths: Paths, source: str) -> pl.DataFrame:
    (path,) = (paths.landing / Q / source).glob("*.csv")
    header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
    sep = ";" if header.count(";") else ","
    return pl.read_csv(path, separator=sep, infer_schema=False, encoding="utf8")


@pytest.fixture(scope="module")
def drechtsteden(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("reference") / "data")
    generate(
        GeneratorConfig(quarter=Q, seed=7, geography="reference", reference_file=FIXTURE),
        paths,
    )
    return paths


def write_statline(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A StatLine export as CBS writes it: quoted, ``;``, codes padded, ``.`` for secret."""
    header = (
        "Perioden",
        "Wijken en buurten",
        "Regiocode (gemeente, wijk, buurt) (code)",
        "Particuliere huishoudens (Aantal)",
        "SES-WOA/Totaalscore/Gemiddelde score (Getal)",
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
        out.writerow(header)
        for name, code, households, ses in rows:
            out.writerow(("2019", name, f"{code:<10}", f"{households:>8}", f"{ses:>8}"))
    return path


STATLINE_ROWS = [
    ("Amsterdam", "GM0363", "457400", "-0.100"),
    ("Burgwallen-Oude Zijde", "WK036300", "2900", "-0.022"),
    ("Kop Zeedijk", "BU03630000", "1000", "0.100"),
    ("Oude Kerk e.o.", "BU03630001", "1900", "."),
    ("Diemen", "GM0384", "13000", "0.050"),
    ("Diemen-Zuid", "WK038400", "13000", "0.050"),
    ("Bergwijkpark", "BU03840000", "6000", "-0.300"),
    ("Bedrijventerrein Verrijn Stuart", "BU03840001", "0", "."),
    ("Diemen-Centrum", "BU03840002", "7000", "0.200"),
]


# ---------------------------------------------------------------------------- addresses


def test_each_gemeente_has_its_own_postcodes_and_woonplaats(drechtsteden: Paths) -> None:
    bag = landing_csv(drechtsteden, "bag_adressen")
    gemeenten = fixture_areas().filter(pl.col("code").str.starts_with("GM"))
    assert set(bag["gemeentecode"]) == set(gemeenten["code"])

    key = ["postcode", "huisnummer", "huisnummertoevoeging"]
    shared = bag.group_by(key).agg(pl.col("gemeentecode").n_unique().alias("n"))
    assert shared.filter(pl.col("n") > 1).is_empty()

    ranges = (
        bag.with_columns(pc4=pl.col("postcode").str.slice(0, 4).cast(pl.Int64))
        .group_by("gemeentecode")
        .agg(pl.col("pc4").min().alias("lo"), pl.col("pc4").max().alias("hi"))
        .sort("lo")
    )
    spans = list(zip(ranges["lo"], ranges["hi"], strict=True))
    assert all(a_hi < b_lo for (_, a_hi), (b_lo, _) in itertools.pairwise(spans)), spans

    named = bag.join(
        gemeenten.select(pl.col("code").alias("gemeentecode"), pl.col("naam")),
        on="gemeentecode",
        how="left",
    )
    assert named["naam"].null_count() == 0
    assert (named["woonplaats"] == named["naam"]).all()
    assert set(bag["woonplaats"]) == {"Dordrecht", "Zwijndrecht", "Papendrecht"}


def test_generated_areas_round_trip(drechtsteden: Paths, tmp_path: Path) -> None:
    """The landing ``wijken_buurten`` names exactly the areas of the reference, every address
    lies in one of its buurten, and the landing file is itself a reference file for the same
    structure."""
    areas = landing_csv(drechtsteden, "wijken_buurten")
    want = fixture_areas().with_columns(pl.col("parent_code").fill_null(""))
    got = areas.with_columns(pl.col("parent_code").fill_null(""))
    assert sorted(got.iter_rows()) == sorted(want.iter_rows())
    bag = landing_csv(drechtsteden, "bag_adressen")
    listed = set(bag["buurtcode"].drop_nulls())
    assert listed <= set(want.filter(pl.col("code").str.starts_with("BU"))["code"])
    assert len(listed) >= 12  # nearly every buurt has addresses

    (landed,) = (drechtsteden.landing / Q / "wijken_buurten").glob("*.csv")
    copy = tmp_path / "wijken_buurten.csv"
    copy.write_bytes(landed.read_bytes())
    again = geo_mod.reference(copy, 1.0, seed=1)
    first = geo_mod.reference(FIXTURE, 1.0, seed=1)
    assert again.areas_frame().equals(first.areas_frame())


def test_statline_export_with_two_gemeenten_keeps_amsterdams_range(tmp_path: Path) -> None:
    reference = write_statline(tmp_path / "statline.csv", STATLINE_ROWS)
    paths = Paths(tmp_path / "data")
    summary = generate(
        GeneratorConfig(
            quarter=Q, seed=3, geography="reference", reference_file=reference, scale=0.1
        ),
        paths,
    )
    assert (summary.gemeenten, summary.wijken, summary.buurten) == (2, 2, 5)
    bag = landing_csv(paths, "bag_adressen").with_columns(
        pc4=pl.col("postcode").str.slice(0, 4).cast(pl.Int64)
    )
    amsterdam = bag.filter(pl.col("gemeentecode") == "GM0363")
    diemen = bag.filter(pl.col("gemeentecode") == "GM0384")
    assert set(amsterdam["woonplaats"]) == {"Amsterdam"}
    assert set(diemen["woonplaats"]) == {"Diemen"}
    assert amsterdam["pc4"].min() >= 1011 and amsterdam["pc4"].max() <= 1109
    assert diemen["pc4"].is_between(1011, 1109).sum() == 0
    # households follow the file's counts times scale (CBS rounds them to 100)
    homes = bag.filter(pl.col("gebruiksdoel") == "woonfunctie").group_by("gemeentecode").len()
    per_gemeente = dict(homes.iter_rows())
    assert 250 <= per_gemeente["GM0363"] <= 350
    assert 1_250 <= per_gemeente["GM0384"] <= 1_450


def test_free_ranges_step_over_a_kept_range(tmp_path: Path) -> None:
    """Gemeenten without a real range are allocated around Amsterdam's 1011-1109, even when
    the ones before it need more than the 11 PC4s below 1011."""
    rows = [STATLINE_ROWS[4], STATLINE_ROWS[5], STATLINE_ROWS[6], *STATLINE_ROWS[:4]]
    rows += [("Ouder-Amstel", "GM0437", "5900", "0.3"), ("Duivendrecht", "WK043700", "5900", "0")]
    rows += [("Duivendrecht-Noord", "BU04370000", "5900", "0.1")]
    geo = geo_mod.reference(write_statline(tmp_path / "three.csv", rows), 1.0, seed=2)
    assert geo.gemeente_codes == ["GM0384", "GM0363", "GM0437"]
    counts = np.array([30, 99, 30])
    first = geo_mod.allocate_pc4(geo, counts, seed=2)
    assert first[1] == 1011
    spans = sorted((int(f), int(f + c)) for f, c in zip(first, counts, strict=True))
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert spans[0][0] >= 1000 and spans[-1][1] <= 10_000


def test_contract_form_without_counts_uses_households(tmp_path: Path) -> None:
    geo = geo_mod.reference(FIXTURE, 1.0, seed=4, households=2_000)
    assert geo.households == 2_000
    assert (geo.buurt_households[geo.buurt_gemeente == 2] > 0).any()  # Papendrecht
    default = geo_mod.reference(FIXTURE, 0.5, seed=4)
    assert default.households == round(geo_mod.HOUSEHOLDS_PER_BUURT * 14 * 0.5)
    with pytest.raises(ValueError, match="household counts"):
        geo_mod.reference(
            write_statline(tmp_path / "s.csv", STATLINE_ROWS), 1.0, seed=4, households=10
        )


# ---------------------------------------------------------------------------- bad files


def _lines(*lines: str) -> str:
    return "\n".join(lines) + "\n"


BAD_FILES = {
    "empty": ("", ["is empty", "wijken_buurten", "StatLine"]),
    "blank": ("\ufeff \n\n", ["is empty"]),
    "header only": ("code;naam;parent_code\n", ["no areas below the header"]),
    "missing columns": (
        _lines("id;omschrijving;ouder", "GM0505;Dordrecht;"),
        ["line 1", "missing column(s) code", "naam", "wijken_buurten form", "StatLine export"],
    ),
    "buurt without its wijk": (
        _lines(
            "code;naam;parent_code",
            "GM0505;Dordrecht;",
            "WK050500;Binnenstad;GM0505",
            "BU05050100;Oud-Krispijn;WK050501",
        ),
        ["line 4", "buurt BU05050100 (Oud-Krispijn)", "wijk WK050501", "does not list"],
    ),
    "wijk without its gemeente": (
        _lines(
            '"Wijken en buurten","Regiocode (gemeente, wijk, buurt) (code)"',
            "Binnenstad,WK050500",
            "Centrum,BU05050000",
        ),
        ["line 2", "wijk WK050500", "gemeente GM0505"],
    ),
    "gemeente without buurten": (
        _lines("code;naam;parent_code", "GM0505;Dordrecht;", "GM0642;Zwijndrecht;"),
        ["line 2", "GM0505 (Dordrecht) has no buurten"],
    ),
    "not a code": (
        _lines("code;naam;parent_code", "GM0505;Dordrecht;", "Binnenstad;WK050500;GM0505"),
        ["line 3", "'Binnenstad' is not a gemeente, wijk or buurt code"],
    ),
    "wrong parent": (
        _lines(
            "code;naam;parent_code",
            "GM0505;Dordrecht;",
            "WK050500;Binnenstad;GM0505",
            "BU05050000;Centrum;GM0505",
        ),
        ["line 4", "parent_code 'GM0505' of BU05050000 should be WK050500"],
    ),
    "repeated code": (
        _lines(
            "code;naam;parent_code",
            "GM0505;Dordrecht;",
            "WK050500;Binnenstad;GM0505",
            "BU05050000;Centrum;WK050500",
            "BU05050000;Centrum;WK050500",
        ),
        ["line 5", "BU05050000 is listed before, on line 4"],
    ),
    "short row": (
        _lines("code;naam;parent_code", "GM0505"),
        ["line 2", "1 columns, the header has 3"],
    ),
    "bad count": (
        _lines(
            "Wijken en buurten;Regiocode (gemeente, wijk, buurt) (code);Particuliere huishoudens",
            "Dordrecht;GM0505;veel",
        ),
        ["line 2", "household count", "GM0505", "not a number"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_reference_file_is_named_with_line_and_problem(tmp_path: Path, case: str) -> None:
    text, phrases = BAD_FILES[case]
    path = tmp_path / "gebieden.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(geo_mod.ReferenceFileError) as caught:
        geo_mod.reference(path, 1.0, seed=1)
    message = str(caught.value)
    assert message.startswith(str(path))
    for phrase in phrases:
        assert phrase in message, (phrase, message)


# ---------------------------------------------------------------------------- command line


def test_monitor_generate_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MONITOR_DATA_DIR", str(tmp_path / "data"))
    argv = ["generate", "--quarter", Q, "--reference", str(FIXTURE), "--households", "1500"]
    assert cli.main(argv) == 0
    paths = Paths(tmp_path / "data")
    assert set(landing_csv(paths, "bag_adressen")["woonplaats"]) == {
        "Dordrecht",
        "Zwijndrecht",
        "Papendrecht",
    }
    assert "reference (reference_drechtsteden.csv)" in capsys.readouterr().out

    bad = tmp_path / "leeg.csv"
    bad.write_text("", encoding="utf-8")
    assert cli.main(["generate", "--quarter", "2026Q4", "--reference", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: the reference file is empty" in err
    assert not (paths.landing / "2026Q4").exists()

    both = ["generate", "--reference", str(FIXTURE), "--geography", "synthetic"]
    assert cli.main(both) == 1
    assert "--reference replaces --geography" in capsys.readouterr().err
