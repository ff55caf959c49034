"""The rich tables of an evaluation report (`monitor eval`)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from monitor.relevance.evaluate import Counts, EvalReport, _language

__all__ = ["render_report"]


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render_report(report: EvalReport, *, max_listed: int = 20):  # -> rich RenderableType
    """The report as rich tables: summary, per language, threshold sweep, and the
    misses and false alarms (at most `max_listed` of each per topic)."""

    def counts_columns(table: Table) -> None:
        for col in ("P", "R", "F1", "TP", "FP", "FN", "TN"):
            table.add_column(col, justify="right")

    def counts_cells(c: Counts) -> list[str]:
        return [_fmt(c.precision), _fmt(c.recall), _fmt(c.f1),
                str(c.tp), str(c.fp), str(c.fn), str(c.tn)]

    parts: list[object] = []
    summary = Table(title="Per topic", title_justify="left")
    summary.add_column("topic")
    counts_columns(summary)
    summary.add_column("best t (F1)", justify="right")
    for t in report.topics:
        best = t.best_threshold
        summary.add_row(t.topic, *counts_cells(t.counts),
                        "n/a" if best is None else f"{best.threshold:.1f} ({_fmt(best.f1)})")
    if len(report.topics) > 1:
        summary.add_row("[bold]all[/bold]", *counts_cells(report.overall), "")
    parts.append(summary)

    for t in report.topics:
        langs = Table(title=f"{t.topic}: per language", title_justify="left")
        langs.add_column("language")
        counts_columns(langs)
        for lang, c in t.by_language:
            langs.add_row(lang, *counts_cells(c))
        parts.append(langs)

        sweep = Table(title=f"{t.topic}: threshold sweep (alert = score >= t)",
                      title_justify="left")
        sweep.add_column("t", justify="right")
        counts_columns(sweep)
        for p in t.sweep:
            sweep.add_row(f"{p.threshold:.1f}", *counts_cells(p.counts))
        parts.append(sweep)

        for label, rows in (("misses", t.misses), ("false alarms", t.false_alarms)):
            if not rows:
                parts.append(Text(f"{t.topic}: no {label}"))
                continue
            listing = Table(title=f"{t.topic}: {label} ({len(rows)})", title_justify="left")
            for col, justify in (("id", "left"), ("lang", "left"), ("score", "right"),
                                 ("title", "left")):
                listing.add_column(col, justify=justify)  # type: ignore[arg-type]
            for r in rows[:max_listed]:
                # Text() keeps titles literal: article text must not be read as markup.
                listing.add_row(Text(r.article_id), Text(_language(r)), f"{r.score:.2f}",
                                Text(r.title))
            if len(rows) > max_listed:
                listing.add_row("…", "", "", f"{len(rows) - max_listed} more")
            parts.append(listing)
    return Group(*parts)
