"""`monitor eval`: replay a labeled file and report precision/recall per topic and language."""

from __future__ import annotations

import io
import json
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


def run_eval(rt: Runtime, stream: IO[str], name: str, *, cv: int = 0, console: Console | None = None) -> Any:
    console = console or Console()
    lines = stream.read().splitlines()
    labels = _labels(lines, name)
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
    if cv:
        from monitor.relevance.classify import cross_validate
        from monitor.relevance.evaluate import rows_from_cv
        from monitor.relevance.training import load_examples

        for topic, examples in load_examples(rt.config, rt.ruleset, rt.store).items():
            result = cross_validate(examples, cv, topic)
            console.print(f"{cv}-fold cross-validation on the seeds, model alone: {topic}")
            threshold = rt.ruleset.topic(topic).classifier.threshold
            console.print(render_report(evaluate(rows_from_cv(result, threshold))))
    return report
