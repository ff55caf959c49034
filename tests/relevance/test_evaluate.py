"""Evaluation metrics against hand-computed values, and the rich rendering."""

from __future__ import annotations

import pytest
from rich.console import Console

from monitor.commands.evalview import render_report
from monitor.relevance.classify import CVResult, LabeledText
from monitor.relevance.evaluate import Counts, EvalRow, evaluate, rows_from_cv

# Topic "a": 10 rows. Alerts: a1 a2 a3 (label 1,1,0) and a9 (label 1)... see table.
#   id   lang label score alert
ROWS_A = [
    ("a1", "en", 1, 0.95, True),   # TP
    ("a2", "en", 1, 0.80, True),   # TP
    ("a3", "en", 0, 0.70, True),   # FP
    ("a4", "en", 1, 0.40, False),  # FN
    ("a5", "en", 0, 0.20, False),  # TN
    ("a6", "id", 1, 0.65, True),   # TP
    ("a7", "id", 0, 0.55, True),   # FP
    ("a8", "id", 1, 0.15, False),  # FN
    ("a9", "id", 0, 0.05, False),  # TN
    ("a10", None, 0, 0.00, False),  # TN, unknown language
]
ROWS_B = [
    ("b1", "ru", 1, 0.9, True),   # TP
    ("b2", "ru", 0, 0.1, False),  # TN
]


def rows() -> list[EvalRow]:
    out = [EvalRow(i, lang, "a", y, s, al, title=f"title {i}") for i, lang, y, s, al in ROWS_A]
    out += [EvalRow(i, lang, "b", y, s, al, title=f"title {i}") for i, lang, y, s, al in ROWS_B]
    return out


def test_counts_and_rates_per_topic() -> None:
    report = evaluate(rows())
    a = report.topic("a").counts
    assert a == Counts(tp=3, fp=2, fn=2, tn=3)
    assert a.precision == pytest.approx(3 / 5)
    assert a.recall == pytest.approx(3 / 5)
    assert a.f1 == pytest.approx(0.6)
    b = report.topic("b").counts
    assert (b.precision, b.recall, b.f1) == (1.0, 1.0, 1.0)
    assert report.overall == Counts(tp=4, fp=2, fn=2, tn=4)
    assert [t.topic for t in report.topics] == ["a", "b"]


def test_per_language() -> None:
    a = dict(evaluate(rows()).topic("a").by_language)
    assert a["en"] == Counts(tp=2, fp=1, fn=1, tn=1)
    assert a["id"] == Counts(tp=1, fp=1, fn=1, tn=1)
    assert a["?"] == Counts(tn=1)
    assert a["en"].precision == pytest.approx(2 / 3) and a["en"].recall == pytest.approx(2 / 3)
    assert a["?"].precision is None and a["?"].recall is None and a["?"].f1 is None
    overall = dict(evaluate(rows()).by_language)
    assert overall["ru"] == Counts(tp=1, tn=1)


def test_misses_and_false_alarms_are_listed_worst_first() -> None:
    a = evaluate(rows()).topic("a")
    assert [r.article_id for r in a.misses] == ["a8", "a4"]  # lowest score first
    assert [r.article_id for r in a.false_alarms] == ["a3", "a7"]  # highest score first
    assert a.misses[0].title == "title a8"


def test_threshold_sweep() -> None:
    a = evaluate(rows()).topic("a")
    assert [p.threshold for p in a.sweep] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    by_t = {p.threshold: p for p in a.sweep}
    # t=0.5: score >= 0.5 -> a1 a2 a3 a6 a7 -> TP 3 (a1 a2 a6), FP 2, FN 2 (a4 a8)
    assert by_t[0.5].counts == Counts(tp=3, fp=2, fn=2, tn=3)
    # t=0.4: adds a4 -> TP 4, FP 2, FN 1
    assert by_t[0.4].counts == Counts(tp=4, fp=2, fn=1, tn=3)
    assert by_t[0.4].f1 == pytest.approx(8 / 11)
    # t=0.9: only a1
    assert by_t[0.9].counts == Counts(tp=1, fp=0, fn=4, tn=5)
    assert by_t[0.9].precision == 1.0 and by_t[0.9].recall == pytest.approx(0.2)
    # t=0.1: everything but a9, a10 -> TP 5, FP 3 (a3 a5 a7)
    assert by_t[0.1].counts == Counts(tp=5, fp=3, fn=0, tn=2)
    best = a.best_threshold
    assert best is not None and best.threshold == 0.1 and best.f1 == pytest.approx(10 / 13)


def test_empty_and_invalid_input() -> None:
    empty = evaluate([])
    assert empty.topics == () and empty.overall == Counts()
    with pytest.raises(ValueError):
        evaluate([EvalRow("x", "en", "a", 2, 0.5, True)])


def test_rows_from_cross_validation() -> None:
    cv = CVResult(
        topic="t",
        examples=(LabeledText("one", "", 1, "en", "i1"), LabeledText("two", "", 0, "", "")),
        probabilities=(0.7, 0.6),
        folds=2,
    )
    out = rows_from_cv(cv, threshold=0.65)
    assert out == [
        EvalRow("i1", "en", "t", 1, 0.7, True, "one"),
        EvalRow("#1", None, "t", 0, 0.6, False, "two"),
    ]


def test_render_report_shows_every_section_and_keeps_titles_literal() -> None:
    data = rows() + [EvalRow("m1", "en", "b", 1, 0.2, False, title="[bold]not markup[/bold]")]
    console = Console(width=160, record=True, color_system=None)
    console.print(render_report(evaluate(data), max_listed=1))
    out = console.export_text()
    for needle in ("Per topic", "a: per language", "a: threshold sweep", "a: misses (2)",
                   "a: false alarms (2)", "b: no false alarms", "[bold]not markup[/bold]",
                   "1 more", "0.600", "n/a"):
        assert needle in out, needle
