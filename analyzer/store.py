"""The store: what calfguard already knows about each file, in SQLite, so that a nightly run
reads only what is new or changed.

Two tables do the work:

- ``files``: one row per path seen: its size and ``mtime_ns`` when last read, the blake2b hash
  of its bytes, and a digest of the Strava metadata that came with it. Size and mtime decide
  whether a file must be looked at again (an unchanged file is never opened); the hash decides
  whether it is new (a renamed or touched file with known bytes is not parsed again).
- ``results``: keyed by (hash, metadata digest): the file's summaries as JSON (``codec``),
  without their path, or the reason it could not be read. Each row records the metrics version,
  the summary layout and the athlete-profile fingerprint it was computed with; summaries
  computed under others are stale and are recomputed. A read failure is kept until the file
  changes or calfguard's version does, so a broken file is not parsed every night;
  ``not_activity`` marks one that is a planned route or course (skipped, not unreadable), so
  that a warm run lists it as the cold run did.

``runs`` keeps the finding keys of the last completed run over each set of input paths, for
``--fail-on`` (new findings only); a team run (``team``) keeps each athlete's under
``athlete:<id>``, and in ``athletes`` what the athlete's reports were made from (a digest of
their files' stats and settings) and their line of the team overview, so that a rerun over
unchanged folders does not make them again. ``schema_migrations`` lists the named, ordered
migrations applied; each runs in its own transaction.

Safety: WAL journal; results are written in batches, one transaction each, so a run killed at
any moment leaves a consistent store that the next run completes. One run at a time: a lock
file beside the database (``flock``) is held for the whole run; a second run waits up to
``lock_timeout`` seconds, then gives up with ``StoreBusy``. The input folders are never
written to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from analyzer import __version__
from analyzer.errors import StoreBusy, StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite's own locking only
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "FileRow",
    "ResultRow",
    "Store",
    "default_db_path",
]

#: Written into the SQLite header: tells our store from any other SQLite file ("CalF").
APPLICATION_ID = 0x43616C46
DB_NAME = "store.sqlite3"
#: Results are committed at least this often (files, seconds): what a crash can lose.
BATCH_FILES = 32
BATCH_SECONDS = 1.0
#: A file modified this close to the moment it was read may change again within the same
#: mtime tick: its stat is not trusted next time (it is hashed again).
RACY_NS = 2_000_000_000
#: The size stored for such a file: no file has it, so the next run hashes the file again.
RACY_SIZE = -1

MIGRATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "0001_files_and_results",
        (
            f"PRAGMA application_id = {APPLICATION_ID}",
            """CREATE TABLE files (
                path TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                hash TEXT NOT NULL,
                meta TEXT NOT NULL
            )""",
            "CREATE INDEX files_hash ON files (hash)",
            """CREATE TABLE results (
                hash TEXT NOT NULL,
                meta TEXT NOT NULL,
                metrics_version INTEGER NOT NULL,
                layout TEXT NOT NULL,
                profile TEXT NOT NULL,
                calfguard_version TEXT NOT NULL,
                summaries TEXT,
                failure TEXT,
                PRIMARY KEY (hash, meta),
                CHECK ((summaries IS NULL) != (failure IS NULL))
            )""",
        ),
    ),
    (
        "0002_runs",
        (
            """CREATE TABLE runs (
                scope TEXT PRIMARY KEY,
                finished_at TEXT NOT NULL,
                findings TEXT NOT NULL
            )""",
        ),
    ),
    (
        "0003_not_activity",
        (
            "ALTER TABLE results ADD COLUMN not_activity INTEGER NOT NULL DEFAULT 0",
            # Failures stored before could not say whether a file was a route: each is read
            # again once (a stale version) rather than kept as unreadable.
            "UPDATE results SET calfguard_version = '' WHERE failure IS NOT NULL",
        ),
    ),
    (
        "0004_athletes",
        (
            # Whether a new file may be a stored one renamed is asked by its size, per batch
            # of files, rather than by loading every stored size (a team's store is large).
            "CREATE INDEX files_size ON files (size)",
            """CREATE TABLE athletes (
                id TEXT PRIMARY KEY,
                inputs TEXT NOT NULL,
                overview TEXT NOT NULL,
                finished_at TEXT NOT NULL
            )""",
        ),
    ),
    (
        "0005_files_by_mtime",
        (
            # A new file may be a stored one renamed only if a stored file has its size and
            # modification time (a rename keeps both). Asked by size alone, nearly every new
            # file of a large store matched some stored size and was loaded by the client.
            "DROP INDEX files_size",
            "CREATE INDEX files_mtime ON files (mtime_ns)",
        ),
    ),
)

#: Paths and modification times are looked up this many at a time (SQLite's bound on
#: parameters is 32766).
LOOKUP_CHUNK = 500


def default_db_path() -> Path:
    """The store in the user's cache folder (``~/.cache/calfguard/`` on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("calfguard") / DB_NAME


@dataclass(frozen=True, slots=True)
class FileRow:
    size: int
    mtime_ns: int
    hash: str
    meta: str


@dataclass(frozen=True, slots=True)
class ResultRow:
    hash: str
    meta: str
    metrics_version: int
    layout: str
    profile: str
    calfguard_version: str
    summaries: str | None  # JSON, or None for a file that could not be read
    failure: str | None  # the reason
    not_activity: bool = False  # the failure is a planned route or course (ReadFailure's)


class Store:
    """An open store, locked for this process. Use ``Store.open`` and close it (or ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: IO[bytes] | None) -> None:
        self.path = path
        self._conn = conn
        self._lock = lock
        self._files: list[tuple[str, int, int, str, str]] = []
        self._results: list[tuple[Any, ...]] = []
        self._forget: list[str] = []
        self._athletes: list[tuple[str, str, str, str]] = []
        self._since_commit = time.monotonic()

    # --- opening and closing --------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, lock_timeout: float = 30.0) -> Store:
        """Opens (creating if needed) the store at ``path``; waits up to ``lock_timeout``
        seconds for another run to finish. Raises ``StoreError`` (``StoreBusy``) with a
        message that says what to do."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(_unwritable(path, exc)) from exc
        lock = _acquire(path, lock_timeout)
        try:
            conn = _connect(path, lock_timeout)
            try:
                _check_and_migrate(conn, path)
            except BaseException:
                conn.close()
                raise
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        return cls(path, conn, lock)

    def close(self, *, commit: bool = True) -> None:
        """Writes what is pending (unless ``commit`` is false) and releases the lock."""
        try:
            if commit:
                self.commit()
        finally:
            self._conn.close()
            if self._lock is not None:
                self._lock.close()
                self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Results already gathered are kept even when the run is interrupted (Ctrl-C); not
        # when the store itself failed.
        self.close(commit=not isinstance(exc, StoreError))

    # --- reading --------------------------------------------------------------------------

    def file_index(self) -> dict[str, FileRow]:
        """Every path the store knows, with what it was when last read."""
        with _errors(self.path):
            rows = self._conn.execute("SELECT path, size, mtime_ns, hash, meta FROM files")
            return {path: FileRow(size, mtime, h, meta) for path, size, mtime, h, meta in rows}

    def file_rows(self, paths: Iterable[str]) -> dict[str, FileRow]:
        """What the store knows of these paths (paths it does not know are left out)."""
        out: dict[str, FileRow] = {}
        wanted = list(paths)
        with _errors(self.path):
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                rows = self._conn.execute(
                    "SELECT path, size, mtime_ns, hash, meta FROM files"
                    f" WHERE path IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                out.update((p, FileRow(size, mtime, h, meta)) for p, size, mtime, h, meta in rows)
        return out

    def stored_stats(self, mtimes_ns: Iterable[int]) -> set[tuple[int, int]]:
        """The (size, mtime_ns) of stored files with these modification times (size
        ``RACY_SIZE``: a file whose size is not trusted)."""
        out: set[tuple[int, int]] = set()
        wanted = sorted(set(mtimes_ns))
        with _errors(self.path):
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                rows = self._conn.execute(
                    "SELECT DISTINCT size, mtime_ns FROM files"
                    f" WHERE mtime_ns IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
                out.update((size, mtime) for size, mtime in rows)
        return out

    def athlete(self, athlete_id: str) -> tuple[str, str] | None:
        """What the athlete's last reports were made from, and their overview line (JSON)."""
        with _errors(self.path):
            row = self._conn.execute(
                "SELECT inputs, overview FROM athletes WHERE id = ?", (athlete_id,)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def results(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], ResultRow]:
        """The stored results for these (hash, metadata digest) keys; absent keys are left out."""
        wanted = set(keys)
        out: dict[tuple[str, str], ResultRow] = {}
        hashes = sorted({h for h, _ in wanted})
        with _errors(self.path):
            for start in range(0, len(hashes), LOOKUP_CHUNK):
                chunk = hashes[start : start + LOOKUP_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    "SELECT hash, meta, metrics_version, layout, profile, calfguard_version,"
                    f" summaries, failure, not_activity FROM results WHERE hash IN ({marks})",
                    chunk,
                )
                for content_hash, meta, metrics, layout, profile, version, *outcome in rows:
                    summaries, failure, not_activity = outcome
                    result = ResultRow(
                        content_hash, meta, metrics, layout, profile, version, summaries, failure,
                        bool(not_activity),
                    )  # fmt: skip
                    if (result.hash, result.meta) in wanted:
                        out[result.hash, result.meta] = result
        return out

    def paths_with_hash(self, content_hash: str) -> list[str]:
        with _errors(self.path):
            rows = self._conn.execute("SELECT path FROM files WHERE hash = ?", (content_hash,))
            return [path for (path,) in rows]

    def previous_findings(self, scope: str) -> dict[str, int] | None:
        """The finding keys (with their severity) of the last completed run over ``scope``."""
        with _errors(self.path):
            row = self._conn.execute(
                "SELECT findings FROM runs WHERE scope = ?", (scope,)
            ).fetchone()
        return None if row is None else {str(k): int(v) for k, v in json.loads(row[0]).items()}

    def counts(self) -> dict[str, int]:
        with _errors(self.path):
            return {
                "files": self._conn.execute("SELECT count(*) FROM files").fetchone()[0],
                "results": self._conn.execute("SELECT count(*) FROM results").fetchone()[0],
                "unreadable": self._conn.execute(
                    "SELECT count(*) FROM results WHERE failure IS NOT NULL AND NOT not_activity"
                ).fetchone()[0],
                "not_activities": self._conn.execute(
                    "SELECT count(*) FROM results WHERE not_activity"
                ).fetchone()[0],
                "runs": self._conn.execute("SELECT count(*) FROM runs").fetchone()[0],
                "athletes": self._conn.execute("SELECT count(*) FROM athletes").fetchone()[0],
            }

    def migrations(self) -> list[str]:
        with _errors(self.path):
            rows = self._conn.execute("SELECT name FROM schema_migrations ORDER BY name")
            return [name for (name,) in rows]

    # --- writing (batched) ----------------------------------------------------------------

    def put_file(self, path: str, size: int, mtime_ns: int, content_hash: str, meta: str) -> None:
        """Records what ``path`` was when read. A file modified moments before it was read
        gets a size no file has, so that next time it is hashed again rather than trusted."""
        if time.time_ns() - mtime_ns < RACY_NS:
            size = RACY_SIZE
        self._files.append((path, size, mtime_ns, content_hash, meta))
        self._maybe_commit()

    def put_result(self, result: ResultRow) -> None:
        self._results.append(
            (
                result.hash,
                result.meta,
                result.metrics_version,
                result.layout,
                result.profile,
                result.calfguard_version,
                result.summaries,
                result.failure,
                int(result.not_activity),
            )
        )
        self._maybe_commit()

    def forget_file(self, path: str) -> None:
        """Drops a path (a file renamed away)."""
        self._forget.append(path)
        self._maybe_commit()

    def record_findings(self, scope: str, findings: Mapping[str, int] | None) -> None:
        """Keeps a run's finding keys for the next run over ``scope`` (None forgets them)."""
        self.commit()
        with self._transaction():
            if findings is None:
                self._conn.execute("DELETE FROM runs WHERE scope = ?", (scope,))
                return
            self._conn.execute(
                "INSERT OR REPLACE INTO runs (scope, finished_at, findings) VALUES (?, ?, ?)",
                (scope, datetime.now(UTC).isoformat(), _findings_json(findings)),
            )

    def record_athlete(
        self, athlete_id: str, inputs: str, overview: str, findings: Mapping[str, int]
    ) -> None:
        """Keeps what an athlete's reports were made from, their overview line (JSON) and their
        findings (for the next run's new ones), written with the next batch of results."""
        self._athletes.append((athlete_id, inputs, overview, _findings_json(findings)))
        self._maybe_commit()

    def forget_athletes(self, previous: Mapping[str, Mapping[str, int] | None]) -> None:
        """Undoes a team run's record of these athletes: their previous findings back (None:
        none), and no record of what their reports were made from."""
        self.commit()
        with self._transaction():
            for athlete_id, findings in previous.items():
                self._conn.execute("DELETE FROM athletes WHERE id = ?", (athlete_id,))
                if findings is None:
                    self._conn.execute(
                        "DELETE FROM runs WHERE scope = ?", (athlete_scope(athlete_id),)
                    )
                else:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO runs (scope, finished_at, findings)"
                        " VALUES (?, ?, ?)",
                        (athlete_scope(athlete_id), datetime.now(UTC).isoformat(),
                         _findings_json(findings)),
                    )  # fmt: skip

    def commit(self) -> None:
        """Writes everything pending in one transaction."""
        if self._files or self._results or self._forget or self._athletes:
            now = datetime.now(UTC).isoformat()
            with self._transaction():
                self._conn.executemany(
                    "INSERT OR REPLACE INTO athletes (id, inputs, overview, finished_at)"
                    " VALUES (?, ?, ?, ?)",
                    [(a, inputs, overview, now) for a, inputs, overview, _ in self._athletes],
                )
                self._conn.executemany(
                    "INSERT OR REPLACE INTO runs (scope, finished_at, findings) VALUES (?, ?, ?)",
                    [(athlete_scope(a), now, keys) for a, _, _, keys in self._athletes],
                )
                self._conn.executemany(
                    "INSERT OR REPLACE INTO results (hash, meta, metrics_version, layout,"
                    " profile, calfguard_version, summaries, failure, not_activity)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._results,
                )
                self._conn.executemany(
                    "DELETE FROM files WHERE path = ?", [(p,) for p in self._forget]
                )
                self._conn.executemany(
                    "INSERT OR REPLACE INTO files (path, size, mtime_ns, hash, meta)"
                    " VALUES (?, ?, ?, ?, ?)",
                    self._files,
                )
            self._files.clear()
            self._results.clear()
            self._forget.clear()
            self._athletes.clear()
        self._since_commit = time.monotonic()

    def _maybe_commit(self) -> None:
        pending = len(self._files) + len(self._results) + len(self._athletes)
        if pending >= BATCH_FILES or time.monotonic() - self._since_commit >= BATCH_SECONDS:
            self.commit()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with _errors(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                # Some errors (a full disk) end the transaction in SQLite already.
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


# --- opening: lock, connection, identity, migrations -----------------------------------------


def athlete_scope(athlete_id: str) -> str:
    """The ``runs`` scope of an athlete's findings in a team run."""
    return f"athlete:{athlete_id}"


def _findings_json(findings: Mapping[str, int]) -> str:
    return json.dumps(dict(sorted(findings.items())))


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _acquire(db: Path, timeout_s: float) -> IO[bytes] | None:
    if fcntl is None:  # pragma: no cover
        return None
    try:
        handle = open(lock_path(db), "ab")  # noqa: SIM115 - held until Store.close
    except OSError as exc:
        raise StoreError(_unwritable(db, exc)) from exc
    deadline = time.monotonic() + max(timeout_s, 0.0)
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise StoreBusy(
                    f"another calfguard run is using the store {db} (waited {timeout_s:g} s); "
                    "try again when it has finished, raise --lock-timeout, or use --db "
                    "elsewhere or --no-cache"
                ) from None
            time.sleep(0.05)
        except OSError as exc:  # a file system without locks
            handle.close()
            raise StoreError(f"cannot lock the store {db}: {exc.strerror or exc}") from exc


def _connect(path: Path, timeout_s: float) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=max(timeout_s, 0.1), isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(_unwritable(path, exc)) from exc
    try:
        with _errors(path):
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def _check_and_migrate(conn: sqlite3.Connection, path: Path) -> None:
    with _errors(path):
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    # Not ours: marked by another program, or unmarked with tables (a store whose first
    # migration failed has only its empty schema_migrations table).
    if app_id != APPLICATION_ID and (app_id != 0 or tables - {"schema_migrations"}):
        raise StoreError(
            f"{path} is an SQLite database, but not a calfguard store; use --db with another "
            "path, or `calfguard cache rebuild --force` to replace it"
        )
    names = [name for name, _ in MIGRATIONS]
    with _errors(path):
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        applied = {name for (name,) in conn.execute("SELECT name FROM schema_migrations")}
    newer = sorted(applied - set(names))
    if newer:
        raise StoreError(
            f"the store {path} was written by a newer calfguard (migration {newer[0]}); "
            "upgrade calfguard, use --db elsewhere, or `calfguard cache rebuild`"
        )
    for name, statements in MIGRATIONS:
        if name in applied:
            continue
        with _errors(path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have applied it while we waited for the write lock.
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
                ).fetchone()
                if done is None:
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                        (name, datetime.now(UTC).isoformat()),
                    )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


@contextlib.contextmanager
def _errors(path: Path) -> Iterator[None]:
    """SQLite's errors as ``StoreError`` with what to do about them."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            raise StoreError(_unwritable(path, exc)) from exc
        if "locked" in text or "busy" in text:
            raise StoreBusy(f"the store {path} is busy: {text}") from exc
        if "full" in text:  # SQLITE_FULL: the disk (or a size limit) is full, the store is fine
            raise StoreError(
                f"the store {path} cannot grow: {text}; free some space, or use --db on another "
                "disk, or --no-cache to keep nothing"
            ) from exc
        raise StoreError(f"the store {path} cannot be used: {text}; {_WAY_OUT}") from exc
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed", ...
        raise StoreError(f"the store {path} is damaged ({exc}); {_WAY_OUT}") from exc


_WAY_OUT = "`calfguard cache rebuild` replaces it, or use --db elsewhere or --no-cache"


def _unwritable(path: Path, exc: BaseException) -> str:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return (
        f"cannot write the store at {path}: {reason}; use --db with a writable path, or "
        "--no-cache to keep nothing"
    )


# --- rebuilding --------------------------------------------------------------------------------


def rebuild(path: Path, *, force: bool = False, lock_timeout: float = 30.0) -> Store:
    """Deletes the store at ``path`` (damaged or not) and creates an empty one. A file that is
    a healthy SQLite database of another program is only deleted with ``force``."""
    path = Path(path)
    if path.exists() and not force and _foreign(path):
        raise StoreError(
            f"{path} is an SQLite database of another program; not deleting it without --force"
        )
    lock = _acquire(path, lock_timeout) if path.parent.is_dir() else None
    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                path.with_name(path.name + suffix).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise StoreError(_unwritable(path, exc)) from exc
    finally:
        if lock is not None:
            lock.close()
    return Store.open(path, lock_timeout)


def _foreign(path: Path) -> bool:
    """A readable SQLite database with tables, not marked as ours."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error:
        return False  # damaged or not SQLite at all: fair to replace
    finally:
        conn.close()
    return bool(app_id != APPLICATION_ID and tables)


def digest_paths(paths: Sequence[str | os.PathLike[str]]) -> str:
    """The scope of a run (for ``--fail-on``): its input paths, absolute and sorted."""
    text = "\n".join(sorted(os.path.abspath(p) for p in paths))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


CALFGUARD_VERSION = __version__
