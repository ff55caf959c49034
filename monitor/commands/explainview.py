"""The rich view of an explanation (`monitor explain`): highlighted text, hits, the query tree."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from monitor.relevance.explain import Explanation, TermMatch
from monitor.relevance.query import TraceNode

__all__ = ["render_explanation"]


_STYLES = {"support": "bold black on green", "negated": "bold white on red",
           "unused": "black on yellow"}


def _highlight(text: str, field: str, matches: tuple[TermMatch, ...], max_chars: int) -> Any:

    shown = text if len(text) <= max_chars else text[:max_chars] + " …"
    out = Text(shown)
    # Lower-priority roles first so support wins where spans overlap.
    order = {"unused": 0, "negated": 1, "support": 2}
    for m in sorted((m for m in matches if m.field == field), key=lambda m: order[m.role]):
        if m.start < len(shown):
            out.stylize(_STYLES[m.role], m.start, min(m.end, len(shown)))
    return out


def _tree(node: TraceNode, parent: Any | None = None) -> Any:

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
