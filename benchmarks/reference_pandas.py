"""The core of the quarterly refresh in plain pandas: the same steps as ``reference.sql``.

    python -m benchmarks.reference_pandas LANDING_QUARTER_DIR OUT.parquet

Reads the same landing CSVs (pandas' C parser, every column as text), normalises postcode and
house number minimally, matches signals to BAG addresses, links addresses to BRP residents
(households) and counts households, signalled households and signals per buurt, wijk and
gemeente. See reference.sql for what is deliberately left out.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

# partner -> (delimiter, encoding, signal id, postcode, number, letter, addition): the headers
# after normalise_header(); None where the partner has no such column
PARTNERS: dict[str, tuple[str, str, str, str, str, str | None, str | None]] = {
    "eneco": (";", "utf-8-sig", "referentie", "postcode", "huisnr", None, "toev"),
    "vattenfall": (",", "utf-8", "signalid", "zipcode", "housenumber", None, None),
    "waternet": (";", "cp1252", "signaalnummer", "postcode", "huisnummer", "huisletter", "toevoeging"),
    "vitens": ("\t", "utf-8", "melding", "pc", "nr", None, None),
    "ymere": (";", "cp1252", "dossiernummer", "postcode", "huisnummer", "huisletter", "huisnummertoevoeging"),
    "eigen_haard": (",", "utf-8-sig", "kenmerk", "postcode", "adres_nummer", None, None),
    "zilveren_kruis": (";", "utf-8", "signaal_id", "postcode", "huisnummer", "huisletter", "toevoeging"),
    "cz": ("\t", "cp1252", "id", "postcode", "huisnummer", None, None),
    "cak": (",", "utf-8", "zaaknummer", "postcode", "huisnummer", None, "toevoeging"),
    "duo": ("\t", "utf-8-sig", "signaal", "pc", "huisnr", None, None),
}  # fmt: skip


def normalise_header(name: str) -> str:
    """' Achterstand (EUR) ' -> 'achterstand_eur' (as DuckDB's normalize_names)."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_text_csv(path: Path, sep: str, encoding: str = "utf-8") -> pd.DataFrame:
    frame = pd.read_csv(
        path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False, na_filter=False
    )
    frame.columns = [normalise_header(c) for c in frame.columns]
    return frame


def read_folder(folder: Path, sep: str, encoding: str = "utf-8") -> pd.DataFrame:
    frames = [read_text_csv(p, sep, encoding) for p in sorted(folder.glob("*.csv"))]
    return pd.concat(frames, ignore_index=True)


def blank_empty(values: pd.Series) -> pd.Series:
    """'NULL', '-' and '' (after trimming) as ''."""
    trimmed = values.str.strip()
    return trimmed.where(~trimmed.str.upper().isin(["", "NULL", "-"]), "")


def clean_suffix(values: pd.Series) -> pd.Series:
    return values.str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)


def clean_postcode(values: pd.Series) -> pd.Series:
    return values.str.strip().str.replace(" ", "", regex=False).str.upper()


def read_signals(landing: Path) -> pd.DataFrame:
    parts = []
    for partner, (sep, encoding, sid, pc, nr, letter, toev) in PARTNERS.items():
        raw = read_folder(landing / partner, sep, encoding)
        nummer = raw[nr].str.strip()
        digits = nummer.str.extract(r"^([0-9]+)", expand=False)
        rest = nummer.str.replace(r"^[0-9]+", "", regex=True)
        suffix = rest
        for column in (toev, letter):
            if column:
                suffix = blank_empty(raw[column]) + suffix
        parts.append(
            pd.DataFrame(
                {
                    "partner": partner,
                    "signaal_id": raw[sid],
                    "postcode": clean_postcode(raw[pc]),
                    "huisnummer": pd.to_numeric(digits, errors="coerce").astype("Int64"),
                    "suffix": clean_suffix(suffix),
                }
            )
        )
    signals = pd.concat(parts, ignore_index=True)
    return signals.drop_duplicates(["partner", "signaal_id"])


def read_bag(landing: Path) -> pd.DataFrame:
    raw = read_folder(landing / "bag_adressen", ";")
    buurt = raw["buurtcode"].str.strip().str.upper()
    return pd.DataFrame(
        {
            "adres_id": raw["adres_id"],
            "postcode": clean_postcode(raw["postcode"]),
            "huisnummer": pd.to_numeric(raw["huisnummer"], errors="coerce").astype("Int64"),
            "suffix": clean_suffix(blank_empty(raw["huisletter"]) + blank_empty(raw["huisnummertoevoeging"])),
            "buurtcode": buurt.where(buurt != "", None),
            "gemeentecode": raw["gemeentecode"].str.strip().str.upper(),
            "wonen": raw["gebruiksdoel"].str.contains("woonfunctie", case=False, regex=False),
        }
    )  # fmt: skip


def households(landing: Path, bag: pd.DataFrame) -> pd.DataFrame:
    residents = read_folder(landing / "brp_personen", ",")["adres_id"].drop_duplicates()
    areas = read_folder(landing / "wijken_buurten", ";")
    areas = pd.DataFrame(
        {
            "code": areas["code"].str.strip().str.upper(),
            "parent": areas["parent_code"].str.strip().str.upper().replace("", None),
        }
    )
    hh = bag.loc[bag["wonen"] & bag["adres_id"].isin(residents)]
    hh = hh.merge(
        areas.rename(columns={"code": "buurtcode", "parent": "wijkcode"}),
        how="left",
        on="buurtcode",
    )
    hh["buurtcode"] = hh["buurtcode"].where(hh["wijkcode"].notna(), None)
    hh = hh.merge(
        areas.rename(columns={"code": "wijkcode", "parent": "gm_ref"}), how="left", on="wijkcode"
    )
    hh["gemeentecode"] = hh["gm_ref"].fillna(hh["gemeentecode"])
    return hh[["adres_id", "buurtcode", "wijkcode", "gemeentecode"]]  # fmt: skip


def match(signals: pd.DataFrame, bag: pd.DataFrame) -> pd.Series:
    """The matched address per signal (one row per matched signal)."""
    cand = signals.merge(
        bag[["adres_id", "postcode", "huisnummer", "suffix", "wonen"]],
        on=["postcode", "huisnummer"],
        suffixes=("", "_bag"),
    )
    same = cand.loc[cand["suffix"] == cand["suffix_bag"]]
    n_same = same.groupby(["partner", "signaal_id"]).size()
    one_same = same.set_index(["partner", "signaal_id"]).loc[n_same[n_same == 1].index, "adres_id"]
    wonen = cand.loc[(cand["suffix"] == "") & cand["wonen"]]
    wonen = wonen.loc[~wonen.set_index(["partner", "signaal_id"]).index.isin(n_same.index)]
    n_wonen = wonen.groupby(["partner", "signaal_id"]).size()
    one_wonen = wonen.set_index(["partner", "signaal_id"]).loc[
        n_wonen[n_wonen == 1].index, "adres_id"
    ]
    return pd.concat([one_same, one_wonen])  # fmt: skip


def counts(hh: pd.DataFrame, matched: pd.Series) -> pd.DataFrame:
    per_address = matched.value_counts().rename("signalen")
    hh = hh.merge(per_address, how="left", left_on="adres_id", right_index=True)
    hh["signalen"] = hh["signalen"].fillna(0).astype("int64")
    hh["signalled"] = (hh["signalen"] > 0).astype("int64")
    out = []
    for level, column in (
        ("buurt", "buurtcode"),
        ("wijk", "wijkcode"),
        ("gemeente", "gemeentecode"),
    ):
        g = (
            hh.dropna(subset=[column])
            .groupby(column)
            .agg(
                huishoudens=("adres_id", "size"),
                hh_met_signaal=("signalled", "sum"),
                signalen=("signalen", "sum"),
            )
        )
        out.append(g.rename_axis("area_code").reset_index().assign(area_level=level))
    result = pd.concat(out, ignore_index=True)
    return result[["area_level", "area_code", "huishoudens", "hh_met_signaal", "signalen"]]  # fmt: skip


def run(landing: Path) -> pd.DataFrame:
    bag = read_bag(landing)
    signals = read_signals(landing)
    matched = match(signals, bag)
    return counts(households(landing, bag), matched)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("landing", type=Path, help="landing/<quarter> folder")
    parser.add_argument("out", type=Path, help="Parquet file with the counts per area")
    args = parser.parse_args(argv)
    run(args.landing).to_parquet(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
