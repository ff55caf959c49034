"""`monitor backtest`: which alerts a changed rule set would add or drop on stored articles.

Both rule sets score the same stored articles with the same models; only decisions
that differ are listed, so an operator sees the effect before the change goes live.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitor.app import load_models
from monitor.commands.status import terminal_safe
from monitor.config import Config
from monitor.models import Article
from monitor.pipeline import Scorer, article_from_row
from monitor.relevance.rules import load_rules
from monitor.relevance.topics import RuleSet
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


def backtest_rules(config: Config, ruleset: RuleSet, new_rules: Path, since: datetime) -> BacktestReport:
    """The running rules against those in `new_rules` on the stored articles since `since`.

    Raises RulesError (every problem of the new rules) before reading any article."""
    candidate = load_rules(new_rules)
    store = Store(config.db_path)
    try:
        models = load_models(config, ruleset, store, train=False)
        return backtest(store, Scorer(ruleset, models), Scorer(candidate, models), since)
    finally:
        store.close()


def report_lines(report: BacktestReport, since: str, new_rules: str, limit: int) -> Iterator[str]:
    yield f"{report.articles} stored articles since {since}"
    for topic in sorted(report.old_alerts.keys() | report.new_alerts.keys()):
        yield (f"  {topic}: {report.old_alerts.get(topic, 0)} alerts now -> "
               f"{report.new_alerts.get(topic, 0)} with {new_rules}")
    for appears, label in ((True, "would appear"), (False, "would disappear")):
        rows = [c for c in report.changes if c.appears == appears]
        yield f"{len(rows)} alerts {label}:"
        for c in rows[:limit]:
            yield f"  [{c.topic}] {c.old_score:.2f} -> {c.new_score:.2f} {c.article_id}: {terminal_safe(c.title, 90)}"
