"""`monitor browse`: the state database in Datasette, with canned queries and full-text search.

Datasette is an optional extra (`pip install datasette`); it opens the file read-only, so
the daemon can keep running. Full-text search is an FTS5 index over
articles(title, summary, content) built once by `ensure_fts`; triggers keep it current.
The table search box takes FTS5 syntax as is (`searchmode: raw`): prefixes, phrases,
AND/OR/NOT. SIGTERM, SIGINT and SIGHUP sent to `monitor browse` are passed on to
Datasette, which runs in its own process group, and the temporary folder is removed.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from monitor.state.reports import CANNED_QUERIES
from monitor.state.store import Store

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ("title", "summary", "content")
# unicode61 folds case in every script and drops diacritics from Latin letters (é = e; the
# Cyrillic й stays). Chinese/Japanese text without spaces indexes as one long token per run,
# so a word inside a run is not found: use `monitor stories` or a LIKE filter for those.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

# after a forwarded signal, Datasette gets this long to exit before it is killed
STOP_GRACE_SECONDS = 10.0
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

INSTALL_HINT = (
    "monitor browse needs Datasette, an optional extra:\n"
    "  pip install datasette            (into the same environment as media-monitor)\n"
    "  pip install 'media-monitor[browse]'"
)


def fts_exists(store: Store) -> bool:
    return store.db[FTS_TABLE].exists()


def ensure_fts(store: Store) -> bool:
    """Create the FTS5 index and its triggers if missing; True when it was built now.

    Building reads every stored article once (a few seconds per 100,000 articles; see
    docs/operations.md) and holds the write lock meanwhile.
    """
    if fts_exists(store):
        return False
    before = _max_rowid(store)
    store.db["articles"].enable_fts(
        list(FTS_COLUMNS), fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZE
    )
    # enable_fts populates, then adds triggers: a row written by another process in between
    # would be missing, so rebuild from the table in that (rare) case.
    if _max_rowid(store) != before:
        rebuild_fts(store)
    return True


def rebuild_fts(store: Store) -> bool:
    """Rebuild the index from the articles table; needed after VACUUM, which may renumber rowids."""
    if not fts_exists(store):
        return False
    store.db["articles"].rebuild_fts()
    return True


def _max_rowid(store: Store) -> int:
    return next(iter(store.db.query("SELECT coalesce(max(rowid), 0) AS n FROM articles")))["n"]


def metadata(database_name: str) -> dict[str, Any]:
    """Datasette metadata: titles, canned queries and the FTS link for the articles table."""
    return {
        "title": "media-monitor",
        "description": "The state of the media-monitor daemon (read-only).",
        "databases": {
            database_name: {
                "queries": {
                    q.name: {"sql": q.sql.strip(), "title": q.title, "description": q.description}
                    for q in CANNED_QUERIES
                },
                "tables": {
                    # raw: the search box takes prefixes (оруж*), phrases and AND/OR/NOT;
                    # Datasette's default quotes every word, which turns them into literals
                    "articles": {"fts_table": FTS_TABLE, "fts_pk": "rowid", "sort_desc": "fetched",
                                 "searchmode": "raw"},
                    "alerts": {"sort_desc": "id"},
                    "stories": {"sort_desc": "last_seen"},
                },
            }
        },
    }


def datasette_available() -> bool:
    return importlib.util.find_spec("datasette") is not None


def datasette_command(
    db_path: Path,
    metadata_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    open_browser: bool = False,
    extra: list[str] | None = None,
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    if open_browser:
        cmd.append("--open")
    return cmd + list(extra or [])


def browse(
    db_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    open_browser: bool = False,
    extra: list[str] | None = None,
) -> int:
    """Build the FTS index if needed, then run Datasette until it exits; its exit code.

    1 with an install hint on stderr when Datasette is not installed.
    """
    if not datasette_available():
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    store = Store(db_path)
    try:
        if ensure_fts(store):
            print(f"built the full-text index over {FTS_TABLE}", file=sys.stderr)
    finally:
        store.close()
    with tempfile.TemporaryDirectory(prefix="media-monitor-browse-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(
            json.dumps(metadata(Path(db_path).stem), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        cmd = datasette_command(
            Path(db_path), meta, host=host, port=port, open_browser=open_browser, extra=extra
        )
        return run_forwarding_signals(cmd)


def run_forwarding_signals(cmd: Sequence[str], grace: float = STOP_GRACE_SECONDS) -> int:
    """Run `cmd` until it exits, passing SIGTERM, SIGINT and SIGHUP on to it; its exit code.

    The child gets its own process group, so a Ctrl-C at the terminal reaches it once,
    through us. A child that outlives a forwarded signal by `grace` seconds is killed.
    Stopped by a signal, the result is 0 (the operator asked for it)."""
    proc = subprocess.Popen(list(cmd), process_group=0)
    received: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if proc.poll() is None:
            proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        deadline: float | None = None
        while proc.poll() is None:
            if received and deadline is None:
                deadline = time.monotonic() + grace
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
            try:
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:  # an exception of our own: never leave it behind
            proc.kill()
            proc.wait()
    return 0 if received else proc.returncode
