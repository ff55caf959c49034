"""The topic query language: tokenizer, recursive-descent parser, evaluation over hits.

Grammar (precedence NOT > NEAR/SENT > AND > OR; see docs/rules.md)::

    query    = or_expr
    or_expr  = and_expr { "OR" and_expr }
    and_expr = prox { "AND" prox }
    prox     = unary { ("NEAR/" int | "SENT") unary }
    unary    = "NOT" unary | primary
    primary  = [ ("title" | "text") ":" ] ( atom | "(" or_expr ")" ) [ "^" number ]
    atom     = "@" group | '"' phrase '"' | word          (word may end in "*")

Evaluation is pure: the caller gives, per atom key (`@group` or the literal as written),
the hits of that atom as `Hit(field, word, sentence, ...)`; the result says whether the
query holds, which hits support it, and the weight of the distinct atoms that support it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Union

__all__ = [
    "FIELDS",
    "LEAD_WORDS",
    "And",
    "Atom",
    "EvalResult",
    "FieldScope",
    "Hit",
    "Near",
    "Node",
    "Not",
    "Or",
    "QuerySyntaxError",
    "Sent",
    "TraceNode",
    "Weighted",
    "atoms",
    "evaluate",
    "keyword_score",
    "max_weight",
    "parse_query",
    "positive_atoms",
    "possible",
    "required_atoms",
    "scopes",
    "to_source",
    "uses_near",
    "uses_sentences",
]

FIELDS = ("title", "text", "lead", "source")
# `lead:` is the title plus the first LEAD_WORDS words of the text: where a report says
# what it is about, as opposed to a passing line further down a long article.
LEAD_WORDS = 60
# Fields an unscoped atom counts in: the source (feed or outlet name) only when asked.
_CONTENT_FIELDS = ("title", "text")


class QuerySyntaxError(ValueError):
    """A query could not be parsed. `offset` is 0-based in the query source;
    `line` and `column` are 1-based inside the query source."""

    def __init__(self, message: str, source: str, offset: int) -> None:
        self.message = message
        self.source = source
        self.offset = max(0, min(offset, len(source)))
        before = source[: self.offset]
        self.line = before.count("\n") + 1
        self.column = self.offset - (before.rfind("\n") + 1) + 1
        super().__init__(f"{message} (line {self.line}, column {self.column})")


# ---------------------------------------------------------------- AST


@dataclass(frozen=True)
class Atom:
    """`@group` (kind "group") or a literal term (kind "term", text as written)."""

    kind: str
    value: str
    offset: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        return "@" + self.value if self.kind == "group" else self.value


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class Sent:
    left: Node
    right: Node


@dataclass(frozen=True)
class FieldScope:
    field: str
    child: Node


@dataclass(frozen=True)
class Weighted:
    child: Node
    weight: float


Node = Union[Atom, Not, And, Or, Near, Sent, FieldScope, Weighted]


# ---------------------------------------------------------------- tokenizer


class _Tok(NamedTuple):
    kind: str  # ( ) @ PHRASE WORD AND OR NOT NEAR SENT FIELD WEIGHT END
    value: str
    offset: int


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<group>@(?P<gname>[^\s()"^@:]*))
  | (?P<phrase>"(?P<ptext>[^"]*)(?P<pclose>"?))
  | (?P<weight>\^(?P<wnum>[^\s()"]*))
  | (?P<near>NEAR/(?P<dist>[^\s()"]*))
  | (?P<field>(?P<fname>[A-Za-z_]+):)
  | (?P<word>[^\s()"^@]+)
    """,
    re.VERBOSE,
)
_GROUP_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_KEYWORDS = {"AND", "OR", "NOT", "SENT"}


def _tokenize(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        assert m is not None  # the word alternative matches any other character
        kind = m.lastgroup
        start = pos
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "lp":
            toks.append(_Tok("(", "(", start))
        elif kind == "rp":
            toks.append(_Tok(")", ")", start))
        elif m.group("group") is not None:
            name = m.group("gname")
            if not name or not _GROUP_NAME.match(name):
                raise QuerySyntaxError(f"bad group name {'@' + name!r}", src, start)
            toks.append(_Tok("@", name, start))
        elif m.group("phrase") is not None:
            if not m.group("pclose"):
                raise QuerySyntaxError("unterminated quoted phrase", src, start)
            text = m.group("ptext")
            if not text.strip():
                raise QuerySyntaxError("empty quoted phrase", src, start)
            _check_term(text, src, start + 1)
            toks.append(_Tok("PHRASE", text, start))
        elif m.group("weight") is not None:
            toks.append(_Tok("WEIGHT", m.group("wnum"), start))
        elif m.group("near") is not None:
            dist = m.group("dist")
            if not dist.isdigit() or int(dist) < 1:
                raise QuerySyntaxError(
                    f"NEAR needs a positive word distance like NEAR/10, got NEAR/{dist}", src, start
                )
            toks.append(_Tok("NEAR", dist, start))
        elif m.group("field") is not None:
            fname = m.group("fname")
            if fname not in FIELDS:
                raise QuerySyntaxError(
                    f"unknown field {fname + ':'!r} (fields: title:, text:, lead:, source:)", src, start
                )
            toks.append(_Tok("FIELD", fname, start))
        else:
            word = m.group("word")
            if word in _KEYWORDS:
                toks.append(_Tok(word, word, start))
            elif word.upper().startswith("NEAR") and word.upper() == word:
                raise QuerySyntaxError("NEAR needs a distance: NEAR/n", src, start)
            else:
                _check_term(word, src, start)
                toks.append(_Tok("WORD", word, start))
    toks.append(_Tok("END", "", len(src.rstrip())))
    return toks


def _check_term(text: str, src: str, offset: int) -> None:
    """Wildcards only at the end of a word, after at least one character."""
    for m in re.finditer(r"\S+", text):
        word = m.group(0)
        star = word.find("*")
        if star == -1:
            continue
        if star != len(word) - 1:
            raise QuerySyntaxError(
                "'*' is only allowed at the end of a word (prefix match)", src, offset + m.start()
                + star
            )
        if star == 0:
            raise QuerySyntaxError("a lone '*' matches everything", src, offset + m.start())


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.toks = _tokenize(src)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> QuerySyntaxError:
        tok = tok or self.peek()
        return QuerySyntaxError(message, self.src, tok.offset)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("empty query")
        node = self.or_expr()
        tok = self.peek()
        if tok.kind == ")":
            raise self.error("unbalanced ')'")
        if tok.kind != "END":
            raise self.error(
                f"expected AND, OR, NEAR/n, SENT or the end of the query before {_show(tok)}"
                " (to match words as a phrase, quote them)"
            )
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek().kind == "OR":
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.prox()]
        while self.peek().kind == "AND":
            self.take()
            parts.append(self.prox())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def prox(self) -> Node:
        left = self.unary()
        while self.peek().kind in ("NEAR", "SENT"):
            op = self.take()
            right = self.unary()
            for side, tok in ((left, op), (right, op)):
                if isinstance(_unweight(side), Not):
                    raise self.error(
                        f"{'NEAR' if op.kind == 'NEAR' else 'SENT'} cannot take a NOT operand;"
                        " write NOT (a NEAR/n b) or a NEAR/n b AND NOT c",
                        tok,
                    )
            left = Near(left, right, int(op.value)) if op.kind == "NEAR" else Sent(left, right)
        return left

    def unary(self) -> Node:
        if self.peek().kind == "NOT":
            self.take()
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        scope = None
        if tok.kind == "FIELD":
            scope = self.take().value
            tok = self.peek()
        if tok.kind == "(":
            self.take()
            if self.peek().kind == ")":
                raise self.error("empty parentheses")
            node = self.or_expr()
            if self.peek().kind != ")":
                opened = QuerySyntaxError("", self.src, tok.offset)
                raise self.error(f"expected ')' to close the '(' opened at line {opened.line},"
                                 f" column {opened.column} of the query, but found"
                                 f" {_show(self.peek())}")
            self.take()
        elif tok.kind == "@":
            self.take()
            node = Atom("group", tok.value, tok.offset)
        elif tok.kind in ("PHRASE", "WORD"):
            self.take()
            node = Atom("term", tok.value.strip(), tok.offset)
        else:
            raise self.error(f"expected a term, @group, quoted phrase or '(' but found {_show(tok)}")
        if scope is not None:
            node = FieldScope(scope, node)
        if self.peek().kind == "WEIGHT":
            wtok = self.take()
            try:
                weight = float(wtok.value)
            except ValueError:
                raise self.error(f"bad weight '^{wtok.value}' (expected a number like ^2.5)",
                                 wtok) from None
            if not weight > 0 or weight != weight or weight == float("inf"):
                raise self.error("weight must be a positive number", wtok)
            node = Weighted(node, weight)
        return node


def _show(tok: _Tok) -> str:
    if tok.kind == "END":
        return "the end of the query"
    if tok.kind == "@":
        return "@" + tok.value
    if tok.kind == "PHRASE":
        return f'"{tok.value}"'
    if tok.kind == "NEAR":
        return f"NEAR/{tok.value}"
    if tok.kind == "FIELD":
        return tok.value + ":"
    if tok.kind == "WEIGHT":
        return "^" + tok.value
    return repr(tok.value)


def _unweight(node: Node) -> Node:
    while isinstance(node, (Weighted, FieldScope)):
        node = node.child
    return node


def parse_query(src: str) -> Node:
    """Parse a query; raises QuerySyntaxError (with line/column) on bad syntax."""
    return _Parser(src).parse()


# ---------------------------------------------------------------- walking


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (And, Or)):
        return node.children
    if isinstance(node, (Near, Sent)):
        return (node.left, node.right)
    if isinstance(node, (Not, FieldScope, Weighted)):
        return (node.child,)
    return ()


def atoms(node: Node) -> list[Atom]:
    """Every atom of the query, in source order."""
    if isinstance(node, Atom):
        return [node]
    out: list[Atom] = []
    for child in _children(node):
        out.extend(atoms(child))
    return out


def scopes(node: Node) -> set[str]:
    """The field scopes (`title`, `lead`, `source`, ...) the query uses."""
    out = {node.field} if isinstance(node, FieldScope) else set()
    for child in _children(node):
        out |= scopes(child)
    return out


def positive_atoms(node: Node, *, _negated: bool = False) -> list[Atom]:
    """Atoms not under a NOT (the ones that can support a match)."""
    if isinstance(node, Atom):
        return [] if _negated else [node]
    neg = _negated or isinstance(node, Not)
    out: list[Atom] = []
    for child in _children(node):
        out.extend(positive_atoms(child, _negated=neg))
    return out


def _atom_weights(node: Node, mult: float, negated: bool, out: dict[str, float]) -> None:
    if isinstance(node, Atom):
        if not negated:
            out[node.key] = max(out.get(node.key, 0.0), mult)
        return
    if isinstance(node, Weighted):
        mult *= node.weight
    neg = negated or isinstance(node, Not)
    for child in _children(node):
        _atom_weights(child, mult, neg, out)


def max_weight(node: Node) -> float:
    """Sum of the weights of the distinct positive atoms: the most a match can weigh."""
    out: dict[str, float] = {}
    _atom_weights(node, 1.0, False, out)
    return sum(out.values())


def uses_near(node: Node) -> bool:
    return isinstance(node, Near) or any(uses_near(c) for c in _children(node))


def uses_sentences(node: Node) -> bool:
    return isinstance(node, Sent) or any(uses_sentences(c) for c in _children(node))


def _quote_term(value: str) -> str:
    if re.fullmatch(r"[^\s()\"^@:]+", value) and value not in _KEYWORDS and not value.startswith(
        "NEAR"
    ):
        return value
    return f'"{value}"'


def to_source(node: Node) -> str:
    """Render a node back to query syntax (fully parenthesised where needed)."""
    if isinstance(node, Atom):
        return "@" + node.value if node.kind == "group" else _quote_term(node.value)
    if isinstance(node, Not):
        return "NOT " + _wrap(node.child)
    if isinstance(node, And):
        return " AND ".join(_wrap(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(c) for c in node.children)
    if isinstance(node, Near):
        return f"{_wrap(node.left)} NEAR/{node.distance} {_wrap(node.right)}"
    if isinstance(node, Sent):
        return f"{_wrap(node.left)} SENT {_wrap(node.right)}"
    if isinstance(node, FieldScope):
        return f"{node.field}:{_wrap(node.child)}"
    return f"{_wrap(node.child)}^{node.weight:g}"


def _wrap(node: Node) -> str:
    text = to_source(node)
    return text if isinstance(node, (Atom, FieldScope, Weighted)) else f"({text})"


# ---------------------------------------------------------------- evaluation


class Hit(NamedTuple):
    """One occurrence of an atom: field ("title"/"text"), word and sentence index in that
    field, and (for evidence) the character span in the normalised field and the term."""

    field: str
    word: int
    sentence: int
    start: int = 0
    end: int = 0
    term: str = ""


@dataclass(frozen=True)
class TraceNode:
    """One node of the evaluation tree, for `monitor explain`."""

    label: str
    value: bool
    weight: float  # weight of the distinct atoms this node contributes
    children: tuple[TraceNode, ...] = ()
    hits: int = 0  # supporting hits


@dataclass(frozen=True)
class EvalResult:
    matched: bool
    weight: float  # sum over distinct supporting atoms of their (max) weight
    support: tuple[tuple[str, Hit], ...]  # (atom key, hit) pairs that make the query true
    atoms: tuple[str, ...] = ()  # distinct supporting atom keys
    trace: TraceNode | None = None


# Internal result: truth, supporting (key, hit) list, supporting atoms {key: weight}.
_R = tuple[bool, list[tuple[str, Hit]], dict[str, float]]


def _merge(dst: dict[str, float], src: dict[str, float]) -> None:
    for key, w in src.items():
        if w > dst.get(key, 0.0):
            dst[key] = w


def _in_scope(hit: Hit, scope: str | None) -> bool:
    if scope is None:
        return hit.field in _CONTENT_FIELDS
    if scope == "lead":
        return hit.field == "title" or (hit.field == "text" and hit.word < LEAD_WORDS)
    return hit.field == scope


def _eval(
    node: Node,
    hits: Mapping[str, Sequence[Hit]],
    scope: str | None,
    mult: float,
    trace: list[TraceNode] | None,
) -> _R:
    kids: list[TraceNode] | None = [] if trace is not None else None
    if isinstance(node, Atom):
        key = node.key
        found = hits.get(key, ())
        pos = [(key, h) for h in found if _in_scope(h, scope)]
        res: _R = (bool(pos), pos, {key: mult} if pos else {})
        label = (to_source(node) + (f" in {scope}" if scope else "")) if trace is not None else ""
    elif isinstance(node, Weighted):
        res = _eval(node.child, hits, scope, mult * node.weight, kids)
        label = f"^{node.weight:g}"
    elif isinstance(node, FieldScope):
        res = _eval(node.child, hits, node.field, mult, kids)
        label = f"{node.field}:"
    elif isinstance(node, Not):
        inner = _eval(node.child, hits, scope, mult, kids)
        res = (not inner[0], [], {})
        label = "NOT"
    elif isinstance(node, (And, Or)):
        is_and = isinstance(node, And)
        truth = is_and
        pos_all: list[tuple[str, Hit]] = []
        supp: dict[str, float] = {}
        for child in node.children:
            ok, pos, sup = _eval(child, hits, scope, mult, kids)
            if ok:
                pos_all.extend(pos)
                _merge(supp, sup)
            if is_and and not ok:
                truth = False
                if trace is None:
                    break  # short-circuit only when nobody is watching
            elif not is_and and ok:
                truth = True
        res = (truth, pos_all if truth else [], supp if truth else {})
        label = "AND" if is_and else "OR"
    else:  # Near / Sent
        lok, lpos, lsup = _eval(node.left, hits, scope, mult, kids)
        rok, rpos, rsup = (
            _eval(node.right, hits, scope, mult, kids)
            if (lok or trace is not None)
            else (False, [], {})
        )
        used_l: dict[int, None] = {}
        used_r: dict[int, None] = {}
        if lok and rok:
            if isinstance(node, Near):
                dist = node.distance
                for i, (_, lh) in enumerate(lpos):
                    for j, (_, rh) in enumerate(rpos):
                        if lh.field == rh.field and abs(lh.word - rh.word) <= dist:
                            used_l[i] = None
                            used_r[j] = None
                label = f"NEAR/{dist}"
            else:
                for i, (_, lh) in enumerate(lpos):
                    for j, (_, rh) in enumerate(rpos):
                        if lh.field == rh.field and lh.sentence == rh.sentence:
                            used_l[i] = None
                            used_r[j] = None
        label = f"NEAR/{node.distance}" if isinstance(node, Near) else "SENT"
        if used_l:
            pos = [lpos[i] for i in used_l] + [rpos[j] for j in used_r]
            supp = {}
            lkeys = {lpos[i][0] for i in used_l}
            rkeys = {rpos[j][0] for j in used_r}
            _merge(supp, {k: w for k, w in lsup.items() if k in lkeys})
            _merge(supp, {k: w for k, w in rsup.items() if k in rkeys})
            res = (True, pos, supp)
        else:
            res = (False, [], {})
    if trace is not None:
        trace.append(
            TraceNode(label, res[0], sum(res[2].values()), tuple(kids or ()), len(res[1]))
        )
    return res


def evaluate(node: Node, hits: Mapping[str, Sequence[Hit]], *, trace: bool = False) -> EvalResult:
    """Evaluate the query over the hits of each atom key (`@group` or literal as written)."""
    tr: list[TraceNode] | None = [] if trace else None
    ok, pos, supp = _eval(node, hits, None, 1.0, tr)
    seen: dict[tuple[str, Hit], None] = dict.fromkeys(pos)
    return EvalResult(
        matched=ok,
        weight=sum(supp.values()) if ok else 0.0,
        support=tuple(seen),
        atoms=tuple(supp) if ok else (),
        trace=tr[-1] if tr else None,
    )


def required_atoms(node: Node, *, limit: int = 32) -> list[frozenset[Atom]]:
    """A necessary condition of the query in conjunctive form: every returned set must
    have at least one of its atoms present for the query to possibly hold.

    Positions, fields and NOT are ignored (NOT adds no condition), so when a set has no
    atom present the query cannot hold and its full evaluation can be skipped.
    """
    if isinstance(node, Atom):
        return [frozenset([node])]
    if isinstance(node, Not):
        return []
    if isinstance(node, (Weighted, FieldScope)):
        return required_atoms(node.child, limit=limit)
    if isinstance(node, (Near, Sent)):
        return required_atoms(node.left, limit=limit) + required_atoms(node.right, limit=limit)
    if isinstance(node, And):
        return [c for child in node.children for c in required_atoms(child, limit=limit)]
    # OR: one of the children must hold; distribute while small, else one loose set.
    options = [required_atoms(child, limit=limit) for child in node.children]
    if any(not opt for opt in options):
        return []
    product: list[frozenset[Atom]] = [frozenset()]
    for opt in options:
        product = [acc | clause for acc in product for clause in opt]
        if len(product) > limit:
            return [frozenset().union(*(c for opt in options for c in opt))]
    return product


def _possible_src(node: Node, atom_id: Callable[[Atom], int]) -> str:
    if isinstance(node, Atom):
        return f"({int(atom_id(node))} in p)"
    if isinstance(node, Not):
        return "True"
    if isinstance(node, (Weighted, FieldScope)):
        return _possible_src(node.child, atom_id)
    if isinstance(node, (Near, Sent)):
        kids: tuple[Node, ...] = (node.left, node.right)
        op = " and "
    else:
        kids = node.children
        op = " and " if isinstance(node, And) else " or "
    return "(" + op.join(_possible_src(k, atom_id) for k in kids) + ")"


def possible(node: Node, atom_id: Callable[[Atom], int]) -> Callable[[Container[int]], bool]:
    """Compile the query's boolean skeleton into a fast test over the atom ids present.

    Positions, fields and distances are ignored and NOT counts as true, so False proves
    the query cannot hold (the full evaluation is skipped); True means "evaluate".
    The source is generated from the AST with integer atom ids only.
    """
    src = _possible_src(node, atom_id)
    return eval(compile(f"lambda p: {src}", "<query>", "eval"))


def keyword_score(
    matched: bool, weight: float, *, min_weight: float = 0.0, saturation: float = 1.0
) -> float:
    """The topic's keyword score in [0, 1].

    0 when the boolean query fails or the supporting weight is below `min_weight`;
    otherwise 0.5 + 0.5 * min(1, weight / saturation), so any match scores at least 0.5
    and a match supported by atoms weighing `saturation` (by default every positive atom
    of the query) scores 1.
    """
    if not matched or weight < min_weight or weight <= 0:
        return 0.0
    sat = saturation if saturation > 0 else 1.0
    return 0.5 + 0.5 * min(1.0, weight / sat)
