"""A file is read as a stream of blocks (reading.CsvStream): the same records, line numbers,
checks and rows as the whole file read at once, and memory that does not grow with the file.

Files are generated here with what makes cutting hard: quoted fields with line breaks across
block boundaries, stray and unterminated quotes, blank lines (in the middle and at the end),
NUL bytes, Windows-1252 lines among UTF-8 ones, CRLF and CR-only line ends.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from orchestration.ingestion.chunks import (
    BYTES_PER_ROW,
    CHUNKS_PER_FILE,
    MIN_CHUNK_ROWS,
    file_chunk_rows,
)
from orchestration.ingestion.deliveries import StillBeingWritten, read_delivered, scan
from orchestration.ingestion.loader import ingest_source
from orchestration.ingestion.reading import (
    START_BYTES,
    CsvStream,
    has_utf8_multibyte,
    read_text,
)

KEY = b"5c1f0e8a2b7d49c6a3e1f20b9d8c7a6e4f3b2a19c8d7e6f5a4b3c2d1e0f9a8b7"  # random, as keygen makes them
QUARTER = "2026Q3"
HEADER = "signaal_id;signaaldatum;achterstand_bedrag;postcode;huisnummer;opmerking"
LONG_AGO = 1_790_000_000
REPO = Path(__file__).resolve().parents[1]


def lines(seed: int, n: int, *, cp1252: bool) -> list[bytes]:
    """``n`` lines of a partner file, one physical line each (a multi-line record spans
    several), in UTF-8 with, if ``cp1252``, some Windows-1252 lines."""
    rng = random.Random(seed)
    out: list[bytes] = [HEADER.encode()]
    i = 0
    while len(out) < n:
        i += 1
        row = f"S{seed}-{i};2026-07-{1 + i % 28:02d};{i % 900},50;1234AB;{1 + i % 40}"
        kind = rng.random()
        if kind < 0.55:
            out.append(f"{row};gewoon".encode())
        elif kind < 0.65:  # a quoted field with line breaks (and a delimiter) inside
            inner = [f"deel {k}; met scheiding" for k in range(rng.randint(1, 4))]
            out += [f'{row};"begin'.encode(), *(x.encode() for x in inner), b'eind"']
        elif kind < 0.70:
            out.append(f'{row};12" scherm'.encode())  # a stray quote opens nothing
        elif kind < 0.74:
            out += [b""] * rng.randint(1, 3) + [b"   "] * rng.randint(0, 1)
        elif kind < 0.77:
            out.append(f"{row};nul\x00byte".encode())
        elif kind < 0.85:
            out.append(f"{row};caf\u00e9 {i}".encode("cp1252" if cp1252 else "utf-8"))
        elif kind < 0.87:
            out.append(f'{row};"nooit gesloten'.encode())  # unterminated: becomes broken
        elif kind < 0.90:
            out.append(f"{row};te;veel;velden".encode())
        else:
            out.append(f'"{row.replace(";", chr(34) + ";" + chr(34))}";"Daniëlle"'.encode())
    return out


def content(seed: int, n: int, *, cp1252: bool, end: bytes, tail: bytes) -> bytes:
    return end.join(lines(seed, n, cp1252=cp1252)) + tail


def sliced(data: bytes) -> object:
    def blocks(size: int, *, verify: bool = True) -> Iterator[bytes]:
        return (data[i : i + size] for i in range(0, len(data), size))

    return blocks


CASES = [
    # seed, line end, what follows the last line, Windows-1252 lines
    (1, b"\n", b"\n\n  \n", True),
    (2, b"\r\n", b"", False),
    (3, b"\r", b"\r", True),
    (4, b"\n", b'\n"open at the very end', False),
]


@pytest.mark.parametrize(("seed", "end", "tail", "cp1252"), CASES)
@pytest.mark.parametrize("block_bytes", [97, 5000])
def test_records_read_in_blocks_are_those_of_the_whole_file(
    seed: int, end: bytes, tail: bytes, cp1252: bool, block_bytes: int
) -> None:
    data = content(seed, 6000, cp1252=cp1252, end=end, tail=tail)
    assert len(data) > 2 * START_BYTES  # many blocks after the first
    whole = read_text(data)
    stream = CsvStream(sliced(data), block_bytes=block_bytes)
    assert not stream.complete
    got = pl.concat(stream.records())
    assert (stream.encoding, stream.delimiter, stream.header, stream.header_line) == (
        whole.encoding,
        whole.delimiter,
        whole.header,
        whole.header_line,
    )
    assert whole.encoding == ("mixed: utf-8 and windows-1252 lines" if cp1252 else "utf-8")
    assert_frame_equal(got, whole.records)
    # the file holds what makes cutting hard, and the whole-file reading saw it
    records = whole.records
    assert records.get_column("odd_quotes").any() and records.get_column("nul").any()
    assert records.get_column("text").str.contains("\n", literal=True).any()
    assert (records.get_column("text").str.strip_chars() == "").any()  # blank, mid-file
    assert stream.last is not None
    assert stream.last.get_column("line_number")[0] == records.get_column("line_number")[-1]


UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
"""The definition :func:`has_utf8_multibyte` vectorises (what the survey used before)."""


def test_a_multibyte_sequence_is_found_where_the_regular_expression_finds_one() -> None:
    rng = random.Random(7)
    tricky = [
        b"",
        b"\xc3",
        b"\xc3\xa9",
        b"caf\xe9",
        b"\xe2\x82",
        b"\xe2\x82\xac",
        b"\xf0\x9f\x98",
        b"\xf0\x9f\x98\x80",
        b"\xf5\x80\x80\x80",
        b"\xc1\xbf",
        b"\xe9\xe9\x80",
        b"ab\xdf\xbf",
    ]
    samples = [*tricky, *(b"x" + t for t in tricky), *(t + b"x" for t in tricky)]
    alphabet = [0x41, 0x80, 0xA9, 0xBF, 0xC0, 0xC2, 0xC3, 0xDF, 0xE0, 0xE9, 0xEF, 0xF0, 0xF4, 0xF5]
    samples += [bytes(rng.choices(alphabet, k=rng.randint(1, 12))) for _ in range(3000)]
    found = [has_utf8_multibyte(s) for s in samples]
    assert found == [UTF8_MULTIBYTE.search(s) is not None for s in samples]
    assert any(found) and not all(found)  # both answers occur


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 5])
def test_a_utf8_letter_cut_by_a_block_boundary_still_makes_the_file_mixed(
    block_bytes: int,
) -> None:
    """The survey sees blocks cut anywhere: a sequence split over two blocks still counts."""
    data = (HEADER + "\n").encode() + "S1;2026-07-01;1,00;1234AB;1;caf\u00e9\n".encode("cp1252")
    data += "S2;2026-07-01;1,00;1234AB;1;\u20ac \U0001f600\n".encode()  # 3 and 4 bytes long

    def tiny(_size: int, *, verify: bool = True) -> Iterator[bytes]:
        return (data[i : i + block_bytes] for i in range(0, len(data), block_bytes))

    assert CsvStream(tiny).encoding == "mixed: utf-8 and windows-1252 lines"
    windows = data.replace("\u20ac \U0001f600".encode(), "\u20ac".encode("cp1252"))
    assert CsvStream(sliced(windows)).encoding == "windows-1252"


def land(landing: Path, name: str, data: bytes) -> Path:
    folder = landing / QUARTER / "eneco"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    os.utime(path, (LONG_AGO, LONG_AGO))
    return path


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {
        table: con.execute(f"SELECT * EXCLUDE (file_name) FROM {table} ORDER BY ALL").fetchall()
        for table in ("raw.signalen", "audit.quarantine")
    }


def test_a_file_read_in_small_blocks_and_chunks_loads_the_same(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    data = content(5, 6000, cp1252=True, end=b"\r\n", tail=b"\r\n\r\n")
    land(landing, "eneco.csv", data)
    results = []
    for chunk_rows in (1_000_000, 25):  # one block and chunk; blocks of 1,600 bytes
        con = duckdb.connect()
        (file,) = ingest_source(con, QUARTER, "eneco", landing, KEY, chunk_rows=chunk_rows).files
        counts = (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined)
        results.append((counts, file.encoding, file.reasons, tables(con)))
    assert results[0] == results[1]
    counts, encoding, reasons, _ = results[0]
    assert counts[0] == "loaded" and counts[2] > 1000 and encoding.startswith("mixed")
    assert {"unterminated quoted field", "empty line"} <= set(reasons)


def test_a_file_of_fewer_than_four_chunks_is_cut_into_four() -> None:
    """So its reading, checks and staging overlap; a big file keeps the caller's chunk size."""
    rows = 1_000_000
    four_chunks = rows * BYTES_PER_ROW * CHUNKS_PER_FILE  # bytes of four full chunks
    assert file_chunk_rows(3 * four_chunks, rows) == rows
    assert file_chunk_rows(four_chunks, rows) == rows
    assert file_chunk_rows(four_chunks // 2, rows) == rows // 2
    assert file_chunk_rows(10_000, rows) == MIN_CHUNK_ROWS  # a small file: one chunk
    assert file_chunk_rows(four_chunks, 25) == 25  # a smaller chunk asked for wins


def test_a_file_whose_bytes_change_while_read_is_still_being_written(tmp_path: Path) -> None:
    path = land(tmp_path, "a.csv", content(6, 50, cp1252=False, end=b"\n", tail=b"\n"))
    scanned = scan(path, now=time.time(), settle_seconds=120, max_line_bytes=1 << 20)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"S6-1;", b"S6-9;", 1))  # same size, same modification time
    os.utime(path, ns=(scanned.mtime_ns, scanned.mtime_ns))
    blocks = read_delivered(scanned)  # size and time as scanned
    with pytest.raises(StillBeingWritten):
        list(blocks(1 << 16))  # the SHA-256 is not
    assert b"".join(blocks(1 << 16, verify=False)) == path.read_bytes()  # the survey's pass
    with pytest.raises(StillBeingWritten):  # surveyed unverified, the records' pass is not
        list(CsvStream(blocks, block_bytes=1 << 10).records())


PEAK_RSS = """
import resource, sys, time
from pathlib import Path
from orchestration.ingestion.reading import CsvStream, has_quotes, split_fields
from orchestration.ingestion.deliveries import read_delivered, scan
path = Path(sys.argv[1])
delivery = scan(path, now=time.time(), settle_seconds=0, max_line_bytes=1 << 20)
stream = CsvStream(read_delivered(delivery), block_bytes=1 << 20)
rows = 0
for records in stream.records():
    fields = split_fields(records, stream.delimiter, len(stream.header), {"id": 0, "pc": 3}, has_quotes(records))
    rows += fields.height
print(rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_rss(path: Path) -> tuple[int, int]:
    """Rows read and the peak resident memory (bytes) of a process reading ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    rows, peak = done.stdout.split()
    return int(rows), int(peak)


def big_file(path: Path, megabytes: int) -> int:
    """A partner file of about ``megabytes`` MB; returns its number of records."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = "".join(
        f"S{i:07d};2026-07-15;{i % 900},50;1234AB;{1 + i % 40};" + ('"a;b"' if i % 7 else "x")
        + "\n"
        for i in range(20_000)
    ).encode()  # fmt: skip
    n = (megabytes << 20) // len(block) + 1
    with path.open("wb") as handle:
        handle.write((HEADER + "\n").encode())
        for _ in range(n):
            handle.write(block)
    return n * 20_000


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Reading and cutting 10 MB and 50 MB files in 1 MiB blocks: the peak memory of the two
    processes differs by far less than the 40 MB between the files (reading a file whole took
    about ten times its size)."""
    peaks = {}
    for megabytes in (10, 50):
        path = tmp_path / f"f{megabytes}.csv"
        records = big_file(path, megabytes)
        rows, peaks[megabytes] = peak_rss(path)
        assert rows == records
        path.unlink()
    assert peaks[50] - peaks[10] < 12 << 20, peaks
