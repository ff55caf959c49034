"""monitor.relevance.explain: the explanation data and its rich rendering."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from monitor.commands.explainview import render_explanation
from monitor.relevance.explain import explain
from monitor.relevance.matching import KeywordEngine
from monitor.relevance.rules import load_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "good"


@pytest.fixture(scope="module")
def engine() -> KeywordEngine:
    return KeywordEngine(load_rules(FIXTURES).topics)


def render(expl: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(render_explanation(expl))  # type: ignore[arg-type]
    return console.export_text()


def test_explain_a_match(engine: KeywordEngine) -> None:
    title = "Rencana Pertemuan Kim Jong-un–Putin: Bahas Pasokan Senjata"
    text = "Korea Utara dan Rusia membahas pasokan senjata."
    expl = explain(engine, "dprk-russia", title, text, "id")
    assert expl.result.matched and expl.result == engine.score(title, text, "id")["dprk-russia"]
    assert expl.title == "rencana pertemuan kim jong un putin: bahas pasokan senjata"
    roles = {(m.atom, m.role) for m in expl.matches}
    assert ("@north_korea", "support") in roles and ("@russia", "support") in roles
    assert ('kim jong un', "support") in roles
    for m in expl.matches:
        field = expl.title if m.field == "title" else expl.text
        assert field[m.start : m.end].startswith(m.term.rstrip("*"))
    assert expl.tree is not None and expl.tree.value is True
    # north_korea + russia + weapons + meeting + "kim jong un"^2: every positive atom
    assert expl.weight == pytest.approx(6) and expl.result.score == pytest.approx(1.0)
    out = render(expl)
    assert "MATCH" in out and "NEAR/40" in out and "korea utara" in out
    assert "score = 0.5 + 0.5" in out


def test_explain_a_near_miss_shows_why(engine: KeywordEngine) -> None:
    title = "Korea Utara dan Rusia sepakat gencatan senjata"
    expl = explain(engine, "dprk-russia", title, "", "id")
    assert not expl.result.matched and expl.result.score == 0
    roles = {(m.atom, m.term, m.role) for m in expl.matches}
    assert ("@ceasefire", "gencatan senjata", "negated") in roles
    # "senjata" inside "gencatan senjata" is not a weapon here
    assert not any(m.atom == "@weapons" for m in expl.matches)
    out = render(expl)
    assert "NO MATCH" in out and "query does not hold" in out and "✘ NOT" in out


def test_explain_with_no_hits_and_markup_in_text(engine: KeywordEngine) -> None:
    expl = explain(engine, "arms-transfers", "[bold]weather[/bold] report", "[red]sunny", None)
    assert expl.matches == ()
    out = render(expl)
    assert "[bold]weather[/bold]" in out and "[red]sunny" in out  # shown, not interpreted
    assert "no term of this topic occurs" in out


def test_engine_explain_delegates(engine: KeywordEngine) -> None:
    expl = explain(engine, "arms-transfers", "Поставки оружия", "", "ru")
    assert expl.topic == "arms-transfers" and expl.result.matched
    with pytest.raises(KeyError):
        explain(engine, "no-such-topic", "x", "y", None)
