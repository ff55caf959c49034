"""Dedup preparation in a worker process: same decisions, and a dead worker loses nothing."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import demo_config, run_cli, write_jsonl

from monitor.stories.dedup import DedupInput, StoryIndex
from monitor.stories.dedup_worker import PrepareWorker

T0 = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)
WIRE = (
    "Russia received a new shipment of North Korean artillery shells by rail through the Tumangang "
    "border crossing, officials in Seoul said, the third such delivery this month. {n} wagons were seen."
)


def stream(count: int) -> list[DedupInput]:
    """Originals, exact and near copies, story siblings and edits, in a fixed mix."""
    items: list[DedupInput] = []
    for n in range(count):
        base = items[n // 3] if items else None
        kind = n % 5
        published = T0 + timedelta(minutes=10 * n)
        if base is None or kind == 0:
            text = WIRE.format(n=n) + f" Shipment number {n} of the year, case {n * 7}."
            items.append(DedupInput(f"a{n}", f"https://a.example/{n}", f"g{n}", f"Shells {n}", text, "A", "en",
                                    published, frozenset({"north_korea", "russia", "artillery"})))
        elif kind == 1:  # exact copy elsewhere, tracking parameters
            items.append(DedupInput(f"a{n}", f"https://b.example/{n}?utm_source=x", None, base.title, base.text,
                                    "B", "en", published, base.features))
        elif kind == 2:  # near copy
            items.append(DedupInput(f"a{n}", f"https://c.example/{n}", None, "Re: " + base.title,
                                    base.text.replace("officials", "sources"), "C", "en", published, base.features))
        elif kind == 3:  # other text, same event features
            items.append(DedupInput(f"a{n}", f"https://d.example/{n}", None, f"Lieferung {n}",
                                    f"Nordkorea liefert Granaten an Russland, Fall {n * 7}.", "D", "de", published,
                                    base.features))
        else:  # edit of an earlier article
            items.append(DedupInput(base.article_id, base.url, base.guid, base.title + " (updated)", base.text,
                                    base.source, base.language, base.published, base.features))
    return items


def batches(items: list[DedupInput], size: int) -> list[tuple[list[DedupInput], list[datetime]]]:
    return [
        (items[i : i + size], [T0 + timedelta(minutes=10 * k) for k in range(i, min(i + size, len(items)))])
        for i in range(0, len(items), size)
    ]


def test_prepared_in_the_worker_the_index_decides_the_same() -> None:
    items = stream(120)
    plain, helped = StoryIndex(), StoryIndex()
    expected = [d for chunk, nows in batches(items, 16) for d in plain.observe_batch(chunk, nows)]
    with PrepareWorker(helped.prepare_settings) as worker:
        got = [d for chunk, nows, prepared in worker.ahead(batches(items, 16))
               for d in helped.observe_batch(chunk, nows, prepared)]
        assert worker.active
    assert got == expected
    assert {d.kind for d in got} == {"new", "exact", "near", "story"}
    assert helped.sizes() == plain.sizes()


def test_a_killed_worker_falls_back_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    items = stream(60)
    plain, helped = StoryIndex(), StoryIndex()
    expected = [d for chunk, nows in batches(items, 10) for d in plain.observe_batch(chunk, nows)]
    got = []
    with caplog.at_level(logging.ERROR, logger="monitor.stories.dedup_worker"), PrepareWorker(helped.prepare_settings) as worker:
        for n, (chunk, nows, prepared) in enumerate(worker.ahead(batches(items, 10))):
            if n == 1:  # a real crash: the worker process is killed while batches are in flight
                assert worker.pid is not None
                os.kill(worker.pid, signal.SIGKILL)
            got += helped.observe_batch(chunk, nows, prepared)
        assert not worker.active
    assert got == expected  # no article lost or decided differently
    failures = [r for r in caplog.records if "dedup worker process failed" in r.getMessage()]
    assert len(failures) == 1  # said once, not per batch


def test_a_stuck_worker_is_given_up_and_killed(caplog: pytest.LogCaptureFixture) -> None:
    items = stream(40)
    plain, helped = StoryIndex(), StoryIndex()
    expected = [d for chunk, nows in batches(items, 10) for d in plain.observe_batch(chunk, nows)]
    got = []
    with caplog.at_level(logging.ERROR, logger="monitor.stories.dedup_worker"), \
            PrepareWorker(helped.prepare_settings, timeout=1.0) as worker:
        worker.collect(worker.submit(items[:1]), items[:1])  # started
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # frozen, as by a debugger or a swapping machine
        for chunk, nows, prepared in worker.ahead(batches(items, 10)):
            got += helped.observe_batch(chunk, nows, prepared)
        assert not worker.active
        assert worker.pid is None
        assert _dead(pid)  # killed, not left stopped behind
    assert got == expected
    failures = [r.getMessage() for r in caplog.records if "dedup worker process failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].endswith("no answer within 1 s")  # the timeout has no message of its own


def _dead(pid: int, wait: float = 10.0) -> bool:
    """Is the process gone or a zombie? Read from /proc, not from `Process.is_alive`, which
    can say "alive" when another waiter in this process reaped the child first."""
    deadline = time.monotonic() + wait
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_collect_checks_the_batch_it_gets_back() -> None:
    items = stream(8)
    index = StoryIndex()
    with PrepareWorker(index.prepare_settings) as worker:
        future = worker.submit(items[:3])
        prepared = worker.collect(future, items)  # a mismatch: prepared here instead
        assert not worker.active
    assert len(prepared) == len(items)
    assert [p.identity for p in prepared] == [p.identity for p in index.prepare(items)]


def test_replay_with_the_worker_prints_what_it_prints_without(tmp_path: Path) -> None:
    rows = [
        {"id": n, "title": f"North Korea ships artillery shells to Russia ({n % 3})",
         "summary": WIRE.format(n=n % 3), "published": f"2024-01-10T08:{n:02d}:00Z",
         "source": f"Outlet {n}", "language": "en", "url": f"https://example.org/{n % 4}?utm_source=x"}
        for n in range(12)
    ]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    outputs = []
    for worker in ("false", "true"):
        folder = tmp_path / worker
        folder.mkdir()
        config = demo_config(folder)
        text = config.read_text(encoding="utf-8")
        assert "prepare_worker = false\n" in text
        config.write_text(text.replace("prepare_worker = false\n", f"prepare_worker = {worker}\n"), encoding="utf-8")
        out = folder / "out.jsonl"
        res = run_cli("--config", str(config), "replay", str(src), "--output", str(out))
        assert res.returncode == 0, res.stderr
        outputs.append([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
    assert outputs[0] == outputs[1]
    assert len({o["story"] for o in outputs[0]}) < len(rows)  # copies were grouped


def test_warm_up_with_the_worker_rebuilds_the_same_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor import pipeline
    from monitor.app import load_config_and_rules, open_runtime

    rows = [
        {"id": n, "title": f"North Korea ships artillery shells to Russia ({n % 4})",
         "summary": WIRE.format(n=n % 4), "published": f"2024-01-10T08:{n:02d}:00Z",
         "source": f"Outlet {n}", "language": "en", "url": f"https://example.org/{n}"}
        for n in range(23)
    ]
    config_path = demo_config(tmp_path)
    db = tmp_path / "state.db"
    res = run_cli("--config", str(config_path), "replay", str(write_jsonl(tmp_path / "in.jsonl", rows)),
                  "--output", str(tmp_path / "out.jsonl"), "--db", str(db))
    assert res.returncode == 0, res.stderr
    monkeypatch.setattr(pipeline, "WARM_UP_BATCH", 5)  # several batches: one prepared ahead
    config, ruleset = load_config_and_rules(str(config_path))
    rebuilt = []
    for with_worker in (False, True):
        rt = open_runtime(config, ruleset, db_path=db, train=False)
        try:
            if with_worker:
                rt.pipeline.worker = PrepareWorker(rt.pipeline.index.prepare_settings)
            restart = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
            assert rt.pipeline.warm_up(rt.store, restart) == len(rows)
            index = rt.pipeline.index
            stories = {s for s in (index.story_stats(f"{n}") for n in range(len(rows))) if s is not None}
            rebuilt.append((index.sizes(), stories))
            if with_worker:
                assert rt.pipeline.worker is not None and rt.pipeline.worker.active
        finally:
            rt.close()
    assert rebuilt[0] == rebuilt[1]
    assert rebuilt[0][0]["articles"] == len(rows)
    assert rebuilt[0][1], "no story found by the ids the replay gave"


def test_an_error_in_the_worker_is_logged_and_the_batch_is_prepared_here(caplog: pytest.LogCaptureFixture) -> None:
    good = stream(4)
    # A bad timestamp (a caller's bug): preparing it fails in the worker and here alike.
    bad = [DedupInput("x", "https://x.example/1", None, "t", WIRE, "X", "en", "yesterday")]  # type: ignore[arg-type]
    index = StoryIndex()
    with pytest.raises(Exception) as here:
        index.prepare(bad)
    with caplog.at_level(logging.ERROR, logger="monitor.stories.dedup_worker"), PrepareWorker(index.prepare_settings) as worker:
        assert len(worker.collect(worker.submit(good), good)) == len(good)
        with pytest.raises(here.type):
            worker.collect(worker.submit(bad), bad)  # the same error as without a worker
        assert not worker.active
        assert len(worker.collect(worker.submit(good), good)) == len(good)  # prepared here now
    failures = [r.getMessage() for r in caplog.records if "dedup worker process failed" in r.getMessage()]
    assert len(failures) == 1 and here.type.__name__ in failures[0]  # the worker's error, named
