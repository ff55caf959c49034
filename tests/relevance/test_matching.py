"""monitor.relevance.matching: one automaton, word boundaries, CJK substrings, queries over hits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.relevance.matching import KeywordEngine, compile_term
from monitor.relevance.rules import parse_rules

LEXICON = """
groups:
  north_korea:
    en: ["north korea", "dprk", "north korean*"]
    id: ["korea utara", "korut"]
    ru: ["кндр", "северн* коре*"]
    ko: ["북한"]
    zh: ["朝鲜"]
    ja: ["北朝鮮"]
  russia:
    en: ["russia", "russian*"]
    id: ["rusia"]
    ru: ["росси*"]
    ko: ["러시아"]
    zh: ["俄罗斯"]
  weapons:
    en: ["arms", "weapon*", "artillery shell*"]
    id: ["senjata*", "peluru artileri", "amunisi"]
    ru: ["оружи*", "боеприпас*"]
    ko: ["무기"]
    zh: ["武器"]
    ja: ["武器"]
  supply:
    en: ["supply", "supplies", "deliver*"]
    id: ["pasokan", "memasok"]
    ru: ["поставк*", "постав*"]
  ceasefire:
    en: ["ceasefire"]
    id: ["gencatan senjata"]
"""

TOPICS = {
    "r/pair.yaml": "name: pair\nuses: [lex]\nquery: '@north_korea NEAR/10 @russia'\n",
    "r/arms.yaml": (
        "name: arms\nuses: [lex]\n"
        "query: '(@weapons NEAR/5 @supply) AND NOT (@ceasefire AND NOT @supply)'\n"
    ),
    "r/kim.yaml": "name: kim\nquery: '\"kim jong-un\" OR \"ким чен ын\"'\n",
    "r/prefix.yaml": "name: prefix\nquery: '\"военн* сотрудничеств*\" OR \"arms deal*\"'\n",
    "r/titled.yaml": "name: titled\nuses: [lex]\nquery: 'title:@weapons AND @russia^2'\n",
    "r/sent.yaml": "name: sent\nuses: [lex]\nquery: '@north_korea SENT @weapons'\n",
}


@pytest.fixture(scope="module")
def engine() -> KeywordEngine:
    rs = parse_rules(TOPICS, {"r/lexicon/lex.yaml": LEXICON})
    return KeywordEngine(rs.topics)


def matched(engine: KeywordEngine, title: str, text: str = "") -> set[str]:
    return {name for name, r in engine.score(title, text).items() if r.matched}


@pytest.mark.parametrize(
    ("title", "text", "topics"),
    [
        # Indonesian
        ("Korut dan Rusia bahas pasokan senjata", "", {"pair", "arms"}),
        ("Rusia memasok peluru artileri", "", {"arms"}),
        ("Persenjataan baru dipamerkan", "pasokan air bersih", set()),  # prefix only at start
        ("Rusia dan Ukraina sepakat gencatan senjata", "pasokan listrik", set()),
        ("Gencatan senjata di Gaza", "", set()),
        # Russian: stems and inflection
        ("КНДР и Россия обсудили поставки оружия", "", {"pair", "arms"}),
        ("Поставка боеприпасов из Северной Кореи", "", {"arms"}),
        ("Россия и КНДР расширяют военное сотрудничество", "", {"pair", "prefix"}),
        # Korean particles attach; Chinese and Japanese have no spaces
        ("북한과 러시아의 무기 거래", "", {"pair"}),
        ("朝鲜与俄罗斯讨论武器", "", {"pair"}),
        ("北朝鮮とrussiaが会談", "", {"pair"}),
        # English boundaries
        ("Farms and harms: supply chains in Russia", "", set()),
        ("Russia to supply arms (report)", "", {"arms"}),
        ("North Korea's arms deals with Russia", "", {"pair", "prefix"}),
        ("DPRK-Russia summit: arms deliveries expected", "", {"pair", "arms"}),
        # names written every way
        ("Kim Jong Un visits a farm", "", {"kim"}),
        ("Kim Jong‑un visits a farm", "", {"kim"}),
        ("KIM JONG–UN visits a farm", "", {"kim"}),
        ("Ким Чен Ын посетил завод", "", {"kim"}),
        ("Kim Jong Unification", "", set()),
    ],
)
def test_multilingual_table(engine: KeywordEngine, title: str, text: str, topics: set) -> None:
    assert matched(engine, title, text) & {"pair", "arms", "kim", "prefix"} == topics


@pytest.mark.parametrize(
    ("title", "text", "topics"),
    [
        ("Weapons for Russia", "", {"titled"}),
        ("Russia news", "Weapons were shown.", set()),
        ("", "North Korea showed new weapons. Russia watched.", {"sent"}),
        ("", "North Korea paraded. New weapons were shown.", set()),
        ("北朝鮮の新型武器", "", {"sent"}),
        ("北朝鮮。新型武器", "", set()),
    ],
)
def test_field_scope_and_sentences(engine: KeywordEngine, title: str, text: str,
                                   topics: set) -> None:
    assert matched(engine, title, text) & {"titled", "sent"} == topics


@pytest.mark.parametrize(
    "title",
    ["𠀋𠀋 北朝鮮 😀 and Russia 𠀋", "😀😀 North Korea 🇷🇺 Russia 😀", "\U0002a6a5 朝鲜 俄罗斯 \U0002a6a5"],
)
def test_astral_characters_in_titles(engine: KeywordEngine, title: str) -> None:
    result = engine.score(title, title)["pair"]
    assert result.matched
    for ev in result.evidence:
        norm = engine.prepare(title, title).title_norm
        assert norm[ev.start : ev.end] in ("北朝鮮", "russia", "north korea", "朝鲜", "俄罗斯")


def test_evidence_offsets_and_snippet(engine: KeywordEngine) -> None:
    text = "Officials said Russia would supply arms. " + "Filler words here. " * 30
    result = engine.score("Report", text)["arms"]
    prepared = engine.prepare("Report", text)
    terms = {(e.term, e.group, prepared.text_norm[e.start : e.end]) for e in result.evidence}
    assert ("arms", "weapons", "arms") in terms and ("supply", "supply", "supply") in terms
    assert "Russia would supply arms" in result.snippet  # original case, not normalised
    assert len(result.snippet) <= 210


def test_prefix_evidence_covers_the_whole_word(engine: KeywordEngine) -> None:
    result = engine.score("Поставки оружия", "")["arms"]
    spans = {engine.prepare("Поставки оружия", "").title_norm[e.start : e.end]
             for e in result.evidence}
    assert spans == {"поставки", "оружия"}


def test_score_and_include_all(engine: KeywordEngine) -> None:
    results = engine.score("Weapons for Russia", "")
    assert set(results) == {"titled"}
    r = results["titled"]
    assert r.score == pytest.approx(1.0)  # both atoms: weight 1 + 2 of 3
    everything = engine.score("Weapons for Russia", "", include_all=True)
    assert list(everything) == [t.name for t in engine.topics]
    assert everything["pair"].score == 0 and not everything["pair"].matched


def test_terms_are_shared_in_one_automaton() -> None:
    lex = {"r/lexicon/l.yaml": "groups:\n  g: [arms, weapon*]\n"}
    one = KeywordEngine(parse_rules({"r/a.yaml": "name: a\nuses: [l]\nquery: '@g'\n"}, lex).topics)
    many_topics = {f"r/t{i}.yaml": f"name: t{i}\nuses: [l]\nquery: '@g OR arms'\n"
                   for i in range(50)}
    many = KeywordEngine(parse_rules(many_topics, lex).topics)
    assert one.term_count == many.term_count == 2
    assert set(many.score("Arms race", "")) == {f"t{i}" for i in range(50)}


def test_min_weight_gate() -> None:
    rs = parse_rules({"r/t.yaml": "name: t\nquery: 'arms OR missile^2 OR tank'\nmin_weight: 2\n"})
    engine = KeywordEngine(rs.topics)
    assert engine.score("Arms", "") == {}
    assert engine.score("Arms and tanks", "") == {}  # "tank" is not "tanks"
    assert engine.score("Arms and a tank", "")["t"].matched
    assert engine.score("A missile", "")["t"].score == pytest.approx(0.5 + 0.5 * 2 / 4)


def test_overlapping_terms_longest_wins() -> None:
    lex = {"r/lexicon/l.yaml": "groups:\n  nk: ['north korea']\n  sk: [korea, 'south korea']\n"}
    rs = parse_rules({"r/t.yaml": "name: t\nuses: [l]\nquery: '@sk'\n"}, lex)
    engine = KeywordEngine(rs.topics)
    assert engine.score("Korea beats Japan", "")["t"].matched
    rs2 = parse_rules({"r/t.yaml": "name: t\nuses: [l]\nquery: '@sk OR @nk'\n"}, lex)
    engine2 = KeywordEngine(rs2.topics)
    groups = {e.group for e in engine2.score("North Korea fires", "")["t"].evidence}
    assert groups == {"nk"}  # "korea" inside "north korea" is not South Korea


def test_lead_scope_counts_the_title_and_the_opening_words_only() -> None:
    rs = parse_rules({"r/t.yaml": "name: t\nquery: 'lead:(arms NEAR/3 supply)'\n"})
    engine = KeywordEngine(rs.topics)
    filler = " ".join(["word"] * 80)
    assert engine.score("Arms supply", "")["t"].matched
    assert engine.score("News", "The arms supply grew. " + filler)["t"].matched
    # The same words after the lead (a passing line in a long article) do not count.
    assert engine.score("News", filler + " the arms supply grew") == {}


def test_source_scope_reads_the_source_name_and_nothing_else_does() -> None:
    rs = parse_rules({"r/s.yaml": "name: s\nquery: 'source:kcna AND title:russian'\n",
                      "r/u.yaml": "name: u\nquery: 'kcna'\n"})
    engine = KeywordEngine(rs.topics)
    assert engine.uses_source
    assert set(engine.score("Russian delegation here", "", source="KCNA headlines")) == {"s"}
    assert engine.score("Russian delegation here", "", source="Reuters") == {}
    # An unscoped atom never matches in the source name ...
    assert "u" not in engine.score("Weather", "", source="KCNA")
    # ... and the source name is not scanned at all when no query asks for it.
    plain = KeywordEngine(parse_rules({"r/u.yaml": "name: u\nquery: 'kcna'\n"}).topics)
    assert not plain.uses_source and plain.score("Weather", "", source="KCNA") == {}


@pytest.mark.parametrize(
    ("term", "segments"),
    [
        ("arms", [("arms", False)]),
        ("arms deal*", [("arms deal", True)]),
        ("военн* сотрудничеств*", [("военн", True), ("сотрудничеств", True)]),
        ("U.S.", [("u s", False)]),
        ("朝鲜*", [("朝鲜", False)]),
        ("Kim Jong-un", [("kim jong un", False)]),
    ],
)
def test_compile_term(term: str, segments: list) -> None:
    assert [(s.text, s.prefix) for s in compile_term(term)] == segments


def test_empty_engine_and_empty_article() -> None:
    engine = KeywordEngine(())
    assert engine.score("anything", "at all") == {}
    rs = parse_rules({"r/t.yaml": "name: t\nquery: arms\n"})
    assert KeywordEngine(rs.topics).score("", "") == {}


# ---- property: a phrase match implies its words match

_WORDS = ["north", "korea", "russia", "arms", "the", "and", "korean", "farms", "-", ",", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.sampled_from([" ", "  ", "—"]))
def test_phrase_match_implies_word_matches(words: list[str], sep: str) -> None:
    rs = parse_rules({
        "r/p.yaml": "name: p\nquery: '\"north korea\"'\n",
        "r/w1.yaml": "name: w1\nquery: north\n",
        "r/w2.yaml": "name: w2\nquery: korea\n",
    })
    engine = KeywordEngine(rs.topics)
    text = sep.join(words)
    got = {k for k, r in engine.score(text, "").items() if r.matched}
    if "p" in got:
        assert {"w1", "w2"} <= got


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["arms", "senjata*", "оружи*", "북한", "kim jong-un"]))
def test_other_topics_never_change_a_topic_result(text: str, term: str) -> None:
    alone = parse_rules({"r/a.yaml": f"name: a\nquery: '\"{term}\"'\n"})
    crowd = parse_rules({
        "r/a.yaml": f"name: a\nquery: '\"{term}\"'\n",
        "r/b.yaml": "name: b\nquery: 'arms OR senjata OR оружие OR 북 OR kim'\n",
    })
    r1 = KeywordEngine(alone.topics).score(text, text).get("a")
    r2 = KeywordEngine(crowd.topics).score(text, text).get("a")
    assert (r1 is None) == (r2 is None)
    if r1 and r2:
        assert r1.score == r2.score


# ---- the real articles (when present): the shipped topics run without surprises

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "articles"
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"


def test_real_articles_smoke() -> None:
    files = sorted(SHARED.glob("*.jsonl")) if SHARED.is_dir() else []
    if not files or not any(REPO_RULES.glob("*.y*ml")):
        pytest.skip("real articles or shipped rules not present")
    from monitor.relevance.rules import load_rules

    engine = KeywordEngine(load_rules(REPO_RULES).topics)
    seen = 0
    for path in files:
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= 300:
                    break
                row = json.loads(line)
                for name, r in engine.score(row.get("title") or "", row.get("text") or "",
                                            row.get("language")).items():
                    assert r.matched and 0.5 <= r.score <= 1.0 and r.evidence and r.snippet
                    assert name in ("dprk-russia", "arms-transfers") or name
                seen += 1
    assert seen > 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + ["weapons", "senjata", "gencatan", "оружие"]),
                max_size=14),
       st.sampled_from(["arms", "korea", "gencatan senjata", "оружи*", "the"]))
def test_engine_not_term_never_adds_matches(words: list[str], excluded: str) -> None:
    base = "(arms OR weapon* OR senjata* OR оружи*) AND (korea OR russia)"
    rs = parse_rules({
        "r/a.yaml": f"name: a\nquery: '{base}'\n",
        "r/b.yaml": f"name: b\nquery: '({base}) AND NOT \"{excluded}\"'\n",
    })
    result = KeywordEngine(rs.topics).score(" ".join(words), "")
    assert not ("b" in result and "a" not in result)
    if "b" in result:
        assert result["b"].score <= result["a"].score  # shadowing can only remove hits
