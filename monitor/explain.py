"""Why did a topic fire (or not) on an article: data for `monitor explain`, and a rich view.

`explain` is pure; `render_explanation` builds a rich renderable (imported lazily so the
core does not need rich at import time).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitor.models import KeywordResult
from monitor.query import TraceNode, evaluate, max_weight, positive_atoms

if TYPE_CHECKING:
    from monitor.matching import KeywordEngine

__all__ = ["Explanation", "TermMatch", "explain", "render_explanation"]


@dataclass(frozen=True)
class TermMatch:
    """One term hit of the topic's atoms in the normalised article."""

    atom: str  # query atom key: "@group" or the literal
    group: str  # group name ("" for a literal)
    term: str  # normalised term that matched
    field: str  # "title" | "text"
    start: int  # offsets in the normalised field
    end: int
    word: int
    sentence: int
    role: str  # "support" (makes the query true), "negated" (under NOT), "unused"


@dataclass(frozen=True)
class Explanation:
    topic: str
    query: str
    language: str | None
    title: str  # normalised
    text: str  # normalised
    matches: tuple[TermMatch, ...]
    tree: TraceNode | None
    weight: float  # weight of the distinct supporting atoms
    saturation: float
    min_weight: float
    result: KeywordResult


def explain(engine: KeywordEngine, topic_name: str, title: str, text: str,
            language: str | None = None) -> Explanation:
    """Evaluate one topic on one article, keeping every intermediate value."""
    topic = engine.topic(topic_name)
    prepared = engine.prepare(title, text, language)
    hits = engine.topic_hits(topic_name, prepared)
    evaluation = evaluate(topic.query, hits, trace=True)
    support = set(evaluation.support)
    positive = {a.key for a in positive_atoms(topic.query)}
    matches: list[TermMatch] = []
    for key, found in hits.items():
        group = key[1:] if key.startswith("@") else ""
        for hit in found:
            if (key, hit) in support:
                role = "support"
            elif key not in positive:
                role = "negated"
            else:
                role = "unused"
            matches.append(TermMatch(key, group, hit.term, hit.field, hit.start, hit.end,
                                     hit.word, hit.sentence, role))
    matches.sort(key=lambda m: (m.field != "title", m.start, m.end))
    result = engine.score_topic(topic_name, title, text, language)
    return Explanation(
        topic=topic.name,
        query=topic.query_source.strip(),
        language=language,
        title=prepared.title_norm,
        text=prepared.text_norm,
        matches=tuple(matches),
        tree=evaluation.trace,
        weight=evaluation.weight,
        saturation=engine.saturation(topic_name) or max_weight(topic.query),
        min_weight=topic.min_weight,
        result=result,
    )


_STYLES = {"support": "bold black on green", "negated": "bold white on red",
           "unused": "black on yellow"}


def _highlight(text: str, field: str, matches: tuple[TermMatch, ...], max_chars: int) -> Any:
    from rich.text import Text

    shown = text if len(text) <= max_chars else text[:max_chars] + " …"
    out = Text(shown)
    # Lower-priority roles first so support wins where spans overlap.
    order = {"unused": 0, "negated": 1, "support": 2}
    for m in sorted((m for m in matches if m.field == field), key=lambda m: order[m.role]):
        if m.start < len(shown):
            out.stylize(_STYLES[m.role], m.start, min(m.end, len(shown)))
    return out


def _tree(node: TraceNode, parent: Any | None = None) -> Any:
    from rich.markup import escape
    from rich.tree import Tree

    mark = "[green]✔[/]" if node.value else "[red]✘[/]"
    extra = f"  [dim]weight {node.weight:g}, {node.hits} hit(s)[/]" if node.value else ""
    label = f"{mark} {escape(node.label)}{extra}"
    branch = Tree(label) if parent is None else parent.add(label)
    for child in node.children:
        _tree(child, branch)
    return branch


def render_explanation(expl: Explanation, *, max_chars: int = 4000) -> Any:
    """A rich renderable: normalised text with highlighted hits, the hits, the query
    evaluation tree and the score."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    res = expl.result
    verdict = "[bold green]MATCH[/]" if res.matched else "[bold red]NO MATCH[/]"
    head = Text.from_markup(
        f"topic [bold]{expl.topic}[/]  language {expl.language or '?'}  {verdict}  "
        f"score {res.score:.3f}"
    )
    query = Panel(Text(expl.query), title="query", title_align="left")
    body = Panel(
        Group(Text("title: ", style="bold") + _highlight(expl.title, "title", expl.matches,
                                                          max_chars),
              Text("text:  ", style="bold") + _highlight(expl.text, "text", expl.matches,
                                                          max_chars)),
        title="normalised article (green: supports the match, red: under NOT,"
              " yellow: not used)",
        title_align="left",
    )
    table = Table(title="term hits", show_lines=False)
    for col in ("atom", "term", "field", "chars", "word", "sentence", "role"):
        table.add_column(col)
    for m in expl.matches:
        table.add_row(m.atom, m.term, m.field, f"{m.start}-{m.end}", str(m.word),
                      str(m.sentence), m.role)
    if not expl.matches:
        table.add_row("-", "no term of this topic occurs", "", "", "", "", "")
    parts: list[Any] = [head, query, body, table]
    if expl.tree is not None:
        parts.append(Panel(_tree(expl.tree), title="query evaluation", title_align="left"))
    if res.matched:
        why = (f"score = 0.5 + 0.5 × min(1, weight {expl.weight:g} / saturation "
               f"{expl.saturation:g}) = {res.score:.3f}")
    elif expl.tree is not None and expl.tree.value:
        why = (f"query holds but weight {expl.weight:g} < min_weight {expl.min_weight:g}:"
               " score 0")
    else:
        why = "query does not hold: score 0"
    parts.append(Text(why))
    if res.snippet:
        parts.append(Panel(Text(res.snippet), title="snippet", title_align="left"))
    return Group(*parts)
