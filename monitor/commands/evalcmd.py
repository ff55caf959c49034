"""`monitor eval`: replay a labeled file and report precision/recall per topic and language."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from typing import IO, Any

from rich.console import Console
from rich.progress import Progress

from monitor.app import Runtime
from monitor.commands.evalview import render_report
from monitor.commands.replay import ReplayLine, read_lines, replay
from monitor.errors import MonitorError
from monitor.relevance.evaluate import EvalRow, evaluate


def _labels(lines: list[str], name: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for no, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError:
            continue  # replay reports it
        labels = obj.get("labels") if isinstance(obj, dict) else None
        if not isinstance(labels, dict):
            raise MonitorError(f"{name}:{no}: missing `labels` object")
        out[str(obj.get("id"))] = {str(k): int(v) for k, v in labels.items()}
    return out


def _fold(article_id: str, k: int) -> int:
    """A stable fold per id: the same split whatever the order of the file."""
    return zlib.crc32(article_id.encode("utf-8")) % k


def _cv_rows(rt: Runtime, lines: list[ReplayLine], labels: dict[str, dict[str, int]], k: int) -> list[EvalRow]:
    """Score each fold with models trained on the seeds (and analyst labels) plus the other
    folds, through the production `Scorer`: the figures of models that never saw the item."""
    from monitor.pipeline import Scorer
    from monitor.relevance.classify import LabeledText, ModelSet
    from monitor.relevance.training import load_examples

    if k < 2:
        raise MonitorError(f"--cv needs at least 2 folds, got {k}")
    articles = [ln.article for ln in lines if ln.article is not None]
    base = load_examples(rt.config, rt.ruleset, rt.store)
    rows: list[EvalRow] = []
    for fold in range(k):
        train = [a for a in articles if _fold(a.id, k) != fold]
        test = [a for a in articles if _fold(a.id, k) == fold]
        if not test:
            continue
        examples = {topic: exs + [LabeledText(a.title, a.text, labels[a.id][topic], a.language or "", f"cv:{a.id}")
                                  for a in train if topic in labels.get(a.id, {})]
                    for topic, exs in base.items()}
        scorer = Scorer(rt.ruleset, ModelSet.train(examples, fingerprint="cv") if examples else None)
        for article, matches in zip(test, scorer.score(test), strict=True):
            got = {m.topic: m for m in matches}
            for topic, label in labels.get(article.id, {}).items():
                m = got.get(topic)
                rows.append(EvalRow(article_id=article.id, language=article.language or "", topic=topic,
                                    label=label, score=m.score if m else 0.0, alert=bool(m and m.alert),
                                    title=article.title))
    return rows


def run_eval(rt: Runtime, stream: IO[str], name: str, *, cv: int = 0, console: Console | None = None) -> Any:
    """Replay a labeled file and report; with `cv` = K, score it by K folds instead (each
    fold by models trained on the seeds plus the file's other folds)."""
    console = console or Console()
    lines = stream.read().splitlines()
    labels = _labels(lines, name)
    if cv:
        parsed = list(read_lines(iter(x + "\n" for x in lines), name))  # type: ignore[arg-type]
        report = evaluate(_cv_rows(rt, parsed, labels, cv))
        console.print(f"{cv}-fold cross-validation over {name}: models trained on the seeds plus the other folds")
        console.print(render_report(report))
        return report
    out = io.StringIO()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("replaying", total=len(lines))

        def tracked() -> Iterator[ReplayLine]:
            for ln in read_lines(iter(x + "\n" for x in lines), name):  # type: ignore[arg-type]
                progress.advance(task)
                yield ln

        replay(rt.pipeline, tracked(), out)
    rows: list[EvalRow] = []
    titles = {}
    for raw_in, raw_out in zip((x for x in lines if x.strip()), out.getvalue().splitlines(), strict=True):
        o = json.loads(raw_out)
        i = json.loads(raw_in) if raw_in.strip().startswith("{") else {}
        aid = str(o["id"])
        titles[aid] = str(i.get("title") or "")
        got = {m["topic"]: m for m in o["matches"]}
        for topic, label in labels.get(aid, {}).items():
            m = got.get(topic, {"score": 0.0, "alert": False})
            rows.append(EvalRow(article_id=aid, language=o.get("language") or i.get("language") or "",
                                topic=topic, label=label, score=float(m["score"]), alert=bool(m["alert"]),
                                title=titles[aid]))
    report = evaluate(rows)
    console.print(render_report(report))
    return report
