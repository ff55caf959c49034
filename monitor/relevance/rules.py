"""Topic rule files: load, validate (every problem at once, with file:line:column), build.

Layout: `rules/*.yaml|yml|toml` hold one topic each; `rules/lexicon/*.yaml|yml|toml` hold
shared groups that a topic pulls in with `uses: [file-stem, ...]`. The format is in
docs/rules.md. The values built are in `topics`, the file readers in `rulefile`, running
the embedded examples in `examples`. `parse_rules` is pure (texts in, RuleSet out); `load_rules` reads a
directory and calls it, so a SIGHUP reload can validate a new set before swapping.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.errors import Problem, RulesError
from monitor.relevance.query import Atom, Node, QuerySyntaxError, atoms, evaluate, parse_query
from monitor.relevance.rulefile import Doc, Path_, load_doc
from monitor.relevance.text import is_cjk, normalize
from monitor.relevance.topics import ClassifierSpec, Example, Group, RuleSet, Term, Topic

__all__ = ["CLASSIFIER_MODES", "LANGUAGES", "RULE_SUFFIXES", "check_term", "load_rules", "parse_rules"]

RULE_SUFFIXES = (".yaml", ".yml", ".toml")
CLASSIFIER_MODES = ("keyword", "gate", "model", "either")

# ISO 639-1 codes, plus "any" for language-neutral lists (names, acronyms).
LANGUAGES = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho
    hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv
    kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr
    nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq
    sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
    yi yo za zh zu any""".split()
)
_LANG_TAG = re.compile(r"([a-z]{2,3})(?:-[a-z0-9]{2,8})?\Z")
_TOPIC_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_GROUP_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")

_TOPIC_KEYS = (
    "name description uses lexicon query threshold min_weight saturation classifier examples"
).split()
_LEXICON_KEYS = ("groups", "description")
_CLASSIFIER_KEYS = ("mode", "threshold", "training", "floor")
_EXAMPLE_KEYS = ("title", "text", "language", "source", "expect", "note")
_EXPECT = {"match": True, "no-match": False, "nomatch": False, "no_match": False}


# ---------------------------------------------------------------- validation helpers


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "mapping", type(None): "null"}.get(type(value), type(value).__name__)


def _check_keys(doc: Doc, path: Path_, value: dict, allowed: tuple[str, ...] | list[str],
                what: str, problems: list[Problem]) -> None:
    for key in value:
        if key not in allowed:
            hint = _suggest(str(key), allowed)
            problems.append(doc.problem(path + (key,), f"unknown key {key!r} in {what}"
                                        f" (allowed: {', '.join(allowed)}){hint}", key=True))


def _suggest(word: str, options: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _number(doc: Doc, path: Path_, value: Any, lo: float, hi: float | None,
            problems: list[Problem], *, lo_open: bool = False) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(doc.problem(path, f"must be a number, not {_type_name(value)}"))
        return None
    bad_lo = value <= lo if lo_open else value < lo
    if bad_lo or (hi is not None and value > hi):
        rng = f"{'>' if lo_open else '>='} {lo:g}" + (f" and <= {hi:g}" if hi is not None else "")
        problems.append(doc.problem(path, f"must be {rng}, got {value}"))
        return None
    return float(value)


def _string(doc: Doc, path: Path_, value: Any, problems: list[Problem],
            *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        problems.append(doc.problem(path, f"must be a string, not {_type_name(value)}"))
        return None
    return value


def _language_ok(code: str) -> bool:
    m = _LANG_TAG.match(code)
    return (bool(m) and m.group(1) in LANGUAGES) or code == "any"


def check_term(text: str) -> str | None:
    """Why a term is unusable, or None. Terms are literal; `*` only ends a word."""
    if not text.strip():
        return "empty term"
    norm = normalize(text)
    if not norm.replace("*", "").strip():
        return f"term {text!r} is empty after normalisation"
    for word in norm.split():
        star = word.find("*")
        if star == -1:
            continue
        if star != len(word) - 1:
            return f"term {text!r}: '*' is only allowed at the end of a word"
        stem = word[:-1]
        if not stem:
            return f"term {text!r}: a lone '*' matches everything"
        if len(stem) < 2 and not is_cjk(stem):
            return f"term {text!r}: prefix {word!r} is too short (at least 2 characters)"
    return None


def _group_terms(doc: Doc, path: Path_, value: Any, problems: list[Problem]) -> list[Term]:
    """A group is a list of terms or a mapping language -> list of terms."""
    terms: list[Term] = []

    def add_list(lpath: Path_, items: Any, lang: str) -> None:
        if isinstance(items, str):
            items = [items]
            lpath_items: list[Path_] = [lpath]
        elif isinstance(items, list):
            lpath_items = [lpath + (i,) for i in range(len(items))]
        else:
            problems.append(doc.problem(lpath, "must be a list of terms, not "
                                        + _type_name(items)))
            return
        for ipath, item in zip(lpath_items, items, strict=True):
            if not isinstance(item, str):
                problems.append(doc.problem(ipath, f"term must be a string, not {_type_name(item)}"
                                            " (quote it)"))
                continue
            why = check_term(item)
            if why:
                problems.append(doc.problem(ipath, why))
                continue
            terms.append(Term(item.strip(), lang, doc.at(ipath)[0]))

    if isinstance(value, list):
        add_list(path, value, "any")
    elif isinstance(value, dict):
        for lang, items in value.items():
            if not isinstance(lang, str) or not _language_ok(lang):
                problems.append(doc.problem(path + (lang,), f"unknown language key {lang!r}"
                                            " (use ISO 639-1 codes like en, id, ru, or 'any')",
                                            key=True))
                continue
            add_list(path + (lang,), items, lang)
    else:
        problems.append(doc.problem(path, "a group must be a list of terms or a mapping of"
                                    f" language -> list of terms, not {_type_name(value)}"))
        return terms
    return terms


def _groups(doc: Doc, path: Path_, value: Any, key_prefix: str,
            problems: list[Problem]) -> dict[str, Group]:
    out: dict[str, Group] = {}
    if not isinstance(value, dict):
        problems.append(doc.problem(path, f"must be a mapping of group name -> terms, not"
                                    f" {_type_name(value)}"))
        return out
    for name, body in value.items():
        gpath = path + (name,)
        if not isinstance(name, str) or not _GROUP_NAME.match(name):
            problems.append(doc.problem(gpath, f"bad group name {name!r} (letters, digits, _ . -)",
                                        key=True))
            continue
        n_before = len(problems)
        terms = _group_terms(doc, gpath, body, problems)
        if not terms and len(problems) == n_before:
            problems.append(doc.problem(gpath, f"group {name!r} has no terms", key=True))
        if terms or len(problems) > n_before:  # an empty group is reported once, here
            out[name] = Group(name, key_prefix + name, tuple(dict.fromkeys(terms)), doc.file,
                              doc.key_at(gpath)[0])
    return out


# ---------------------------------------------------------------- lexicon and topic files


@dataclass(frozen=True)
class _LexiconFile:
    stem: str
    file: str
    groups: dict[str, Group]


def _parse_lexicon(doc: Doc, problems: list[Problem]) -> _LexiconFile:
    data = doc.data
    _check_keys(doc, (), data, _LEXICON_KEYS, "a lexicon file", problems)
    if "description" in data:
        _string(doc, ("description",), data["description"], problems)
    groups: dict[str, Group] = {}
    if "groups" not in data:
        problems.append(Problem(doc.file, "missing required key 'groups'", 1, 1))
    else:
        groups = _groups(doc, ("groups",), data["groups"], "", problems)
    return _LexiconFile(Path(doc.file).stem, doc.file, groups)


def _parse_topic(doc: Doc, shared: dict[str, _LexiconFile], group_home: dict[str, str],
                 problems: list[Problem]) -> Topic | None:
    data = doc.data
    n_before = len(problems)
    _check_keys(doc, (), data, _TOPIC_KEYS, "a topic file", problems)
    for req in ("name", "query"):
        if req not in data:
            problems.append(Problem(doc.file, f"missing required key {req!r}", 1, 1))

    name = _string(doc, ("name",), data.get("name", ""), problems) or ""
    if "name" in data and name and not _TOPIC_NAME.match(name):
        problems.append(doc.problem(("name",), f"bad topic name {name!r}"
                                    " (lower-case letters, digits and '-')"))
    description = _string(doc, ("description",), data.get("description", ""), problems) or ""

    # Shared lexicon files this topic uses.
    visible: dict[str, Group] = {}
    uses = data.get("uses", [])
    if isinstance(uses, str):
        uses = [uses]
    if not isinstance(uses, list):
        problems.append(doc.problem(("uses",), "must be a list of lexicon file names"))
        uses = []
    for i, stem in enumerate(uses):
        upath = ("uses", i) if isinstance(data.get("uses"), list) else ("uses",)
        if not isinstance(stem, str):
            problems.append(doc.problem(upath, f"must be a string, not {_type_name(stem)}"))
        elif stem not in shared:
            known = ", ".join(sorted(shared)) or "none"
            problems.append(doc.problem(upath, f"unknown lexicon file {stem!r} (rules/lexicon/"
                                        f"{stem}.yaml not found; known: {known})"
                                        + _suggest(stem, shared)))
        else:
            visible.update(shared[stem].groups)

    local: dict[str, Group] = {}
    if "lexicon" in data:
        local = _groups(doc, ("lexicon",), data["lexicon"], f"{name}/", problems)
        for gname in local:
            if gname in visible:
                problems.append(doc.problem(("lexicon", gname), f"group {gname!r} is also defined"
                                            f" in the shared lexicon {visible[gname].source_file};"
                                            " rename one of them", key=True))

    threshold = 0.5
    if "threshold" in data:
        threshold = _number(doc, ("threshold",), data["threshold"], 0, 1, problems) or 0.0
    min_weight = 0.0
    if "min_weight" in data:
        min_weight = _number(doc, ("min_weight",), data["min_weight"], 0, None, problems) or 0.0
    saturation = None
    if "saturation" in data:
        saturation = _number(doc, ("saturation",), data["saturation"], 0, None, problems,
                             lo_open=True)

    classifier = ClassifierSpec()
    if "classifier" in data:
        classifier = _classifier(doc, data["classifier"], problems)

    examples: list[Example] = []
    if "examples" in data:
        examples = _examples(doc, data["examples"], problems)

    # The query, last: it refers to everything above.
    query: Node | None = None
    qsrc = data.get("query", "")
    used: dict[str, Group] = {}
    if "query" in data and _string(doc, ("query",), qsrc, problems) is not None:
        try:
            query = parse_query(qsrc)
        except QuerySyntaxError as e:
            line, col = doc.query_position(("query",), e)
            problems.append(Problem(doc.file, f"query syntax: {e.message}", line, col, "query"))
        if query is not None:
            for atom in atoms(query):
                if atom.kind != "group":
                    why = check_term(atom.value)
                    if why:
                        _query_problem(doc, atom, why, problems)
                    continue
                group = local.get(atom.value) or visible.get(atom.value)
                if group is None:
                    hint = ""
                    home = group_home.get(atom.value)
                    if home:
                        hint = f" (it is in lexicon file {home!r}: add it to 'uses')"
                    else:
                        hint = _suggest(atom.value, list(local) + list(visible))
                    _query_problem(doc, atom, f"undefined group @{atom.value}{hint}", problems)
                else:
                    used[group.name] = group
            if evaluate(query, {}).matched:
                line, col = doc.query_position(("query",), 0)
                problems.append(Problem(doc.file, "query matches articles that contain none of"
                                        " its terms (a bare NOT?); add a positive term",
                                        line, col, "query"))
    if len(problems) > n_before or query is None:
        return None
    return Topic(
        name=name,
        description=description,
        source_file=doc.file,
        query_source=qsrc,
        query=query,
        groups=tuple(used.values()),
        threshold=threshold,
        min_weight=min_weight,
        saturation=saturation,
        classifier=classifier,
        examples=tuple(examples),
        line=doc.key_at(("name",))[0] if "name" in data else 1,
    )


def _query_problem(doc: Doc, atom: Atom, message: str, problems: list[Problem]) -> None:
    line, col = doc.query_position(("query",), atom.offset)
    problems.append(Problem(doc.file, message, line, col, "query"))


def _classifier(doc: Doc, value: Any, problems: list[Problem]) -> ClassifierSpec:
    path = ("classifier",)
    if not isinstance(value, dict):
        problems.append(doc.problem(path, f"must be a mapping, not {_type_name(value)}"))
        return ClassifierSpec()
    _check_keys(doc, path, value, _CLASSIFIER_KEYS, "classifier", problems)
    mode = value.get("mode", "keyword")
    if mode not in CLASSIFIER_MODES:
        problems.append(doc.problem(path + ("mode",), f"mode must be one of"
                                    f" {', '.join(CLASSIFIER_MODES)}, got {mode!r}"))
        mode = "keyword"
    threshold = 0.5
    if "threshold" in value:
        number = _number(doc, path + ("threshold",), value["threshold"], 0, 1, problems)
        threshold = 0.5 if number is None else number  # 0 is a valid threshold: keep it
    training = _string(doc, path + ("training",), value.get("training"), problems,
                       allow_none=True)
    floor = 0.0
    if "floor" in value:
        number = _number(doc, path + ("floor",), value["floor"], 0, 1, problems)
        floor = 0.0 if number is None else number
        if mode != "either" and number:
            problems.append(doc.problem(path + ("floor",), "floor applies to mode: either only"))
    return ClassifierSpec(mode, threshold, training, floor)


def _examples(doc: Doc, value: Any, problems: list[Problem]) -> list[Example]:
    out: list[Example] = []
    if not isinstance(value, list):
        problems.append(doc.problem(("examples",), "must be a list of examples"))
        return out
    for i, item in enumerate(value):
        path: Path_ = ("examples", i)
        if not isinstance(item, dict):
            problems.append(doc.problem(path, "an example must be a mapping with title, text,"
                                        " language, expect"))
            continue
        n_before = len(problems)
        _check_keys(doc, path, item, _EXAMPLE_KEYS, "an example", problems)
        title = _string(doc, path + ("title",), item.get("title", ""), problems) or ""
        text = _string(doc, path + ("text",), item.get("text", ""), problems) or ""
        if not (title.strip() or text.strip()) and len(problems) == n_before:
            problems.append(doc.problem(path, "an example needs a title or a text"))
        language = _string(doc, path + ("language",), item.get("language"), problems,
                           allow_none=True)
        if language is not None and not _language_ok(language):
            problems.append(doc.problem(path + ("language",), f"unknown language {language!r}"))
        note = _string(doc, path + ("note",), item.get("note", ""), problems) or ""
        source = _string(doc, path + ("source",), item.get("source", ""), problems) or ""
        expect_raw = item.get("expect")
        if "expect" not in item:
            problems.append(doc.problem(path, "an example needs expect: match | no-match"))
            expect = True
        elif isinstance(expect_raw, bool):
            expect = expect_raw
        elif isinstance(expect_raw, str) and expect_raw.strip().lower() in _EXPECT:
            expect = _EXPECT[expect_raw.strip().lower()]
        else:
            problems.append(doc.problem(path + ("expect",), f"expect must be 'match' or"
                                        f" 'no-match', got {expect_raw!r}"))
            expect = True
        if len(problems) == n_before:
            out.append(Example(title, text, language, expect, doc.at(path)[0], note, source))
    return out


# ---------------------------------------------------------------- entry points


def parse_rules(topic_files: Mapping[str, str], lexicon_files: Mapping[str, str] = {},
                ) -> RuleSet:
    """Build a RuleSet from file texts keyed by path (the suffix picks YAML or TOML).

    Pure. Raises RulesError listing every problem found in every file.
    """
    problems: list[Problem] = []
    shared: dict[str, _LexiconFile] = {}
    group_home: dict[str, str] = {}
    for file in sorted(lexicon_files):
        doc = load_doc(file, lexicon_files[file], problems)
        if doc is None:
            continue
        lex = _parse_lexicon(doc, problems)
        if lex.stem in shared:
            problems.append(Problem(file, f"lexicon name {lex.stem!r} is used by"
                                    f" {shared[lex.stem].file} too", 1, 1))
            continue
        for gname in lex.groups:
            if gname in group_home:
                problems.append(doc.problem(("groups", gname), f"group {gname!r} is already"
                                            f" defined in lexicon file {group_home[gname]!r}",
                                            key=True))
            else:
                group_home[gname] = lex.stem
        shared[lex.stem] = lex

    topics: list[Topic] = []
    seen: dict[str, str] = {}
    for file in sorted(topic_files):
        doc = load_doc(file, topic_files[file], problems)
        if doc is None:
            continue
        topic = _parse_topic(doc, shared, group_home, problems)
        name = doc.data.get("name")
        if isinstance(name, str) and name:
            if name in seen:
                problems.append(doc.problem(("name",), f"topic {name!r} is already defined in"
                                            f" {seen[name]}"))
                continue
            seen[name] = file
        if topic is not None:
            topics.append(topic)
    if not topic_files:
        problems.append(Problem("rules", "no topic files (rules/*.yaml, *.yml, *.toml)"))
    if problems:
        raise RulesError(problems, f"{len(problems)} problem(s) in the rule files")

    digest = hashlib.sha1()
    for kind, files in (("topic", topic_files), ("lexicon", lexicon_files)):
        for file in sorted(files, key=lambda f: Path(f).name):
            digest.update(f"{kind}:{Path(file).name}\0".encode())
            digest.update(files[file].encode("utf-8"))
            digest.update(b"\0")
    lexicon = tuple(g for lex in shared.values() for g in lex.groups.values())
    return RuleSet(tuple(sorted(topics, key=lambda t: t.name)), lexicon, digest.hexdigest())


def _read_dir(directory: Path, problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix in RULE_SUFFIXES and not path.name.startswith("."):
            try:
                out[str(path)] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                problems.append(Problem(str(path), f"cannot read: {e}"))
    return out


def load_rules(directory: Path | str) -> RuleSet:
    """Load and validate `directory/*.yaml|yml|toml` and `directory/lexicon/*`.

    Raises RulesError with every problem (file, line, column) found.
    """
    directory = Path(directory)
    problems: list[Problem] = []
    if not directory.is_dir():
        raise RulesError([Problem(str(directory), "rules directory not found")])
    topic_files = _read_dir(directory, problems)
    lexicon_files = _read_dir(directory / "lexicon", problems)
    if problems:
        raise RulesError(problems)
    return parse_rules(topic_files, lexicon_files)
