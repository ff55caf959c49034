"""`monitor explain`: why one article does or does not match, topic by topic.

Each topic starts with its decision as the pipeline takes it (`scoring.decide` on the
keyword result and, where the topic's mode uses it, the model probability): the final
score is the one an alert carries, shown next to the keyword score and the probability.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from monitor.commands.explainview import render_explanation
from monitor.config import Config
from monitor.errors import FetchError
from monitor.ingest.htmltext import html_to_text
from monitor.models import Match
from monitor.relevance.explain import explain
from monitor.relevance.matching import KeywordEngine
from monitor.relevance.scoring import decide, needs_probability
from monitor.relevance.topics import RuleSet, Topic


def read_source(source: str) -> tuple[str, str]:
    """(title, text) from a file, a URL or stdin. JSON objects (replay lines) are understood."""
    if source == "-":
        raw = sys.stdin.read()
    elif source.startswith(("http://", "https://")):
        raw = asyncio.run(_fetch_page(source))
    else:
        try:
            raw = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            raise FetchError(source, f"cannot read: {e.strerror}") from e
    stripped = raw.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped.splitlines()[0])
            return str(obj.get("title") or ""), html_to_text(str(obj.get("content") or obj.get("text") or obj.get("summary") or ""))
        except json.JSONDecodeError:
            pass
    if "<html" in raw[:2000].lower():
        from monitor.ingest.enrich import extract_main_text

        text = extract_main_text(raw.encode("utf-8"), source) or html_to_text(raw)
        return "", text
    lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
    return (lines[0] if lines else ""), "\n".join(lines[1:])


async def _fetch_page(url: str) -> str:
    from monitor.ingest.fetch import Fetcher

    async with Fetcher() as f:
        result = await f.fetch(url)
    if not result.ok or result.body is None:
        raise FetchError(url, result.error or "no body")
    return result.body.decode("utf-8", errors="replace")


def explain_source(config: Config, ruleset: RuleSet, source: str, topic: str | None, language: str | None,
                   console: Console | None = None) -> None:
    console = console or Console()
    title, text = read_source(source)
    if language is None:
        from monitor.ingest.enrich import detect_language

        language = detect_language(title, text)
    engine = KeywordEngine(ruleset.topics)
    models = _models(config, ruleset)
    names = [topic] if topic else [t.name for t in ruleset.topics]
    topics = {t.name: t for t in ruleset.topics}
    for name in names:
        expl = explain(engine, name, title, text, language)
        p = models.predict_one(title, text, name) if models is not None and models.has(name) else None
        decision = decide(topics[name], expl.result, p if needs_probability(topics[name], expl.result) else None)
        console.print(decision_line(topics[name], decision, p))
        console.print(render_explanation(expl))
        if p is not None:
            feats = models.top_features(name, title, text, k=8)
            console.print(f"model probability: {p:.3f}; top features: " +
                          ", ".join(f"{f!r} {w:+.2f}" for f, w in feats))
        console.print()


def decision_line(topic: Topic, decision: Match, probability: float | None) -> Text:
    """`topic: ALERT, final score 0.740 (keyword score 1.000, model probability 0.480, gate mode)`
    and the decision's reason; the final score is the alert's."""
    verdict = Text("ALERT", style="bold green") if decision.alert else Text("no alert", style="bold red")
    prob = "no model" if probability is None else f"{probability:.3f}"
    line = Text(f"{topic.name}: ", style="bold") + verdict
    line.append(f", final score {decision.score:.3f} (keyword score {decision.keyword.score:.3f}, "
                f"model probability {prob}, {topic.classifier.mode} mode, threshold {topic.threshold:g})\n"
                f"  {decision.reason}")
    return line


def _models(config: Config, ruleset: RuleSet):  # type: ignore[no-untyped-def]
    """The stored models (labels included in the fingerprint), without retraining."""
    from monitor.relevance.training import ensure_models
    from monitor.state.store import Store

    store = Store(config.db_path)
    try:
        return ensure_models(config, ruleset, store, train=False)
    finally:
        store.close()
