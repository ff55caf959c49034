"""monitor.relevance.query: parsing, errors with positions, evaluation over hit positions, score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.relevance.query import (
    And,
    Atom,
    FieldScope,
    Hit,
    Near,
    Not,
    Or,
    QuerySyntaxError,
    Sent,
    Weighted,
    evaluate,
    keyword_score,
    max_weight,
    parse_query,
    positive_atoms,
    possible,
    to_source,
)


def g(name: str) -> Atom:
    return Atom("group", name)


def t(text: str) -> Atom:
    return Atom("term", text)


@pytest.mark.parametrize(
    ("src", "ast"),
    [
        ("@a", g("a")),
        ('"kim jong un"', t("kim jong un")),
        ("senjata*", t("senjata*")),
        ("a OR b AND c", Or((t("a"), And((t("b"), t("c")))))),
        ("(a OR b) AND c", And((Or((t("a"), t("b"))), t("c")))),
        ("a AND NOT b", And((t("a"), Not(t("b"))))),
        ("NOT a AND b", And((Not(t("a")), t("b")))),
        ("a NEAR/5 b AND c", And((Near(t("a"), t("b"), 5), t("c")))),
        ("a SENT b OR c", Or((Sent(t("a"), t("b")), t("c")))),
        ("title:@a", FieldScope("title", g("a"))),
        ("title:(a OR b)^2", Weighted(FieldScope("title", Or((t("a"), t("b")))), 2.0)),
        ("@a^2.5 OR b", Or((Weighted(g("a"), 2.5), t("b")))),
        ("NOT NOT a", Not(Not(t("a")))),
        ("a NEAR/3 b NEAR/4 c", Near(Near(t("a"), t("b"), 3), t("c"), 4)),
        ("\n  (@north_korea NEAR/40 @russia)\n  AND NOT @ceasefire\n",
         And((Near(g("north_korea"), g("russia"), 40), Not(g("ceasefire"))))),
        ("оружи* OR 朝鲜", Or((t("оружи*"), t("朝鲜")))),
    ],
)
def test_parse(src: str, ast: object) -> None:
    assert parse_query(src) == ast
    # Rendering and parsing again gives the same tree.
    assert parse_query(to_source(parse_query(src))) == ast


@pytest.mark.parametrize(
    ("src", "line", "column", "message"),
    [
        ("", 1, 1, "empty query"),
        ("a b", 1, 3, "expected AND, OR"),
        ("(a OR b", 1, 8, "expected ')'"),
        ("a OR b)", 1, 7, "unbalanced ')'"),
        ("a AND", 1, 6, "expected a term"),
        ("a AND\n  (b OR )", 2, 9, "expected a term"),
        ("NOT a NEAR/3 b", 1, 7, "cannot take a NOT operand"),
        ("a NEAR/0 b", 1, 3, "positive word distance"),
        ("a NEAR b", 1, 3, "NEAR needs a distance"),
        ("foo:bar", 1, 1, "unknown field"),
        ('"abc', 1, 1, "unterminated"),
        ('""', 1, 1, "empty quoted phrase"),
        ("se*n", 1, 3, "only allowed at the end"),
        ("*", 1, 1, "lone '*'"),
        ("a^x", 1, 2, "bad weight"),
        ("a^0", 1, 2, "positive"),
        ("@", 1, 1, "bad group name"),
        ("()", 1, 2, "empty parentheses"),
    ],
)
def test_syntax_errors_carry_position(src: str, line: int, column: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(src)
    assert (info.value.line, info.value.column) == (line, column)
    assert message in info.value.message


def H(field: str = "text", word: int = 0, sentence: int = 0) -> Hit:
    return Hit(field, word, sentence)


@pytest.mark.parametrize(
    ("src", "hits", "matched"),
    [
        ("a AND b", {"a": [H()], "b": [H()]}, True),
        ("a AND b", {"a": [H()]}, False),
        ("a OR b", {"b": [H()]}, True),
        ("a AND NOT b", {"a": [H()], "b": [H()]}, False),
        ("a AND NOT b", {"a": [H()]}, True),
        ("a NEAR/3 b", {"a": [H(word=1)], "b": [H(word=4)]}, True),
        ("a NEAR/3 b", {"a": [H(word=5)], "b": [H(word=1)]}, False),
        ("a NEAR/3 b", {"a": [H(word=9)], "b": [H(word=6)]}, True),  # either order
        ("a NEAR/3 b", {"a": [H("title", 1)], "b": [H("text", 1)]}, False),  # not across fields
        ("a SENT b", {"a": [H(sentence=2)], "b": [H(sentence=2)]}, True),
        ("a SENT b", {"a": [H(sentence=1)], "b": [H(sentence=2)]}, False),
        ("title:a", {"a": [H("text")]}, False),
        ("title:a", {"a": [H("title")]}, True),
        ("title:(a OR b) AND c", {"b": [H("title")], "c": [H("text")]}, True),
        ("(a OR b) NEAR/2 c", {"b": [H(word=10)], "a": [H(word=0)], "c": [H(word=11)]}, True),
        ("@g AND x", {"@g": [H()], "x": [H()]}, True),
        ("@g AND x", {"g": [H()], "x": [H()]}, False),  # group keys carry their '@'
    ],
)
def test_evaluate(src: str, hits: dict[str, list[Hit]], matched: bool) -> None:
    node = parse_query(src)
    assert evaluate(node, hits).matched is matched
    assert evaluate(node, hits, trace=True).matched is matched
    if matched:  # the boolean skeleton never rules out a real match
        ids = {key: i for i, key in enumerate(sorted(hits))}
        assert possible(node, lambda a: ids.get(a.key, -1))(set(ids.values()))


def test_near_keeps_only_supporting_hits() -> None:
    node = parse_query("a NEAR/2 b")
    res = evaluate(node, {"a": [H(word=0), H(word=50)], "b": [H(word=1)]})
    assert res.matched
    assert ("a", H(word=50)) not in res.support
    assert {k for k, _ in res.support} == {"a", "b"}


def test_weights_of_distinct_supporting_atoms() -> None:
    node = parse_query("(a^2 OR b OR c^3) AND d AND NOT e")
    assert max_weight(node) == 2 + 1 + 3 + 1
    res = evaluate(node, {"a": [H(), H()], "d": [H()], "c": [H()]})
    assert res.matched and res.weight == 2 + 3 + 1
    assert set(res.atoms) == {"a", "c", "d"}
    assert [a.key for a in positive_atoms(node)] == ["a", "b", "c", "d"]


def test_nested_weights_multiply_and_failed_branches_do_not_count() -> None:
    node = parse_query("(a^2 AND b)^3 OR c")
    res = evaluate(node, {"a": [H()], "c": [H()]})  # the AND fails: a does not support
    assert res.matched and res.weight == 1.0
    res = evaluate(node, {"a": [H()], "b": [H()]})
    assert res.weight == 6 + 3


def test_trace_tree_shows_values() -> None:
    res = evaluate(parse_query("a AND NOT b"), {"a": [H()], "b": [H()]}, trace=True)
    assert res.trace is not None
    assert res.trace.label == "AND" and res.trace.value is False
    assert [c.label for c in res.trace.children] == ["a", "NOT"]
    assert res.trace.children[1].children[0].value is True


@pytest.mark.parametrize(
    ("matched", "weight", "min_weight", "saturation", "score"),
    [
        (False, 5, 0, 4, 0.0),
        (True, 2, 0, 4, 0.75),
        (True, 4, 0, 4, 1.0),
        (True, 9, 0, 4, 1.0),
        (True, 1, 2, 4, 0.0),  # below min_weight
        (True, 2, 2, 4, 0.75),
    ],
)
def test_keyword_score(matched: bool, weight: float, min_weight: float, saturation: float,
                       score: float) -> None:
    got = keyword_score(matched, weight, min_weight=min_weight, saturation=saturation)
    assert got == pytest.approx(score)
    assert 0.0 <= got <= 1.0


# ---- property: adding a NOT term never adds matches

_ATOMS = ["a", "b", "c", "d"]


def _queries() -> st.SearchStrategy[str]:
    atom = st.sampled_from(_ATOMS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map(lambda p: f"({p[0]} AND {p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} OR {p[1]})"),
            st.tuples(inner, inner, st.integers(1, 5)).map(
                lambda p: f"({p[0]} NEAR/{p[2]} {p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} SENT {p[1]})"),
            inner.map(lambda q: f"title:({q})"),
        )

    return st.recursive(atom, extend, max_leaves=6)


_HITS = st.dictionaries(
    st.sampled_from(_ATOMS + ["x"]),
    st.lists(st.builds(Hit, st.sampled_from(["title", "text"]), st.integers(0, 12),
                       st.integers(0, 3)), min_size=1, max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(_queries(), _HITS, st.sampled_from(_ATOMS + ["x"]))
def test_adding_not_never_adds_matches(src: str, hits: dict, excluded: str) -> None:
    base = evaluate(parse_query(src), hits)
    narrowed = evaluate(parse_query(f"({src}) AND NOT {excluded}"), hits)
    assert not (narrowed.matched and not base.matched)
    if excluded in hits:
        assert not narrowed.matched
