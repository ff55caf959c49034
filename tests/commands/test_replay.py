"""`monitor replay`: the stable interface used for evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli, seed_article_record, write_jsonl

WIRE = ("Russia received a new shipment of North Korean artillery shells by rail through the Tumangang "
        "border crossing, officials in Seoul said, the third such delivery this month.")


def replay(tmp_path: Path, rows: list[dict[str, object]], *extra: str) -> list[dict[str, object]]:
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    res = run_cli("replay", str(src), "--output", str(out), *extra)
    assert res.returncode == 0, res.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def by_topic(record: dict[str, object]) -> dict[str, dict[str, object]]:
    return {m["topic"]: m for m in record["matches"]}  # type: ignore[index,union-attr]


def test_seed_article_alerts_on_both_topics(tmp_path: Path) -> None:
    record = seed_article_record()
    if record is None:
        pytest.skip("../shared/seeds is not present")
    (out,) = replay(tmp_path, [record])
    topics = by_topic(out)
    assert topics["dprk-russia"]["alert"] is True
    assert topics["arms-transfers"]["alert"] is True
    assert 0 < topics["dprk-russia"]["score"] <= 1


def test_output_one_line_per_input_in_order_with_the_stable_keys(tmp_path: Path) -> None:
    rows = [
        {"id": 7, "title": "North Korea ships artillery shells to Russia", "summary": f"<p>{WIRE}</p>",
         "published": "2024-01-10T08:00:00Z", "source": "Wire A", "language": "en",
         "url": "https://example.org/a?utm_source=x"},
        {"id": "b", "title": "Local bakery wins a prize for its sourdough", "published": "2024-01-10T08:05:00Z"},
        {"id": "c", "title": "North Korea ships artillery shells to Russia", "summary": WIRE,
         "published": "2024-01-10T08:10:00Z", "source": "Wire B", "url": "https://example.org/a"},
    ]
    out = replay(tmp_path, rows)
    assert [o["id"] for o in out] == [7, "b", "c"]
    for o in out:
        assert {"id", "duplicate_of", "story", "matches"} <= o.keys()
        for m in o["matches"]:
            assert {"topic", "score", "alert"} <= m.keys() and 0.0 <= m["score"] <= 1.0
    assert by_topic(out[0])["dprk-russia"]["alert"] is True
    assert not any(m["alert"] for m in out[1]["matches"])
    # the third is the same wire copy at the same canonical URL: a duplicate of the first
    assert out[2]["duplicate_of"] == 7
    assert out[2]["story"] == out[0]["story"]
    assert out[1]["story"] != out[0]["story"]


def test_unreadable_line_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "ok1", "title": "hello"}\nnot json at all\n{"title": "no id"}\n'
                   '{"id": "ok2", "title": "world"}\n', encoding="utf-8")
    out_path = tmp_path / "out.jsonl"
    res = run_cli("replay", str(src), "-o", str(out_path))
    assert res.returncode == 0
    out = [json.loads(x) for x in out_path.read_text().splitlines()]
    assert [o["id"] for o in out] == ["ok1", None, None, "ok2"]
    assert "in.jsonl:2" in out[1]["error"] and "in.jsonl:2" in res.stderr
    assert "in.jsonl:3" in out[2]["error"]


def test_replay_never_sends_and_keeps_state_only_with_db(tmp_path: Path) -> None:
    rows = [{"id": "x", "title": "North Korea ships artillery shells to Russia", "summary": WIRE,
             "published": "2024-01-10T08:00:00Z"}]
    db = tmp_path / "state.db"
    replay(tmp_path, rows, "--db", str(db))
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        states = [r[0] for r in conn.execute("SELECT state FROM alerts")]
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()
    assert stored == 1
    assert states == []  # nothing queued without --deliver, so no later run can send it
