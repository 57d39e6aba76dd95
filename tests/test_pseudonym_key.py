"""The pseudonym key: its format, `monitor keygen`, the scrypt fingerprint (and the migration of
the old one), and the check that fails a run once, at its start, when the key is not usable."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from orchestration.assets.ingest import ingest_assets
from orchestration.assets.key import PSEUDONYM_KEY_ASSET, pseudonym_key
from orchestration.partitions import partition_key_for_quarter
from orchestration.pseudonym import (
    KEY_MISMATCH,
    KEY_TABLE,
    KeyMismatchError,
    MissingKeyError,
    WeakKeyError,
    check_warehouse_key,
    fingerprint_matches,
    key_fingerprint,
    key_problem,
    legacy_key_fingerprint,
    load_key,
    new_key,
    record_key,
    validate_key,
)
from orchestration.resources import MonitorResource

from .conftest import BIN, REPO, monitor_env

QUARTER = "2026Q3"
KEY = "9d2f7c41a08e5b36c1f4e7a29b0d83c65e1a7f4b28c93d06a5e8b1f27c4d9e03"
OTHER = "e6b8139a2f0c74d5b91e3a6c08f27d4b5a9c1e3f70d26b84c5a1f9e3b7d02c68"


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("MONITOR_DEMO", raising=False)


# --- the format ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaaaaaaaaaa",  # 16 characters, the old minimum
        "amsterdam2026!!!",  # a password
        "Amsterdam2026Amsterdam2026Amsterdam2026",  # long, but a phrase
        "a" * 64,  # hex, no randomness
        "deadbeef" * 8,  # a repeated block, few digits
        "0123456789abcdef" * 2,  # every digit, but a pattern
        "9d2f7c41a08e5b36c1f4e7a29b0d83c",  # 31 hex characters: 124 bits
        "9d2f 7c41 a08e 5b36 c1f4 e7a2 9b0d 83c6",  # spaces inside
    ],
)
def test_keys_without_128_random_bits_are_refused(weak: str, no_key, monkeypatch) -> None:
    assert key_problem(weak) is not None
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", weak)
    with pytest.raises(WeakKeyError) as refused:
        load_key()
    message = str(refused.value)
    assert "monitor keygen" in message and "128" in message
    assert weak not in message  # the refused key is not repeated in logs


def test_proper_keys_are_accepted(no_key, monkeypatch) -> None:
    for key in (new_key(), new_key()[:32], KEY.upper(), "  " + KEY + "\n"):
        monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", key)
        assert load_key() == key.strip().encode()  # the key's text, as given, is the HMAC key


def test_no_key_outside_demo_mode_names_the_fix(no_key, tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError) as refused:
        load_key(tmp_path / "demo.key")
    assert "No pseudonym key: set MONITOR_PSEUDONYM_KEY" in str(refused.value)
    assert "monitor keygen" in str(refused.value)
    assert not (tmp_path / "demo.key").exists()


def test_the_demo_key_file_is_a_proper_key_only_its_owner_reads(no_key, monkeypatch, tmp_path):
    monkeypatch.setenv("MONITOR_DEMO", "1")
    key_file = tmp_path / "data" / "demo_pseudonym.key"
    old = os.umask(0)
    try:
        key = load_key(key_file)
    finally:
        os.umask(old)
    assert key_problem(key.decode()) is None and len(key) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.parent.stat().st_mode & 0o777 == 0o700
    assert load_key(key_file) == key  # made once, then reused


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_keygen_prints_a_new_key_or_writes_a_file_only_its_owner_reads(tmp_path, umask) -> None:
    def keygen(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "monitor"), "keygen", *args],
            cwd=REPO,
            env=monitor_env(tmp_path / "data"),
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.umask(umask),
            check=False,
        )

    printed = {keygen().stdout.strip() for _ in range(2)}
    assert len(printed) == 2 and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in printed)
    assert all(key_problem(k) is None for k in printed)
    out = tmp_path / "new.key"
    assert keygen("--out", str(out)).returncode == 0
    assert re.fullmatch(r"[0-9a-f]{64}\n", out.read_text())
    assert out.stat().st_mode & 0o777 == 0o600
    again = keygen("--out", str(out))
    assert again.returncode == 1 and "not overwritten" in again.stderr


# --- the fingerprint -------------------------------------------------------------------------


def test_the_fingerprint_is_salted_scrypt_and_recognises_only_its_key() -> None:
    first, second = key_fingerprint(KEY.encode()), key_fingerprint(KEY.encode())
    assert first != second  # a random salt each time
    for fingerprint in (first, second):
        scheme, cost, salt, digest = fingerprint.split("$")
        assert (scheme, cost) == ("scrypt", "n=32768,r=8,p=1")
        assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
        assert fingerprint_matches(fingerprint, KEY.encode())
        assert not fingerprint_matches(fingerprint, OTHER.encode())
    tampered = first.replace("n=32768", "n=16384")
    assert not fingerprint_matches(tampered, KEY.encode())


def test_one_guess_costs_a_memory_hard_kdf_evaluation() -> None:
    """What an attacker with the stored fingerprint must compute per guessed key: the stored
    digest equals scrypt(key, salt, n=2**15, r=8, p=1), not a fast hash."""
    import hashlib

    _, _, salt, digest = key_fingerprint(KEY.encode()).split("$")
    expected = hashlib.scrypt(
        KEY.encode(), salt=bytes.fromhex(salt), n=2**15, r=8, p=1, maxmem=2**26, dklen=32
    )
    assert digest == expected.hex()
    assert digest != legacy_key_fingerprint(KEY.encode())


def _warehouse_with(fingerprint: str, status: str = "current"):
    con = duckdb.connect()
    con.execute("create schema audit")
    con.execute(f"create table {KEY_TABLE} (fingerprint VARCHAR not null, status VARCHAR not null)")
    con.execute(f"insert into {KEY_TABLE} values (?, ?)", [fingerprint, status])
    return con


@pytest.mark.parametrize("status", ["current", "rotating"])
def test_an_old_fingerprint_is_verified_once_and_replaced(status: str) -> None:
    con = _warehouse_with(legacy_key_fingerprint(KEY.encode()), status)
    check_warehouse_key(con, KEY.encode())
    ((fingerprint, kept),) = con.execute(f"select * from {KEY_TABLE}").fetchall()
    assert kept == status
    assert fingerprint.startswith("scrypt$") and fingerprint_matches(fingerprint, KEY.encode())
    check_warehouse_key(con, KEY.encode())  # the new one is accepted as it is
    assert con.execute(f"select fingerprint from {KEY_TABLE}").fetchall() == [(fingerprint,)]


def test_an_old_fingerprint_of_another_key_is_refused_and_kept() -> None:
    legacy = legacy_key_fingerprint(KEY.encode())
    con = _warehouse_with(legacy)
    with pytest.raises(KeyMismatchError):
        check_warehouse_key(con, OTHER.encode())
    assert con.execute(f"select * from {KEY_TABLE}").fetchall() == [(legacy, "current")]


# --- once, at the start of the run -----------------------------------------------------------


def _ingest_run(data_dir: Path):
    """The ingest stage of the quarterly job, in process: the key check and every source."""
    with DagsterInstance.ephemeral() as instance:
        return materialize(
            [pseudonym_key, *ingest_assets],
            partition_key=partition_key_for_quarter(QUARTER),
            resources={"monitor": MonitorResource(data_dir=str(data_dir))},
            instance=instance,
            raise_on_error=False,
        )


def _failures(result) -> dict[str, str]:
    return {
        e.step_key: e.step_failure_data.user_failure_data.description
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    }


def _started(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}


KEY_STEP = PSEUDONYM_KEY_ASSET.to_python_identifier()


@pytest.mark.parametrize(
    ("key", "said"),
    [
        (None, "No pseudonym key: set MONITOR_PSEUDONYM_KEY"),
        ("amsterdam2026!!!", "is not a usable pseudonym key"),
    ],
)
def test_a_missing_or_weak_key_fails_one_step_with_the_fix(
    key, said, no_key, monkeypatch, tmp_path
) -> None:
    if key:
        monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", key)
    result = _ingest_run(tmp_path / "data")
    assert not result.success
    failures = _failures(result)
    assert list(failures) == [KEY_STEP]
    assert said in failures[KEY_STEP] and "monitor keygen" in failures[KEY_STEP]
    assert _started(result) == {KEY_STEP}  # no source starts without a usable key
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_another_key_than_the_warehouses_fails_one_step(no_key, monkeypatch, tmp_path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        check_warehouse_key(con, OTHER.encode())
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)
    result = _ingest_run(data_dir)
    assert _failures(result) == {KEY_STEP: KEY_MISMATCH}
    assert _started(result) == {KEY_STEP}


def test_the_ui_after_monitor_demo_runs_in_demo_mode(no_key, monkeypatch, tmp_path) -> None:
    """`monitor ui` on a data directory `monitor demo` made (a warehouse built with the demo's
    key file beside it) passes demo mode to the UI's runs, and their key check passes; the key
    file alone, a warehouse of another key, MONITOR_DEMO=0 or a configured key do not."""
    from orchestration.cli import _ui_key_mode

    data_dir = tmp_path / "data"
    key_file = data_dir / "demo_pseudonym.key"
    monkeypatch.setenv("MONITOR_DATA_DIR", str(data_dir))
    assert _ui_key_mode() == {}  # no key, no demo: the operator is warned instead
    monkeypatch.setenv("MONITOR_DEMO", "1")
    load_key(key_file)  # the demo's key file ...
    monkeypatch.delenv("MONITOR_DEMO")
    assert _ui_key_mode() == {}  # ... alone: no warehouse was built with it
    monkeypatch.setenv("MONITOR_DEMO", "1")
    assert _ingest_run(data_dir).success  # ... and a warehouse of it, as `monitor demo` leaves
    monkeypatch.delenv("MONITOR_DEMO")
    mode = _ui_key_mode()
    assert mode == {"MONITOR_DEMO": "1"}
    monkeypatch.setenv("MONITOR_DEMO", mode["MONITOR_DEMO"])
    result = _ingest_run(data_dir)
    assert _failures(result) == {} and result.success
    monkeypatch.setenv("MONITOR_DEMO", "0")  # switched off on purpose
    assert _ui_key_mode() == {}
    monkeypatch.delenv("MONITOR_DEMO")
    monkeypatch.setenv("MONITOR_PSEUDONYM_KEY", KEY)  # a configured key wins over the demo
    assert _ui_key_mode() == {}
    monkeypatch.delenv("MONITOR_PSEUDONYM_KEY")
    key_file.write_text(new_key() + "\n")  # not the key the warehouse was built with
    assert _ui_key_mode() == {}


def test_a_run_after_monitor_demo_takes_the_demo_key_and_says_so(tmp_path) -> None:
    """`monitor run` on a data directory `monitor demo` made (no key configured, no
    MONITOR_DEMO) runs in demo mode as the UI does, and says so; a data directory with the
    demo's key file but no warehouse built with it is refused at the key check: real
    deliveries are never pseudonymised with a key kept beside them."""
    not_demo = {"MONITOR_DEMO": ""}  # the suite's runs are in demo mode; a user's are not
    run = [str(BIN / "monitor"), "run", "--quarter", "2026Q3"]
    demo_dir, plain_dir = tmp_path / "demo" / "data", tmp_path / "plain" / "data"
    for data_dir in (demo_dir, plain_dir):
        data_dir.mkdir(parents=True)
        (data_dir / "demo_pseudonym.key").write_text(new_key() + "\n")
    demo_key = (demo_dir / "demo_pseudonym.key").read_text().strip()
    with duckdb.connect(str(demo_dir / "warehouse.duckdb")) as con:
        record_key(con, validate_key(demo_key))  # what `monitor demo`'s first run records

    result = subprocess.run(
        run, cwd=REPO, env=monitor_env(demo_dir, **not_demo), capture_output=True, text=True
    )
    said = (
        f"demo installation (its warehouse was built with {demo_dir / 'demo_pseudonym.key'}, "
        "made by `monitor demo`): the run goes in demo mode (MONITOR_DEMO=1)"
    )
    assert said in result.stdout, result.stdout + result.stderr
    assert "2026Q3: nothing to run: no landing folder" in result.stdout  # past the key check
    assert "No pseudonym key" not in result.stderr, result.stderr

    result = subprocess.run(
        run, cwd=REPO, env=monitor_env(plain_dir, **not_demo), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "No pseudonym key: set MONITOR_PSEUDONYM_KEY" in result.stderr, result.stderr
    assert "demo installation" not in result.stdout
