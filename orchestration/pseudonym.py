"""Keyed pseudonyms (HMAC-SHA256) for BSNs and address keys.

The key comes from ``MONITOR_PSEUDONYM_KEY``. Only in demo mode (``MONITOR_DEMO=1``) may the
pipeline create its own key file under the data directory; it says so when it does. The key
itself is never logged or written to DuckDB.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from orchestration.settings import paths

log = logging.getLogger(__name__)

KEY_ENV = "MONITOR_PSEUDONYM_KEY"
DEMO_ENV = "MONITOR_DEMO"
PSEUDONYM_HEX_CHARS = 32


class MissingKeyError(RuntimeError):
    """Raised outside demo mode when no pseudonym key is configured."""


def demo_mode() -> bool:
    return os.environ.get(DEMO_ENV, "").strip().lower() in {"1", "true", "yes", "ja"}


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key: from the environment, or (demo mode only) from a generated key file."""
    configured = os.environ.get(KEY_ENV, "").strip()
    if configured:
        if len(configured) < 16:
            raise MissingKeyError(
                f"{KEY_ENV} is too short: use at least 16 characters (32+ random hex)"
            )
        return configured.encode("utf-8")
    if not demo_mode():
        raise MissingKeyError(
            f"No pseudonym key: set {KEY_ENV} (e.g. `export {KEY_ENV}=$(openssl rand -hex 32)`), "
            f"or set {DEMO_ENV}=1 to let the demo create its own key file. See docs/runbook.md."
        )
    key_file = key_file or paths().demo_key_file
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        key_file.chmod(0o600)
        log.warning("demo mode: created a new pseudonym key file at %s", key_file)
    return key_file.read_text(encoding="ascii").strip().encode("utf-8")


def pseudonymise(key: bytes, domain: str, value: str) -> str:
    digest = hmac.new(key, f"{domain}:{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:PSEUDONYM_HEX_CHARS]


def adres_sleutel(key: bytes, postcode: str, huisnummer: int) -> str:
    """Address key on normalised postcode (1234AB) and house number."""
    return pseudonymise(key, "pchn", f"{postcode}:{huisnummer}")


# --- which key the warehouse was built with -------------------------------------------------

KEY_TABLE = "audit.pseudonym_key"
"""One row: the fingerprint of the key the warehouse's pseudonyms were made with, and whether a
rotation to it is under way. Never the key itself."""


class KeyMismatchError(RuntimeError):
    """The configured key is not the key the warehouse was built with."""


KEY_MISMATCH = (
    f"{KEY_ENV} is not the key this warehouse's pseudonyms were made with: new rows would not "
    "link to the old ones. Restore the key, or rotate to the new one with "
    "`monitor rotate-key --confirm` (docs/runbook.md, 'Key management')."
)


def key_fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it: the key's own pseudonym of a fixed text."""
    return pseudonymise(key, "key-fingerprint", "vroegsignalering-buurtmonitor")


def _key_row(con) -> tuple[str, str] | None:
    con.execute("create schema if not exists audit")
    con.execute(
        f"create table if not exists {KEY_TABLE} "
        "(fingerprint VARCHAR not null, status VARCHAR not null)"
    )
    return con.execute(f"select fingerprint, status from {KEY_TABLE}").fetchone()


def record_key(con, key: bytes, status: str = "current") -> None:
    """Set the warehouse's key fingerprint (``current``, or ``rotating`` during a rotation)."""
    _key_row(con)
    con.execute(f"delete from {KEY_TABLE}")
    con.execute(f"insert into {KEY_TABLE} values (?, ?)", [key_fingerprint(key), status])


def check_warehouse_key(con, key: bytes) -> None:
    """Refuse to mix keys: every pseudonym of the warehouse must come from one key.

    The first ingestion records the key's fingerprint; later ones must use the same key. After
    a key change, ``monitor rotate-key --confirm`` re-keys the warehouse (docs/runbook.md).
    """
    row = _key_row(con)
    if row is None:
        record_key(con, key)
    elif row[0] != key_fingerprint(key):
        raise KeyMismatchError(KEY_MISMATCH)
