"""monitor.relevance.rules: loading YAML and TOML topics, validation with positions, examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.errors import RulesError
from monitor.relevance.examples import run_examples
from monitor.relevance.query import Atom
from monitor.relevance.rules import check_term, load_rules, parse_rules
from monitor.relevance.topics import ClassifierSpec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
REPO_RULES = Path(__file__).resolve().parents[2] / "rules"


def test_good_fixtures_load_in_both_formats() -> None:
    rs = load_rules(FIXTURES / "good")
    assert rs.names == ("arms-transfers", "dprk-russia")
    toml_topic = rs.topic("arms-transfers")
    yaml_topic = rs.topic("dprk-russia")
    assert toml_topic.source_file.endswith("arms-transfers.toml")
    assert toml_topic.min_weight == 2
    assert {g.name for g in toml_topic.groups} == {"weapons", "transfer", "ceasefire"}
    assert yaml_topic.classifier == ClassifierSpec("keyword", 0.5, None)
    assert yaml_topic.literals == ("kim jong un",)
    assert yaml_topic.group("meeting").key == "dprk-russia/meeting"  # local group
    assert yaml_topic.group("weapons").key == "weapons"  # shared group
    assert [e.expect for e in yaml_topic.examples] == [True, True, True, True, False]
    assert yaml_topic.examples[0].line == 17 and yaml_topic.examples[0].language == "id"
    assert len(rs.fingerprint) == 40
    assert {g.name for g in rs.lexicon} == {"north_korea", "russia", "weapons", "ceasefire"}


def test_fingerprint_changes_with_content() -> None:
    topic = "name: t\nquery: arms\n"
    a = parse_rules({"rules/t.yaml": topic})
    b = parse_rules({"rules/t.yaml": topic.replace("arms", "weapons")})
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == parse_rules({"elsewhere/t.yaml": topic}).fingerprint


def test_good_fixture_examples_pass() -> None:
    results = run_examples(load_rules(FIXTURES / "good"))
    assert len(results) == 8
    failed = [str(r) for r in results if not r.ok]
    assert failed == []


def _expectations() -> list[tuple[str, int, int, str]]:
    """Each bad fixture says what it must produce: `# expect: LINE:COL message`."""
    out = []
    for path in sorted((FIXTURES / "bad").rglob("*")):
        if path.is_file():
            for m in re.finditer(r"# expect: (\d+):(\d+) (.+)", path.read_text("utf-8")):
                out.append((str(path), int(m.group(1)), int(m.group(2)), m.group(3).strip()))
    return out


def test_bad_fixtures_report_every_problem_at_once() -> None:
    with pytest.raises(RulesError) as info:
        load_rules(FIXTURES / "bad")
    problems = info.value.problems
    expected = _expectations()
    assert len(expected) >= 15
    missing = []
    for file, line, col, message in expected:
        if not any(p.file == file and p.line == line and p.column == col and message in p.message
                   for p in problems):
            missing.append(f"{file}:{line}:{col} {message}")
    assert missing == [], "\n".join(str(p) for p in problems)
    # Nothing reported beyond what the fixtures declare.
    assert len(problems) == len(expected)
    # Each problem renders as file:line:column.
    assert all(re.match(r".+\.(yaml|toml):\d+:\d+: ", str(p)) for p in problems)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"r/t.yaml": "name: t\n"}, "missing required key 'query'"),
        ({"r/t.yaml": "query: arms\n"}, "missing required key 'name'"),
        ({"r/t.yaml": "name: Bad_Name\nquery: arms\n"}, "bad topic name"),
        ({"r/t.yaml": "- just\n- a list\n"}, "must hold a mapping"),
        ({"r/t.yaml": ""}, "empty file"),
        ({"r/t.yaml": "name: t\nquery: [arms\n"}, "YAML syntax"),
        ({"r/t.yaml": "name: t\nquery: arms\nthreshold: 1.5\n"}, "must be >= 0 and <= 1"),
        ({"r/t.yaml": "name: t\nquery: arms\nthreshold: true\n"}, "must be a number"),
        ({"r/t.yaml": "name: t\nquery: arms\nsaturation: 0\n"}, "must be > 0"),
        ({"r/t.yaml": "name: t\nquery: 'se*n'\n"}, "only allowed at the end"),
        ({"r/t.yaml": "name: t\nquery: '@g'\nlexicon:\n  g: [1990]\n"}, "term must be a string"),
        ({"r/t.yaml": "name: t\nquery: '@g'\nlexicon:\n  g: ['a*']\n"}, "too short"),
        ({"r/t.yaml": "name: t\nquery: '@g'\nlexicon:\n  g: ['—']\n"}, "empty after"),
        ({"r/t.yaml": "name: t\nquery: '@g'\nlexicon:\n  g: 5\n"}, "a group must be a list"),
        ({"r/t.yaml": "name: t\nquery: arms\nexamples:\n  - title: x\n"}, "needs expect"),
        ({"r/t.yaml": "name: t\nquery: arms\nexamples:\n  - expect: match\n"},
         "needs a title or a text"),
        ({"r/t.yaml": "name: t\nquery: arms\nexamples:\n  - {title: x, expect: match,"
                      " language: klingon}\n"}, "unknown language"),
        ({}, "no topic files"),
    ],
)
def test_validation_messages(files: dict[str, str], message: str) -> None:
    with pytest.raises(RulesError) as info:
        parse_rules(files)
    assert any(message in p.message for p in info.value.problems), info.value


def test_yaml_keys_stay_strings() -> None:
    # `no` (Norwegian) would be the boolean False in YAML 1.1 if keys were constructed.
    rs = parse_rules({"r/t.yaml": "name: t\nquery: '@g'\nlexicon:\n  g:\n    no: [våpen]\n"})
    assert rs.topics[0].group("g").terms[0].language == "no"


def test_group_terms_as_plain_list_and_language_lists() -> None:
    rs = parse_rules({"r/t.toml": 'name = "t"\nquery = "@g"\n[lexicon]\ng = ["a b", "c d"]\n'})
    terms = rs.topics[0].group("g").terms
    assert [(t.text, t.language) for t in terms] == [("a b", "any"), ("c d", "any")]


def test_toml_positions_for_nested_keys() -> None:
    src = 'name = "t"\nquery = "arms"\n\n[classifier]\nmode = "never"\n'
    with pytest.raises(RulesError) as info:
        parse_rules({"r/t.toml": src})
    (problem,) = info.value.problems
    assert (problem.line, problem.path) == (5, "classifier.mode")


def test_load_rules_reads_directories(tmp_path: Path) -> None:
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "l.yml").write_text("groups:\n  g: [arms]\n", "utf-8")
    (tmp_path / "t.yml").write_text("name: t\nuses: [l]\nquery: '@g'\n", "utf-8")
    (tmp_path / "notes.txt").write_text("ignored", "utf-8")
    rs = load_rules(tmp_path)
    assert rs.names == ("t",)
    with pytest.raises(RulesError, match="rules directory not found"):
        load_rules(tmp_path / "missing")


def test_check_term() -> None:
    assert check_term("senjata*") is None
    assert check_term("военн* сотрудничеств*") is None
    assert check_term("朝*") is None  # one CJK character is a word
    assert "too short" in (check_term("x*") or "")
    assert "end of a word" in (check_term("se*n") or "")


def test_query_atoms_resolve_to_groups() -> None:
    rs = load_rules(FIXTURES / "good")
    topic = rs.topic("dprk-russia")
    groups = {a.value for a in [Atom("group", g.name) for g in topic.groups]}
    assert groups == {"north_korea", "russia", "weapons", "meeting", "ceasefire"}


# ---- the shipped rules: they load, and every embedded example passes

def _shipped() -> list:
    if not REPO_RULES.is_dir() or not any(REPO_RULES.glob("*.y*ml")):
        return []
    try:
        return run_examples(load_rules(REPO_RULES))
    except RulesError:
        return ["load-error"]


_SHIPPED = _shipped()


def test_shipped_rules_load() -> None:
    if not REPO_RULES.is_dir() or not any(REPO_RULES.glob("*.y*ml")):
        pytest.skip("no shipped rules yet")
    rs = load_rules(REPO_RULES)
    assert {"dprk-russia", "arms-transfers"} <= set(rs.names)
    for topic in rs.topics:
        assert topic.examples, f"{topic.name} has no examples"
        assert any(e.expect for e in topic.examples) and any(not e.expect for e in topic.examples)


@pytest.mark.parametrize("result", _SHIPPED or [None], ids=lambda r: f"{getattr(r, 'topic', r)}:{getattr(r, 'line', '')}")
def test_shipped_rule_example(result: object) -> None:
    if result is None:
        pytest.skip("no shipped rules yet")
    assert result != "load-error", "shipped rules fail to load"
    assert result.ok, str(result)  # type: ignore[union-attr]


def test_a_classifier_threshold_of_zero_is_kept() -> None:
    from monitor.relevance.rules import parse_rules

    ruleset = parse_rules({"t.yaml": "name: t\nquery: 'zebra'\nclassifier: {mode: gate, threshold: 0}\n"})
    assert ruleset.topics[0].classifier.threshold == 0.0


def test_classifier_floor_is_validated_and_only_for_either() -> None:
    ok = parse_rules({"r/t.yaml": "name: t\nquery: arms\nclassifier: {mode: either, threshold: 0.8, floor: 0.05}\n"})
    assert ok.topics[0].classifier.floor == 0.05
    with pytest.raises(RulesError) as err:
        parse_rules({"r/t.yaml": "name: t\nquery: arms\nclassifier: {mode: gate, floor: 0.05}\n"})
    assert "floor applies to mode: either only" in str(err.value)
    with pytest.raises(RulesError) as err:
        parse_rules({"r/t.yaml": "name: t\nquery: arms\nclassifier: {mode: either, floor: 2}\n"})
    assert "r/t.yaml:3" in str(err.value)
