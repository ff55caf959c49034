"""`monitor backtest`: which alerts a changed rule set would add or drop on stored articles.

Both rule sets score the same stored articles with the same models; only decisions
that differ are listed, so an operator sees the effect before the change goes live.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from monitor.models import Article
from monitor.pipeline import Scorer, article_from_row
from monitor.state.store import Store

BATCH = 512


@dataclass(frozen=True)
class Change:
    article_id: str
    topic: str
    title: str
    appears: bool  # True: the new rules alert where the old did not
    old_score: float
    new_score: float


@dataclass(frozen=True)
class BacktestReport:
    articles: int
    changes: tuple[Change, ...]
    old_alerts: dict[str, int]
    new_alerts: dict[str, int]


def _batches(rows: Iterable[dict[str, object]]) -> Iterable[list[Article]]:
    batch: list[Article] = []
    for row in rows:
        batch.append(article_from_row(row))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def backtest(store: Store, old: Scorer, new: Scorer, since: datetime) -> BacktestReport:
    changes: list[Change] = []
    old_alerts: dict[str, int] = {}
    new_alerts: dict[str, int] = {}
    n = 0
    for batch in _batches(store.articles_since(since)):
        n += len(batch)
        for article, olds, news in zip(batch, old.score(batch), new.score(batch), strict=True):
            o = {m.topic: m for m in olds}
            w = {m.topic: m for m in news}
            for topic in sorted(o.keys() | w.keys()):
                a, b = o.get(topic), w.get(topic)
                was, now_ = bool(a and a.alert), bool(b and b.alert)
                if was:
                    old_alerts[topic] = old_alerts.get(topic, 0) + 1
                if now_:
                    new_alerts[topic] = new_alerts.get(topic, 0) + 1
                if was != now_:
                    changes.append(Change(article.id, topic, article.title, now_,
                                          a.score if a else 0.0, b.score if b else 0.0))
    return BacktestReport(n, tuple(changes), old_alerts, new_alerts)
