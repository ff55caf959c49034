"""`monitor replay`: every stage after fetch, on a JSON-lines file of articles.

Stable interface (relied on for evaluation). Input: one JSON object per line with
`id` and `title`, optionally `url`, `summary` (may hold HTML), `content` (or `text`),
`published` (ISO 8601), `source`, `language`; other fields are ignored. Output: one
JSON object per input line, in input order:

    {"id": ..., "duplicate_of": <id or null>, "story": <story id>,
     "matches": [{"topic": ..., "score": <0..1>, "alert": <bool>, ...}]}

`matches` lists every loaded topic. Each article's `published` time stands in for
"now", so time windows behave as they would live; an undated article takes the time
of the article before it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from monitor.ingest.htmltext import html_to_text
from monitor.models import Article
from monitor.pipeline import Pipeline, Processed
from monitor.relevance.text import content_hash

log = logging.getLogger(__name__)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
BATCH = 512


@dataclass(frozen=True)
class ReplayLine:
    """One input line: the article, or why it could not be read."""

    line: int
    raw_id: Any
    article: Article | None
    error: str = ""


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def article_from_json(obj: dict[str, Any], fallback_now: datetime) -> Article:
    if "id" not in obj or obj["id"] is None:
        raise ValueError("missing `id`")
    title = obj.get("title") or ""
    if not isinstance(title, str):
        raise ValueError("`title` must be a string")
    summary = html_to_text(str(obj.get("summary") or ""))
    content = html_to_text(str(obj.get("content") or obj.get("text") or ""))
    published = parse_time(obj.get("published"))
    url = str(obj.get("url") or "")
    aid = str(obj["id"])
    return Article(
        id=aid, feed="", url=url, guid=aid, title=html_to_text(title), summary=summary, content=content,
        language=(obj.get("language") or None), published=published,
        fetched=published or fallback_now, content_hash=content_hash(title, content or summary),
        source=str(obj.get("source") or ""), published_is_guess=published is None,
    )


def read_lines(stream: IO[str], name: str) -> Iterator[ReplayLine]:
    now = EPOCH
    for no, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        obj: Any = None
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            article = article_from_json(obj, now)
        except (ValueError, TypeError) as e:
            raw_id = obj.get("id") if isinstance(obj, dict) else None
            log.error("%s:%d: skipped: %s", name, no, e)
            yield ReplayLine(no, raw_id, None, f"{name}:{no}: {e}")
            continue
        now = article.published or now
        yield ReplayLine(no, obj["id"], article)


def output_record(line: ReplayLine, processed: Processed | None, ids: dict[str, Any]) -> dict[str, Any]:
    if processed is None:
        return {"id": line.raw_id, "duplicate_of": None, "story": None, "matches": [], "error": line.error}
    d = processed.decision
    return {
        "id": line.raw_id,
        "duplicate_of": ids.get(d.duplicate_of, d.duplicate_of) if d.duplicate_of else None,
        "story": ids.get(d.story, d.story),
        "dedup": d.kind,
        "language": processed.article.language,
        "matches": [
            {
                "topic": m.topic,
                "score": round(m.score, 4),
                "alert": m.alert,
                "keyword_score": round(m.keyword.score, 4),
                "keyword_matched": m.keyword.matched,
                "probability": None if m.probability is None else round(m.probability, 4),
                "terms": sorted({e.term for e in m.keyword.evidence})[:20],
                "reason": m.reason,
            }
            for m in processed.matches
        ],
    }


def replay(pipeline: Pipeline, lines: Iterable[ReplayLine], out: IO[str], *,
           queue_alerts: bool = False) -> dict[str, int]:
    """Process in batches (one vectorisation per batch), write results in input order.

    Alerts are queued only with `queue_alerts` (`--deliver`): queued ones would be sent by
    the next `monitor run` or `once` on the same database.
    """
    ids: dict[str, Any] = {}
    counts = {"articles": 0, "errors": 0, "alerts": 0}
    batch: list[ReplayLine] = []

    def flush() -> None:
        good = [ln for ln in batch if ln.article is not None]
        results = pipeline.process([ln.article for ln in good], lambda a: a.fetched,  # type: ignore[misc]
                                   queue_alerts=queue_alerts)
        by_line = {ln.line: r for ln, r in zip(good, results, strict=True)}
        for ln in batch:
            r = by_line.get(ln.line)
            if r is None:
                counts["errors"] += 1
            else:
                counts["articles"] += 1
                counts["alerts"] += sum(1 for m in r.matches if m.alert)
            out.write(json.dumps(output_record(ln, r, ids), ensure_ascii=False) + "\n")
        batch.clear()

    for ln in lines:
        if ln.article is not None:
            ids[ln.article.id] = ln.raw_id
        batch.append(ln)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return counts


