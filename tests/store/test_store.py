"""The SQLite store itself: migrations, identity, damage, locking, batched writes."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer import store as store_module
from analyzer.errors import StoreBusy, StoreError
from analyzer.store import MIGRATIONS, ResultRow, Store, rebuild
from tests.store.helpers import ROOT


def result(
    content_hash: str, summaries: str | None = "[]", failure: str | None = None
) -> ResultRow:
    return ResultRow(content_hash, "", 2, "layout", "profile", "0.1.0", summaries, failure)


def put_old_result(db: Path, row: ResultRow) -> None:
    """A result as the first migration's table holds it (the code of today writes more)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (row.hash, row.meta, row.metrics_version, row.layout, row.profile,
             row.calfguard_version, row.summaries, row.failure),
        )  # fmt: skip
    conn.close()


def test_a_new_store_applies_every_migration_once_in_order(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "store.sqlite3"
    with Store.open(db) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
    conn = sqlite3.connect(db)
    names = [n for (n,) in conn.execute("SELECT name FROM schema_migrations ORDER BY rowid")]
    assert names == sorted(names) == [name for name, _ in MIGRATIONS]
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Store.open(db) as store:  # opening again applies nothing
        assert store.migrations() == [name for name, _ in MIGRATIONS]


def test_a_store_of_an_older_version_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:1])
    with Store.open(db) as store:
        assert store.migrations() == [MIGRATIONS[0][0]]
    put_old_result(db, result("h1"))
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store.open(db) as store:
        assert store.migrations() == [name for name, _ in MIGRATIONS]
        assert set(store.results([("h1", "")])) == {("h1", "")}  # data kept
        store.record_findings("scope", {"rule|2026-01-01|": 2})  # the new table works


def test_failures_stored_before_routes_were_told_apart_are_read_again_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A route stored as a plain failure would come back as unreadable on every warm run (the
    version check does not see it: same calfguard); the migration makes such rows stale."""
    db = tmp_path / "store.sqlite3"
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:2])
    Store.open(db).close()
    put_old_result(db, result("route", None, "GPX track without timestamps"))
    put_old_result(db, result("run"))
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store.open(db) as store:
        rows = store.results([("route", ""), ("run", "")])
        assert rows["route", ""].calfguard_version == ""  # stale: parsed again next run
        assert rows["route", ""].not_activity is False
        assert rows["run", ""].calfguard_version == "0.1.0"  # summaries are kept


def test_a_failing_migration_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    broken = (*MIGRATIONS, ("0099_broken", ("CREATE TABLE half (x)", "THIS IS NOT SQL")))
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with pytest.raises(StoreError):
        Store.open(db)
    conn = sqlite3.connect(db)
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    applied = {n for (n,) in conn.execute("SELECT name FROM schema_migrations")}
    conn.close()
    assert "half" not in tables and "0099_broken" not in applied
    assert applied == {name for name, _ in MIGRATIONS}


def test_a_store_from_a_newer_calfguard_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES ('9999_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer calfguard"):
        Store.open(db)


def test_results_and_failures_round_trip_through_batches(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    with Store.open(db) as store:
        for i in range(store_module.BATCH_FILES * 2 + 3):
            store.put_result(result(f"h{i}"))
            store.put_file(f"/data/{i}.fit", 100 + i, 1_000_000_000, f"h{i}", "")
        store.put_result(result("bad", None, "empty file"))
        route = result("route", None, "FIT course file: a planned route, nothing was recorded")
        store.put_result(dataclasses.replace(route, not_activity=True))
    with Store.open(db) as store:
        index = store.file_index()
        assert len(index) == store_module.BATCH_FILES * 2 + 3
        assert index["/data/7.fit"].size == 107 and index["/data/7.fit"].hash == "h7"
        rows = store.results([("h7", ""), ("bad", ""), ("missing", ""), ("h8", "other")])
        assert set(rows) == {("h7", ""), ("bad", "")}
        assert rows["bad", ""].failure == "empty file" and rows["bad", ""].summaries is None
        assert rows["bad", ""].not_activity is False
        assert store.results([("route", "")])["route", ""].not_activity is True
        assert store.counts()["unreadable"] == 1 and store.counts()["not_activities"] == 1


def test_a_file_modified_just_before_it_was_read_is_not_trusted_next_time(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    with Store.open(db) as store:
        store.put_file("/data/new.fit", 100, time.time_ns(), "h", "")
        store.put_file("/data/old.fit", 100, time.time_ns() - 10**10, "h", "")
    with Store.open(db) as store:
        index = store.file_index()
    assert index["/data/new.fit"].size == -1  # no file has that size: hashed again
    assert index["/data/old.fit"].size == 100


def test_the_previous_runs_findings_are_kept_per_scope(tmp_path: Path) -> None:
    with Store.open(tmp_path / "store.sqlite3") as store:
        assert store.previous_findings("a") is None
        store.record_findings("a", {"k1": 2, "k2": 3})
        store.record_findings("b", {})
        store.record_findings("a", {"k3": 1})
        assert store.previous_findings("a") == {"k3": 1}
        assert store.previous_findings("b") == {}


def test_garbage_at_the_db_path_is_reported_with_the_way_out(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    db.write_bytes(b"this is not a database, just some bytes " * 200)
    with pytest.raises(StoreError, match="damaged") as caught:
        Store.open(db)
    assert "calfguard cache rebuild" in str(caught.value)
    rebuild(db).close()  # the way out: an empty, working store
    with Store.open(db) as store:
        assert store.counts()["files"] == 0


def test_a_foreign_sqlite_database_is_not_used_nor_deleted_without_force(tmp_path: Path) -> None:
    db = tmp_path / "photos.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a calfguard store"):
        Store.open(db)
    with pytest.raises(StoreError, match="--force"):
        rebuild(db)
    assert db.exists()
    rebuild(db, force=True).close()
    with Store.open(db) as store:
        assert store.counts()["files"] == 0


def test_an_unwritable_location_says_so(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(StoreError, match="cannot write the store"):
        Store.open(not_a_folder / "store.sqlite3")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_cache_folder_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"cannot write the store.*--no-cache"):
            Store.open(folder / "store.sqlite3")
    finally:
        folder.chmod(0o700)


def test_a_second_opener_waits_then_gives_up(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    with Store.open(db):
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="another calfguard run"):
            Store.open(db, lock_timeout=0.3)
        assert 0.25 <= time.monotonic() - started < 3
    Store.open(db, lock_timeout=0).close()  # released on close


HOLD = """
import sys, time
from pathlib import Path
from analyzer.store import Store
store = Store.open(Path(sys.argv[1]))
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
store.close()
"""


def test_the_lock_holds_across_processes_and_dies_with_its_holder(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), "60"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(StoreBusy):
                Store.open(db, lock_timeout=0.2)
            holder.kill()  # SIGKILL: the kernel releases the lock
            holder.wait()
            with Store.open(db, lock_timeout=5) as store:
                assert store.counts()["files"] == 0
        finally:
            holder.kill()


def test_a_store_whose_first_migration_failed_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.sqlite3"
    broken = (("0001_broken", ("CREATE TABLE files (x)", "NOT SQL")),)
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with pytest.raises(StoreError):
        Store.open(db)
    monkeypatch.setattr(store_module, "MIGRATIONS", MIGRATIONS)
    with Store.open(db) as store:  # not mistaken for another program's database
        assert store.migrations() == [name for name, _ in MIGRATIONS]


def test_a_full_disk_says_so_and_keeps_what_was_committed(tmp_path: Path) -> None:
    """SQLite's size limit gives the same SQLITE_FULL error a full disk gives."""
    db = tmp_path / "store.sqlite3"
    with Store.open(db) as store:
        store.put_result(result("kept"))
    full = pytest.raises(StoreError, match="cannot grow: database or disk is full; free some")
    with full, Store.open(db) as store:
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        for i in range(200):
            store.put_result(result(f"h{i}", None, "x" * 2000))
    with Store.open(db) as store:
        assert set(store.results([("kept", ""), ("h0", "")])) == {("kept", "")}
