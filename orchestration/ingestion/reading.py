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

A delivered file is read as a stream (:class:`CsvStream`): what is decided for the whole
file (binary or text, the encoding, CR-only line ends) in a first pass of 1 MiB blocks, then
records a block at a time (blocks cut at line breaks; lines of a quoted field that is still
open carried to the next block), with the same records and line numbers as reading the whole
file at once (:func:`read_text`, for bytes already in memory). Memory is about two blocks
(``BLOCK_BYTES``, 16 MiB, or what the caller asks) plus the caller's chunk, whatever the
file's size; a UTF-16 file is the exception (decoded whole; rare and small).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl
import pyarrow as pa

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}
OTHER_DELIMITERS = ("|", "^", "~")
"""Delimiters seen in the wild but not accepted: named in the error message."""


class UnreadableFile(Exception):
    """The file cannot be read at all; the message names what is wrong (no file content)."""


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
_UTF8_SEQUENCES = ((0xC2, 0xDF, 1), (0xE0, 0xEF, 2), (0xF0, 0xF4, 3))
"""UTF-8 multi-byte sequences: lead bytes (lowest, highest) and how many continuation bytes
(``0x80``-``0xBF``) follow."""


def has_utf8_multibyte(data: bytes) -> bool:
    """Whether ``data`` holds a UTF-8 multi-byte sequence (a lead byte followed by its
    continuation bytes) anywhere. Vectorised: a regular expression took over a second on a
    50 MB Windows-1252 file, whose accented letters are lead bytes without continuation."""
    a = np.frombuffer(data, dtype=np.uint8)
    leads = np.flatnonzero(a >= 0xC2)
    lead_bytes = a[leads]
    for lowest, highest, follow in _UTF8_SEQUENCES:
        starts = leads[(lead_bytes >= lowest) & (lead_bytes <= highest) & (leads + follow < a.size)]
        complete = np.ones(starts.size, dtype=bool)
        for offset in range(1, follow + 1):
            following = a[starts + offset]
            complete &= (following >= 0x80) & (following <= 0xBF)
        if complete.any():
            return True
    return False


def decode(data: bytes, encoding_hint: str | None = None) -> tuple[bytes, str]:
    """UTF-8 bytes (without BOM) and the name of the encoding the file was in."""
    facts = _survey(iter([data]), encoding_hint)
    mode, encoding = _encoding(data, facts, encoding_hint)
    if mode == "utf-16":
        return _check_text(_decode_utf16(data)), encoding
    return _check_text(_decode_block(_strip_bom(data), mode)), encoding


@dataclass
class _Survey:
    """What decides a file's encoding and whether it is text at all, gathered in one pass."""

    size: int = 0
    nul_bytes: int = 0
    content: bool = False
    """Something else than whitespace."""
    line_feed: bool = False
    utf8: bool = True
    """Valid UTF-8 (a UTF-8 BOM allowed)."""
    multibyte: bool = False
    """Holds a UTF-8 multi-byte sequence."""
    hint_ok: bool = False
    """Decodes with the registry's (non UTF-8) encoding hint."""


def _survey(blocks: Iterator[bytes], encoding_hint: str | None) -> _Survey:
    """Whole-file facts from a stream of blocks cut anywhere (memory: one block)."""
    facts = _Survey()
    utf8 = codecs.getincrementaldecoder("utf-8")("strict")
    hint = _non_utf8_hint(encoding_hint)
    hinted = codecs.getincrementaldecoder(hint)("strict") if hint else None
    facts.hint_ok = hinted is not None
    tail = b""
    for index, block in enumerate(blocks):
        facts.size += len(block)
        facts.nul_bytes += block.count(0)
        facts.content = facts.content or bool(block.strip())
        facts.line_feed = facts.line_feed or b"\n" in block
        if index == 0:
            block = _strip_bom(block)
        if not block:
            continue
        if facts.utf8:
            facts.utf8 = _decodes(utf8, block)
        if facts.hint_ok:
            facts.hint_ok = _decodes(hinted, block)
        if not facts.multibyte and np.frombuffer(block, dtype=np.uint8).max() >= 0x80:
            # a sequence is at most 4 bytes: one cut by the block boundary is in tail + block
            facts.multibyte = has_utf8_multibyte(tail + block)
        tail = (tail + block)[-3:]  # a block may be shorter than a sequence
    facts.utf8 = facts.utf8 and _decodes(utf8, b"", final=True)
    facts.hint_ok = facts.hint_ok and _decodes(hinted, b"", final=True)
    return facts


def _decodes(decoder: codecs.IncrementalDecoder, block: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(block, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _non_utf8_hint(encoding_hint: str | None) -> str | None:
    hint = _codec_name(encoding_hint)
    return hint if hint not in (None, "utf-8", "utf-8-sig") else None


def _strip_bom(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


def _encoding(start: bytes, facts: _Survey, encoding_hint: str | None) -> tuple[str, str]:
    """How to decode the file (a codec name, ``mixed`` or ``utf-16``) and the name of the
    encoding it is in, from its first bytes and :func:`_survey`; refuses what is no text."""
    if not facts.size:
        raise UnreadableFile("the file is empty (0 bytes)")
    if not facts.content:
        raise UnreadableFile("the file is empty: it holds only whitespace and blank lines")
    for magic, what in _MAGIC:
        if start.startswith(magic):
            raise UnreadableFile(f"the file is {what}")
    lowered = start[:64].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    for prefixes, what in _MARKUP:
        if lowered.startswith(prefixes):
            raise UnreadableFile(f"the file is {what}")
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    if facts.nul_bytes > max(MAX_NUL_BYTES, facts.size // 1000):
        if _looks_like_utf16(start):
            raise UnreadableFile(
                "the file looks like UTF-16 text without a byte order mark: save it as UTF-8 "
                "(or as Unicode text with a byte order mark)"
            )
        raise UnreadableFile(
            f"the file contains {facts.nul_bytes} NUL bytes: it is binary, not CSV text"
        )
    hint = _non_utf8_hint(encoding_hint)
    if hint and facts.hint_ok:
        return hint, hint
    if facts.utf8:
        return "utf-8", "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
    if facts.multibyte:
        return "mixed", "mixed: utf-8 and windows-1252 lines"
    # Not UTF-8: Windows-1252 (a superset of Latin-1 for printable text). The five bytes it
    # leaves undefined are taken as Latin-1 control characters rather than failing the file.
    return "windows-1252", "windows-1252"


def _decode_utf16(data: bytes) -> bytes:
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile("the file has a UTF-16 byte order mark but is not UTF-16") from error


def _decode_block(data: bytes, mode: str) -> bytes:
    """UTF-8 bytes of whole lines of the file (BOM removed), decoded as :func:`_encoding` says.

    Decoding line by line (``mixed``) gives the same text as decoding the whole file would
    for a UTF-8 or a Windows-1252 file, so cutting the file at line breaks changes nothing.
    """
    if mode == "utf-8":
        return data
    if mode == "mixed":
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            return _decode_mixed(data)
    if mode == "windows-1252":
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data.decode(mode).encode("utf-8")


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


_CONTROL = re.compile(rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]")


def _check_text(data: bytes) -> bytes:
    sample = data[:65536]
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise UnreadableFile(
            "the file contains many control characters: it is binary, not CSV text"
        )
    return data


# --- text -> lines --------------------------------------------------------------------------


def split_lines(data: bytes, cr_only: bool | None = None) -> pl.Series:
    """Every physical line (without its line terminator) as a String Series, zero-copy split.

    ``cr_only``: the file has no line feed (old Mac Excel ends lines with CR only); by
    default decided from ``data``."""
    if cr_only is None:
        cr_only = b"\n" not in data
    if cr_only and b"\r" in data:
        data = data.replace(b"\r", b"\n")
    buffer = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buffer == 10)
    ends = [np.zeros(1, dtype=np.int64), (newlines + 1).astype(np.int64)]
    if not data.endswith(b"\n"):
        ends.append(np.array([len(data)], dtype=np.int64))
    offsets = np.concatenate(ends)
    array = pa.LargeStringArray.from_buffers(
        len(offsets) - 1, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    )
    lines = pl.Series("text", array, dtype=pl.String).str.strip_suffix("\n")
    if b"\r" in data:  # only CRLF files have one to strip (the pass costs a quarter of the split)
        lines = lines.str.strip_suffix("\r")
    return lines


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


# --- the file as a stream -------------------------------------------------------------------

BLOCK_BYTES = 16 << 20
"""Default size of the blocks a file is read in (see :class:`CsvStream`)."""
START_BYTES = 1 << 16
"""The first block holds at least this much (and the header line): binary files and the
header are recognised on it."""
SURVEY_BYTES = 1 << 20


class Blocks(Protocol):
    """Opens a file's bytes: given a size, yields its bytes in blocks of at most that size.

    ``verify=False`` asks for a pass whose bytes a later pass checks anyway (the survey's, see
    :class:`CsvStream`): a delivered file then skips its SHA-256, most of such a pass's time."""

    def __call__(self, size: int, *, verify: bool = True) -> Iterator[bytes]: ...


class CsvStream:
    """A delivered file read in blocks: header at once, records as they are read.

    Two passes over the bytes, each holding about one block: :func:`_survey` decides what is
    a whole-file property (binary or text, the encoding, LF or CR-only line ends; its pass is
    not verified, the second pass checks that the bytes are the delivered ones); then the
    file is cut after the last line break of each block of ``block_bytes`` (a line is at most
    ``max_line_bytes``, :mod:`.deliveries`), decoded (a UTF-8 and a Windows-1252 line decode
    alike in any block; a file of mixed lines is decoded line by line anyway) and split into
    lines. Lines that may still belong to a record of the next block are carried over to it:
    those from a line that opens a quoted field not yet closed (:data:`MAX_RECORD_LINES` at
    most), and blank lines at the block's end (a file's trailing blank lines are no records).
    So the records, their line numbers and their checks are those of the whole file read at
    once, and memory is bounded by the block and the consumer's chunk, not the file.

    A UTF-16 file (with BOM, Excel's "Unicode text"; rare) is decoded whole: a line break is
    two bytes there and the file is small.

    :attr:`complete`: the whole file was in the first block, so :attr:`last` (the last
    record) is known before :meth:`records` is read; otherwise after.
    """

    def __init__(
        self,
        open_blocks: Blocks,
        *,
        encoding_hint: str | None = None,
        delimiter_hint: str | None = None,
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        facts = _survey(open_blocks(SURVEY_BYTES, verify=False), encoding_hint)
        self._cr_only: bool | None = not facts.line_feed
        blocks = _line_blocks(
            open_blocks(block_bytes), START_BYTES, b"\r" if self._cr_only else b"\n"
        )
        first = next(blocks, b"")
        self._mode, self.encoding = _encoding(first, facts, encoding_hint)
        if self._mode == "utf-16":
            self._cr_only = None
            first = b"".join([first, *blocks])
            text = _decode_utf16(first)
        else:
            text = _decode_block(_strip_bom(first), self._mode)
        self.complete = len(first) == facts.size
        self._blocks = blocks
        lines = split_lines(_check_text(text), self._cr_only)
        del text
        header_index, lines = self._header(lines, delimiter_hint)
        self.header_line = header_index + 1
        self._next_line = lines.len() + 1
        self.last: pl.DataFrame | None = None
        """The last record read so far (``line_number``, ``text``, ``odd_quotes``, ``nul``)."""
        self._first, self._carry = self._settle(
            _numbered(lines.slice(header_index + 1), header_index + 2), final=self.complete
        )
        if self._first.height:
            self.last = self._first.tail(1)

    def _header(self, lines: pl.Series, delimiter_hint: str | None) -> tuple[int, pl.Series]:
        """The header line's index (lines are read on until it is there) and the lines."""
        index, lines = self._non_blank(lines, 0, "the file is empty")
        sep_line = re.fullmatch(r"\s*sep=(.)\s*", lines[index], flags=re.IGNORECASE)
        if sep_line:  # Excel's "sep=;" line
            delimiter_hint = sep_line.group(1)
            index, lines = self._non_blank(lines, index + 1, "the file has no header line")
        header_text = lines[index]
        if "\x00" in header_text:
            raise UnreadableFile(
                "the header line contains NUL bytes: the file is binary or damaged"
            )
        self.delimiter = sniff_delimiter(header_text, delimiter_hint)
        self.header = parse_header(header_text, self.delimiter)
        """Header cells as delivered (unquoted, stripped); see :func:`normalise_header`."""
        return index, lines

    def _non_blank(self, lines: pl.Series, start: int, error: str) -> tuple[int, pl.Series]:
        while (index := _first_non_blank(lines, start)) is None:
            block = next(self._blocks, None)
            if block is None:
                raise UnreadableFile(error)
            lines = pl.concat([lines, self._lines(block)])
        return index, lines

    def _lines(self, block: bytes) -> pl.Series:
        return split_lines(_decode_block(block, self._mode), self._cr_only)

    def records(self) -> Iterator[pl.DataFrame]:
        """The data records in file order, a block at a time: ``line_number`` (Int32),
        ``text`` (String), ``odd_quotes`` (Boolean: an unterminated quoted field), ``nul``
        (Boolean: the record holds a NUL byte). Trailing blank lines are not records. A
        frame may be empty; the last one ends the file."""
        yield self._seen(self._first)
        del self._first
        for block in self._blocks:
            lines = self._lines(block)
            frame = pl.concat([self._carry, _numbered(lines, self._next_line)])
            self._next_line += lines.len()
            del lines
            records, self._carry = self._settle(frame, final=False)
            del frame
            yield self._seen(records)
        records, self._carry = self._settle(self._carry, final=True)
        yield self._seen(records)

    def _seen(self, records: pl.DataFrame) -> pl.DataFrame:
        if records.height:
            self.last = records.tail(1)
        return records

    def _settle(self, frame: pl.DataFrame, *, final: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The records of ``frame``'s lines, and the lines to carry to the next block."""
        if frame.height and has_quotes(frame):
            records, keep = _join_multiline_records(frame, self.delimiter, len(self.header), final)
        else:
            records, keep = frame.with_columns(odd_quotes=pl.lit(False)), frame.height
        if keep == frame.height:
            # Blank lines at the end of the file are not records (a final newline, Excel
            # padding); at the end of a block they wait for what follows.
            texts = frame.get_column("text")
            while keep > 0 and not texts[keep - 1].strip():
                keep -= 1
        if keep < frame.height:
            line = frame.get_column("line_number")[keep]
            records = records.filter(pl.col("line_number") < line)
        records = records.with_columns(nul=pl.col("text").str.contains("\x00", literal=True))
        return records, frame.slice(keep)


def _numbered(lines: pl.Series, first: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "line_number": pl.int_range(first, first + lines.len(), eager=True, dtype=pl.Int32),
            "text": lines,
        }
    )


def _line_blocks(blocks: Iterator[bytes], first_bytes: int, line_break: bytes) -> Iterator[bytes]:
    """The bytes again, in blocks that end right after a line break (the last one at the end
    of the file); the first block holds at least ``first_bytes`` when the file does."""
    pending = bytearray()
    want = first_bytes
    for block in blocks:
        pending += block
        if len(pending) < want:
            continue
        cut = pending.rfind(line_break) + 1
        if cut:
            yield bytes(pending[:cut])
            del pending[:cut]
            want = 0
    if pending:
        yield bytes(pending)


@dataclass
class CsvText:
    """A delivered file after decoding and line splitting, all records at once."""

    encoding: str
    delimiter: str
    header: list[str]
    """Header cells as delivered (unquoted, stripped); see :func:`normalise_header`."""
    header_line: int
    records: pl.DataFrame
    """Data records, as :meth:`CsvStream.records` yields them."""
    has_quotes: bool


def read_text(
    data: bytes, *, encoding_hint: str | None = None, delimiter_hint: str | None = None
) -> CsvText:
    """A file's bytes in memory read at once (:class:`CsvStream` over one block)."""

    def blocks(size: int, *, verify: bool = True) -> Iterator[bytes]:
        return iter([data])

    stream = CsvStream(blocks, encoding_hint=encoding_hint, delimiter_hint=delimiter_hint)
    records = pl.concat(stream.records())
    return CsvText(
        encoding=stream.encoding,
        delimiter=stream.delimiter,
        header=stream.header,
        header_line=stream.header_line,
        records=records,
        has_quotes=has_quotes(records),
    )


def has_quotes(records: pl.DataFrame) -> bool:
    """Whether any record holds a quote (then fields are cut the slow way)."""
    return bool(records.select(pl.col("text").str.contains('"', literal=True).any()).item())


def _first_non_blank(lines: pl.Series, start: int) -> int | None:
    for index in range(start, lines.len()):
        if lines[index].strip():
            return index
    return None


MAX_RECORD_LINES = 100
"""A quoted field may span at most this many lines; a quote left open longer is taken as a
broken line (quarantined as an unterminated quoted field), not as the start of a record that
swallows the rest of the file."""


def _join_multiline_records(
    frame: pl.DataFrame, delimiter: str, n_columns: int, final: bool = True
) -> tuple[pl.DataFrame, int]:
    """Lines inside an open quoted field continue the record of the line that opened it.

    A line opens a multi-line field when it has an odd number of quotes and one of them starts
    a field (right after a delimiter or at the start, spaces allowed) and is not closed on the
    line; a stray quote inside an unquoted field (``12" scherm``) opens nothing. Inside a
    quoted field, quotes come in pairs, so the next line with an odd number of quotes closes
    it. Only the (few) lines with an odd number of quotes are looked at one by one.

    A line *between* the opening and the closing one that holds a whole record's worth of
    delimiters (``n_columns - 1`` or more, for files of 3+ columns) is a record, not the inside
    of a field: the quote is taken as unterminated rather than let swallow those records.

    Returns the records and how many of the lines they hold: all of them when ``final``
    (the lines end the file), else those before a quoted field that lines to come may
    still close (the caller carries these lines over to the next block).
    """
    texts = frame.get_column("text")
    odd = (texts.str.count_matches('"', literal=True) % 2) == 1
    keep = frame.height
    if not odd.any():
        return frame.with_columns(odd_quotes=pl.lit(False)), keep
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
        if (
            end is None
            and not final
            and keep - start < MAX_RECORD_LINES
            and not full[start + 1 :].any()
        ):
            keep = start  # lines to come may close it
            break
        if end is not None and end - start < MAX_RECORD_LINES and not full[start + 1 : end].any():
            continuation[start + 1 : odd_index[k + 1] + 1] = True
            k += 2
        else:
            broken[start] = True
            k += 1
    frame = frame.with_columns(odd_quotes=pl.Series(broken)).slice(0, keep)
    if not continuation.any():
        return frame, keep
    records = (
        frame.with_columns(_record=pl.Series(~continuation[:keep]).cum_sum())
        .group_by("_record", maintain_order=True)
        .agg(
            pl.col("line_number").first(),
            pl.col("text").str.join("\n"),
            pl.col("odd_quotes").any(),
        )
        .drop("_record")
    )
    return records, keep


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
