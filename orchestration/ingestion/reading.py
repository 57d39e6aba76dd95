"""Bytes of a delivered CSV file -> header and records (Polars), without trusting the file.

What this module accepts (CONTRACTS.md, general rules):

* encoding: UTF-8, UTF-8 with BOM, Windows-1252 (the fallback when the bytes are not valid
  UTF-8), UTF-16 with BOM (Excel's "Unicode text"); a registry ``encoding_hint`` wins. A file
  whose lines were appended by different tools (some lines UTF-8, others Windows-1252) is
  read line by line: a line that is valid UTF-8 is UTF-8, any other line Windows-1252;
* delimiter: ``;``, ``,`` or tab, sniffed from the header line (the candidate occurring most
  often outside quotes); a registry ``delimiter_hint`` wins when it occurs in the header;
  an Excel ``sep=;`` first line is honoured;
* quoting: none, everywhere, or where needed (``"`` doubled inside a quoted field); quoted
  fields may contain the delimiter and even line breaks;
* line endings: LF, CRLF (and CR-only files from old Mac Excel); a missing final newline.

What it refuses (:class:`UnreadableFile`, with a message naming the problem but never a
value from the file): empty or whitespace-only files, binary files (ZIP/xlsx, OLE2/xls, PDF,
gzip, PNG/JPEG, many NUL bytes), HTML or XML pages saved as ``.csv``, UTF-16 without a byte
order mark, a header without a recognisable delimiter (naming the one it has, e.g. ``|``).

A few NUL bytes in otherwise readable text (a glitch in an export) do not fail the file: the
records holding them get ``nul`` and are quarantined by the validation.

Line numbers are physical line numbers in the file, the header being line 1 (or the line it
is on, after a ``sep=`` line or leading blank lines). A record spanning several lines
(a quoted field with a line break) gets the number of its first line.

Records are kept as text; :func:`split_fields` cuts them into fields vectorised (``str.split``
for records without quotes, a regular expression for records with quotes), so no Python loop
runs per row.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
OTHER_DELIMITERS = ("|", "^", "~")
"""Delimiters seen in the wild but not accepted: named in the error message."""
_VALIDATE_CHUNK = 16 * 1024 * 1024


class UnreadableFile(Exception):
    """The file cannot be read at all; the message names what is wrong (no file content)."""


@dataclass
class CsvText:
    """A delivered file after decoding and line splitting."""

    encoding: str
    delimiter: str
    header: list[str]
    """Header cells as delivered (unquoted, stripped); see :func:`normalise_header`."""
    header_line: int
    records: pl.DataFrame
    """Data records: ``line_number`` (Int32), ``text`` (String), ``odd_quotes`` (Boolean:
    an unterminated quoted field), ``nul`` (Boolean: the record holds a NUL byte). Trailing
    blank lines are not records."""
    has_quotes: bool


# --- bytes -> text --------------------------------------------------------------------------

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook?), not CSV text"),
    (b"\xd0\xcf\x11\xe0", "an OLE2 file (an Excel .xls workbook?), not CSV text"),
    (b"%PDF", "a PDF document, not CSV text"),
    (b"\x1f\x8b", "gzip-compressed, not CSV text"),
    (b"\x89PNG", "a PNG image, not CSV text"),
    (b"\xff\xd8\xff", "a JPEG image, not CSV text"),
)
_MARKUP = (
    (
        (b"<!doctype html", b"<html"),
        "an HTML page (a saved web or download error page?), not CSV text",
    ),
    ((b"<?xml",), "an XML document, not CSV text"),
)
MAX_NUL_BYTES = 8
"""More NUL bytes than this (or than one per 1,000 bytes) make a file binary."""
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode(data: bytes, encoding_hint: str | None = None) -> tuple[bytes, str]:
    """UTF-8 bytes (without BOM) and the name of the encoding the file was in."""
    if not data:
        raise UnreadableFile("the file is empty (0 bytes)")
    if not data.strip():
        raise UnreadableFile("the file is empty: it holds only whitespace and blank lines")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"the file is {what}")
    start = data[:64].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    for prefixes, what in _MARKUP:
        if start.startswith(prefixes):
            raise UnreadableFile(f"the file is {what}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                "the file has a UTF-16 byte order mark but is not UTF-16"
            ) from error
        return _check_text(text.encode("utf-8")), "utf-16"
    nul_bytes = data.count(b"\x00")
    if nul_bytes > max(MAX_NUL_BYTES, len(data) // 1000):
        if _looks_like_utf16(data):
            raise UnreadableFile(
                "the file looks like UTF-16 text without a byte order mark: save it as UTF-8 "
                "(or as Unicode text with a byte order mark)"
            )
        raise UnreadableFile(f"the file contains {nul_bytes} NUL bytes: it is binary, not CSV text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        hinted = "utf-8-sig"
    else:
        hinted = None
    hint = _codec_name(encoding_hint)
    if hint and hint not in ("utf-8", "utf-8-sig"):
        try:
            return _check_text(data.decode(hint).encode("utf-8")), hint
        except UnicodeDecodeError:
            pass  # the hint is wrong for this file: detect as usual
    if _is_utf8(data):
        return _check_text(data), hinted or "utf-8"
    if _UTF8_MULTIBYTE.search(data):
        return _check_text(_decode_mixed(data)), "mixed: utf-8 and windows-1252 lines"
    # Not UTF-8: Windows-1252 (a superset of Latin-1 for printable text). The five bytes it
    # leaves undefined are taken as Latin-1 control characters rather than failing the file.
    return _check_text(data.decode("cp1252", errors="replace").encode("utf-8")), "windows-1252"


def _looks_like_utf16(data: bytes) -> bool:
    """ASCII text in UTF-16 (LE or BE): every other byte is NUL."""
    sample = data[:4096]
    return max(sample[0::2].count(0), sample[1::2].count(0)) > 0.9 * (len(sample) // 2)


def _decode_mixed(data: bytes) -> bytes:
    """UTF-8 bytes of a file mixing UTF-8 and Windows-1252 lines, decoded line by line."""
    out = []
    for line in data.splitlines(keepends=True):
        try:
            line.decode("utf-8")
            out.append(line)
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace").encode("utf-8"))
    return b"".join(out)


def _codec_name(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding.strip()).name
    except LookupError:
        return None


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        for start in range(0, len(data), _VALIDATE_CHUNK):
            decoder.decode(data[start : start + _VALIDATE_CHUNK], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


def _check_text(data: bytes) -> bytes:
    sample = data[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise UnreadableFile(
            "the file contains many control characters: it is binary, not CSV text"
        )
    return data


# --- text -> lines --------------------------------------------------------------------------


def split_lines(data: bytes) -> pl.Series:
    """Every physical line (without its line terminator) as a String Series, zero-copy split."""
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")  # CR-only line endings (old Mac Excel)
    buffer = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buffer == 10)
    ends = [np.zeros(1, dtype=np.int64), (newlines + 1).astype(np.int64)]
    if not data.endswith(b"\n"):
        ends.append(np.array([len(data)], dtype=np.int64))
    offsets = np.concatenate(ends)
    array = pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    )
    lines = pl.Series("text", array, dtype=pl.String)
    return lines.str.strip_suffix("\n").str.strip_suffix("\r")


# --- header ---------------------------------------------------------------------------------


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def sniff_delimiter(header_line: str, hint: str | None = None) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in DELIMITERS}
    if hint:
        hint = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(hint.lower(), hint)
        if counts.get(hint, header_line.count(hint)) > 0:
            return hint
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties: ; before , before tab
    if counts[best] == 0:
        other = max(OTHER_DELIMITERS, key=lambda d: _count_outside_quotes(header_line, d))
        if _count_outside_quotes(header_line, other) > 0:
            raise UnreadableFile(
                f"the header line is separated by {other!r}, which is not an accepted delimiter "
                "(; , or tab): export the file again with one of those"
            )
        raise UnreadableFile(
            "no delimiter (; , or tab) in the header line: "
            "the file has a single column or no header"
        )
    return best


def parse_header(header_line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([header_line], delimiter=delimiter, quotechar='"'), [])
    return [cell.strip().strip('"').strip() for cell in row]


def normalise_header(name: str) -> str:
    """Lower-cased, surrounding spaces, quotes and BOMs removed, inner whitespace collapsed."""
    name = name.replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"\s+", " ", name).lower()


# --- the whole file -------------------------------------------------------------------------


def read_text(
    data: bytes, *, encoding_hint: str | None = None, delimiter_hint: str | None = None
) -> CsvText:
    """Decode, split into lines, find the header and the delimiter, group lines into records."""
    utf8, encoding = decode(data, encoding_hint)
    lines = split_lines(utf8)
    del utf8
    header_index = _first_non_blank(lines, 0)
    if header_index is None:
        raise UnreadableFile("the file is empty")
    sep_line = re.fullmatch(r"\s*sep=(.)\s*", lines[header_index], flags=re.IGNORECASE)
    if sep_line:  # Excel's "sep=;" line
        delimiter_hint = sep_line.group(1)
        header_index = _first_non_blank(lines, header_index + 1)
        if header_index is None:
            raise UnreadableFile("the file has no header line")
    header_text = lines[header_index]
    if "\x00" in header_text:
        raise UnreadableFile("the header line contains NUL bytes: the file is binary or damaged")
    delimiter = sniff_delimiter(header_text, delimiter_hint)
    header = parse_header(header_text, delimiter)

    data_lines = lines.slice(header_index + 1)
    frame = pl.DataFrame(
        {
            "line_number": pl.int_range(
                header_index + 2, header_index + 2 + data_lines.len(), eager=True, dtype=pl.Int32
            ),
            "text": data_lines,
        }
    )
    has_quotes = bool(frame.select(pl.col("text").str.contains('"', literal=True).any()).item())
    if has_quotes:
        frame = _join_multiline_records(frame, delimiter, len(header))
    else:
        frame = frame.with_columns(odd_quotes=pl.lit(False))
    frame = frame.with_columns(nul=pl.col("text").str.contains("\x00", literal=True))
    # Blank lines at the end of the file are not records (a final newline, Excel padding).
    texts = frame.get_column("text")
    keep = frame.height
    while keep > 0 and not texts[keep - 1].strip():
        keep -= 1
    return CsvText(
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        header_line=header_index + 1,
        records=frame.slice(0, keep),
        has_quotes=has_quotes,
    )


def _first_non_blank(lines: pl.Series, start: int) -> int | None:
    for index in range(start, lines.len()):
        if lines[index].strip():
            return index
    return None


MAX_RECORD_LINES = 100
"""A quoted field may span at most this many lines; a quote left open longer is taken as a
broken line (quarantined as an unterminated quoted field), not as the start of a record that
swallows the rest of the file."""


def _join_multiline_records(frame: pl.DataFrame, delimiter: str, n_columns: int) -> pl.DataFrame:
    """Lines inside an open quoted field continue the record of the line that opened it.

    A line opens a multi-line field when it has an odd number of quotes and one of them starts
    a field (right after a delimiter or at the start, spaces allowed) and is not closed on the
    line; a stray quote inside an unquoted field (``12" scherm``) opens nothing. Inside a
    quoted field, quotes come in pairs, so the next line with an odd number of quotes closes
    it. Only the (few) lines with an odd number of quotes are looked at one by one.

    A line *between* the opening and the closing one that holds a whole record's worth of
    delimiters (``n_columns - 1`` or more, for files of 3+ columns) is a record, not the inside
    of a field: the quote is taken as unterminated rather than let swallow those records.
    """
    texts = frame.get_column("text")
    odd = (texts.str.count_matches('"', literal=True) % 2) == 1
    if not odd.any():
        return frame.with_columns(odd_quotes=pl.lit(False))
    odd_index = odd.arg_true().to_list()
    d = _regex_char(delimiter)
    opens = texts.gather(odd_index).str.contains(rf'(^|{d})\s*"(?:[^"]|"")*$').to_list()
    full = (texts.str.count_matches(delimiter, literal=True) >= n_columns - 1).to_numpy()
    if n_columns < 3:
        full[:] = False
    continuation = np.zeros(frame.height, dtype=bool)
    broken = np.zeros(frame.height, dtype=bool)
    k = 0
    while k < len(odd_index):
        start = odd_index[k]
        if not opens[k]:
            k += 1  # a stray quote: an ordinary line
            continue
        end = odd_index[k + 1] if k + 1 < len(odd_index) else None
        if end is not None and end - start < MAX_RECORD_LINES and not full[start + 1 : end].any():
            continuation[start + 1 : odd_index[k + 1] + 1] = True
            k += 2
        else:
            broken[start] = True
            k += 1
    frame = frame.with_columns(odd_quotes=pl.Series(broken))
    if not continuation.any():
        return frame
    return (
        frame.with_columns(_record=pl.Series(~continuation).cum_sum())
        .group_by("_record", maintain_order=True)
        .agg(
            pl.col("line_number").first(),
            pl.col("text").str.join("\n"),
            pl.col("odd_quotes").any(),
        )
        .drop("_record")
    )


# --- records -> fields ----------------------------------------------------------------------


def split_fields(
    records: pl.DataFrame, delimiter: str, n_columns: int, wanted: dict[str, int], has_quotes: bool
) -> pl.DataFrame:
    """Cut records into fields.

    Returns ``line_number``, ``n_fields`` (Int32), ``blank`` (Boolean: no content at all),
    ``odd_quotes``, ``nul`` and one String column per entry of ``wanted`` (canonical name -> column
    position), stripped, unquoted, empty markers left as delivered (see ``normalise.clean``).
    Only the wanted columns are materialised: personal and unknown columns never are.
    """
    if has_quotes:
        quoted = records.get_column("text").str.contains('"', literal=True)
        parts = [
            _fields(records.filter(~quoted), delimiter, n_columns, wanted, quoted=False),
            _fields(records.filter(quoted), delimiter, n_columns, wanted, quoted=True),
        ]
        return pl.concat(parts).sort("line_number")
    return _fields(records, delimiter, n_columns, wanted, quoted=False)


def _fields(
    records: pl.DataFrame, delimiter: str, n_columns: int, wanted: dict[str, int], *, quoted: bool
) -> pl.DataFrame:
    text = pl.col("text")
    d = _regex_char(delimiter)
    if quoted:
        pattern = rf'{d}(?:"(?:[^"]|"")*"|[^{d}]*)'
        fields = (pl.lit(delimiter) + text).str.extract_all(pattern)
    else:
        fields = text.str.split(delimiter)
    blank = ~text.str.contains(rf'[^{d}\s"]')
    frame = records.select(
        "line_number", "odd_quotes", "nul", blank.alias("blank"), fields.alias("_f")
    )
    lists = pl.col("_f").list
    frame = frame.select(
        "line_number",
        "odd_quotes",
        "nul",
        "blank",
        lists.len().cast(pl.Int32).alias("n_fields"),
        lists.last().alias("_last"),
        *[lists.get(i, null_on_oob=True).alias(name) for name, i in wanted.items()],
    )
    names = ["_last", *wanted]
    if quoted:  # each field still starts with its delimiter (kept by the pattern): drop it
        frame = frame.with_columns(pl.col(n).str.slice(1) for n in names)
    frame = frame.with_columns(pl.col(n).str.strip_chars() for n in names)
    if quoted:
        frame = frame.with_columns(_unquote(pl.col(n)).alias(n) for n in names)
    # A trailing delimiter on a data line (header without one) is tolerated.
    trailing = (pl.col("n_fields") == n_columns + 1) & (pl.col("_last") == "")
    return frame.select(
        "line_number",
        pl.when(trailing)
        .then(pl.lit(n_columns, dtype=pl.Int32))
        .otherwise(pl.col("n_fields"))
        .alias("n_fields"),
        "blank",
        "odd_quotes",
        "nul",
        *wanted,
    )


def _regex_char(char: str) -> str:
    return r"\t" if char == "\t" else re.escape(char)


def _unquote(field: pl.Expr) -> pl.Expr:
    """Remove the quotes around a quoted field and undouble the quotes inside it."""
    is_quoted = field.str.starts_with('"') & field.str.ends_with('"') & (field.str.len_chars() >= 2)
    inner = field.str.slice(1, field.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
    return pl.when(is_quoted).then(inner.str.strip_chars()).otherwise(field)
