"""The keyword engine: every term of every topic in one Aho-Corasick automaton.

An article is normalised once and scanned once (title and text joined), whatever the
number of topics; each raw hit is checked against word boundaries (spaced scripts) and
mapped to the atoms (`@group` or literal) that use the term; then only the topics with at
least one hit have their query evaluated over the hit positions. Pure: no I/O, no clock.

Term matching (see docs/rules.md):
- a term matches whole words in spaced scripts: "arms" is not in "farms";
- a trailing `*` on a word makes it a prefix: "senjata*" matches "senjatanya";
  every word of a multi-word term may carry one ("военн* сотрудничеств*");
- a term side written in Chinese, Japanese, Korean (or Thai, Lao, Khmer, Myanmar) script
  needs no boundary there, so "북한" matches "북한과";
- hyphens, dashes and line breaks count as spaces, so "kim jong-un" = "Kim Jong Un".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from monitor.models import Evidence, KeywordResult
from monitor.relevance.query import (
    EvalResult,
    Hit,
    atoms,
    evaluate,
    keyword_score,
    max_weight,
    possible,
    scopes,
)
from monitor.relevance.text import (
    is_unspaced_char,
    is_word_char,
    normalize,
    normalize_with_map,
    scan_form,
    sentence_index,
    sentence_starts,
)
from monitor.relevance.topics import Term, Topic

__all__ = ["SNIPPET_CHARS", "KeywordEngine", "Prepared", "compile_term"]

SNIPPET_CHARS = 200
_SEP = "\x00"  # between title and text in the scanned string; never inside a term
_EXACT, _PREFIX = 0, 1
_UNSPACED_TOKEN = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]"
)
_SCRIPT_DETECT = {
    "cyrillic": re.compile("[\u0400-\u052f]"),
    "greek": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
}


def _script_of(ch: str) -> str:
    """Which spaced automaton a term starting with `ch` goes to."""
    if ord(ch) < 0x250:
        return "latin"
    for script, detect in _SCRIPT_DETECT.items():
        if detect.match(ch):
            return script
    return "other"


_TOKEN_START = re.compile(_UNSPACED_TOKEN.pattern + r"|[^\s" + _UNSPACED_TOKEN.pattern[1:-1] + "]+")


@dataclass(frozen=True)
class _Segment:
    text: str
    prefix: bool


def compile_term(term: str, *, fold_accents: bool = True) -> tuple[_Segment, ...]:
    """Normalise a term into the segments the automaton matches.

    A segment ends at a word with a trailing `*` (a prefix) or at the term's end:
    "военн* сотрудничеств*" gives two prefix segments, "arms deal*" one. Punctuation in
    a spaced term becomes a word break, as in the scanned text ("u.s." -> "u s"). A `*`
    after a character of an unspaced script is dropped (those match as substrings).
    """
    norm = normalize(term, fold_accents=fold_accents)
    unspaced = any(is_unspaced_char(ch) for ch in norm)
    segments: list[_Segment] = []
    current: list[str] = []
    for word in norm.split():
        is_prefix = word.endswith("*")
        stem = word.rstrip("*")
        parts = ([stem] if stem else []) if unspaced else scan_form(stem).split()
        if not parts:
            continue
        current.extend(parts)
        if is_prefix:
            segments.append(_Segment(" ".join(current), not is_unspaced_char(parts[-1][-1])))
            current = []
    if current:
        segments.append(_Segment(" ".join(current), False))
    return tuple(segments)


@dataclass(frozen=True)
class _CompiledTopic:
    topic: Topic
    atom_ids: tuple[tuple[str, int], ...]  # (query atom key, global atom id)
    saturation: float
    possible: Callable[[Container[int]], bool]  # False: the query cannot hold (skip it)


@dataclass
class Prepared:
    """One article, normalised and scanned once (shared by score and explain)."""

    title: str  # original
    text: str
    language: str | None
    title_norm: str
    text_norm: str
    found: dict[int, list[tuple[str, int, int, str]]]  # atom id -> (field, start, end, term)
    source_norm: str = ""  # the feed or outlet name, matched only by `source:` scopes
    _hits: dict[int, list[Hit]] = field(default_factory=dict, repr=False)
    _fields: dict[str, _FieldIndex] = field(default_factory=dict, repr=False)

    def hits(self, aid: int) -> list[Hit]:
        """The hits of one atom with word and sentence numbers (computed on demand: most
        articles never get that far)."""
        cached = self._hits.get(aid)
        if cached is None:
            cached = []
            # The same span can come from two spellings of one term ("arms", "arms*").
            for fname, start, end, term in dict.fromkeys(self.found.get(aid, ())):
                idx = self._fields.get(fname)
                if idx is None:
                    text = {"title": self.title_norm, "text": self.text_norm}.get(fname, self.source_norm)
                    idx = self._fields[fname] = _FieldIndex(text)
                cached.append(Hit(fname, idx.word(start), idx.sentence(start), start, end, term))
            self._hits[aid] = cached
        return cached


class KeywordEngine:
    """Scores articles against every topic in one automaton pass.

    `score` returns a KeywordResult for each topic that matched (score > 0); a topic
    missing from the dict scored 0. Pass `include_all=True` to get every topic.
    """

    def __init__(self, topics: Iterable[Topic], *, fold_accents: bool = True,
                 max_evidence: int = 50) -> None:
        self.topics: tuple[Topic, ...] = tuple(topics)
        self.fold_accents = fold_accents
        self.max_evidence = max_evidence
        self._atom_index: dict[tuple[str, str], int] = {}
        self._atom_group: list[str] = []  # atom id -> group name ("" for a literal)
        self._atom_topics: list[list[int]] = []  # atom id -> compiled topic indexes
        self._compiled: list[_CompiledTopic] = []
        self._by_name: dict[str, int] = {}
        entries: dict[tuple[str, int], list[tuple[int, str, tuple[_Segment, ...]]]] = {}

        for t_index, topic in enumerate(self.topics):
            atom_ids: dict[str, int] = {}
            for atom in atoms(topic.query):
                if atom.key in atom_ids:
                    continue
                if atom.kind == "group":
                    group = topic.group(atom.value)
                    spec = ("group", group.key)
                    terms: Sequence[Term] = group.terms
                    gname = group.name
                else:
                    spec = ("term", atom.value)
                    terms = (Term(atom.value),)
                    gname = ""
                aid = self._atom_index.get(spec)
                if aid is None:
                    aid = len(self._atom_group)
                    self._atom_index[spec] = aid
                    self._atom_group.append(gname)
                    self._atom_topics.append([])
                    for term in terms:
                        self._add_term(entries, aid, term.text)
                if t_index not in self._atom_topics[aid]:
                    self._atom_topics[aid].append(t_index)
                atom_ids[atom.key] = aid
            sat = topic.saturation if topic.saturation else max_weight(topic.query)
            self._compiled.append(_CompiledTopic(
                topic, tuple(atom_ids.items()), sat or 1.0,
                possible(topic.query, lambda a, ids=atom_ids: ids[a.key])))
            self._by_name[topic.name] = t_index

        # Spaced terms: keys are " term " (exact) or " term" (prefix), matched against the
        # scan form of the text, where every non-word character is a space; the automaton
        # then checks word boundaries itself. One automaton per script of the term's first
        # letter keeps the trie's top nodes narrow (pyahocorasick searches children
        # linearly); an ASCII text only needs the Latin one. Terms with CJK/Hangul/Kana/
        # Thai characters go to another automaton, run only on texts holding such chars.
        spaced: dict[str, ahocorasick.Automaton] = {}
        self._unspaced = ahocorasick.Automaton()
        n_unspaced = 0
        for (key, kind), items in entries.items():
            if any(is_unspaced_char(ch) for ch in key):
                left = not is_unspaced_char(key[0])
                right = not is_unspaced_char(key[-1])
                exact = tuple(items) if kind == _EXACT else ()
                prefix = tuple(items) if kind == _PREFIX else ()
                old = self._unspaced.get(key, None)
                if old is not None:
                    exact, prefix = exact or old[3], prefix or old[4]
                else:
                    n_unspaced += 1
                self._unspaced.add_word(key, (len(key), left, right, exact, prefix))
            else:
                akey = " " + key + (" " if kind == _EXACT else "")
                script = _script_of(key[0])
                if script not in spaced:
                    spaced[script] = ahocorasick.Automaton()
                spaced[script].add_word(akey, (len(akey), kind == _PREFIX, tuple(items)))
        for automaton in spaced.values():
            automaton.make_automaton()
        self._latin = spaced.pop("latin", None)
        # (automaton, detector) for the other scripts; detector None = always run
        self._scripts = tuple((automaton, _SCRIPT_DETECT.get(script))
                              for script, automaton in sorted(spaced.items()))
        self.term_count = len(entries)
        # The source name is scanned only when some query asks for it (`source:`).
        self.uses_source = any("source" in scopes(t.query) for t in self.topics)
        self._has_unspaced = n_unspaced > 0
        if self._has_unspaced:
            self._unspaced.make_automaton()

    def _add_term(self, entries: dict, aid: int, text: str) -> None:
        segments = compile_term(text, fold_accents=self.fold_accents)
        if not segments:
            return
        shown = normalize(text, fold_accents=self.fold_accents)
        first = segments[0]
        kind = _PREFIX if first.prefix else _EXACT
        item = (aid, shown, segments[1:])
        bucket = entries.setdefault((first.text, kind), [])
        if item not in bucket:
            bucket.append(item)

    # ------------------------------------------------------------ scanning

    def prepare(self, title: str, text: str, language: str | None = None, source: str = "") -> Prepared:
        """Normalise and scan one article (`source`: the feed or outlet name)."""
        title_n = normalize(title or "", fold_accents=self.fold_accents)
        text_n = normalize(text or "", fold_accents=self.fold_accents)
        source_n = normalize(source or "", fold_accents=self.fold_accents) if self.uses_source else ""
        found: dict[int, list[tuple[str, int, int, str]]] = {}
        if self.term_count:
            self._scan(title_n, text_n, source_n, found)
        return Prepared(title or "", text or "", language, title_n, text_n, found, source_norm=source_n)

    def _scan(self, title_n: str, text_n: str, source_n: str,
              found: dict[int, list[tuple[str, int, int, str]]]) -> None:
        joined = title_n + _SEP + text_n
        if source_n:
            joined += _SEP + source_n
        split = len(title_n) + 1  # text field starts here (offsets in `joined`)
        source_at = split + len(text_n) + 1 if source_n else len(joined) + 1
        # One leading space, so an offset in `scan` is the offset in `joined` + 1.
        scan = " " + scan_form(joined) + " "
        automata = [self._latin] if self._latin is not None else []
        if not scan.isascii():
            automata.extend(a for a, detect in self._scripts
                            if detect is None or detect.search(scan))
        for automaton in automata:
            for end_idx, (klen, is_prefix, items) in automaton.iter(scan):
                start = end_idx - klen + 1  # the leading space = the term's start in joined
                stop = scan.find(" ", end_idx + 1) if is_prefix else end_idx
                fname, base = _field_at(start, split, source_at)
                for aid, term, rest in items:
                    end = stop
                    if rest:
                        end = _match_rest(scan, stop, rest)
                        if end < 0:
                            continue
                    hits = found.get(aid)
                    if hits is None:
                        hits = found[aid] = []
                    hits.append((fname, start - base, end - 1 - base, term))
        if self._has_unspaced and not joined.isascii() and _UNSPACED_TOKEN.search(joined):
            self._scan_unspaced(joined, split, source_at, found)

    def _scan_unspaced(self, joined: str, split: int, source_at: int,
                       found: dict[int, list[tuple[str, int, int, str]]]) -> None:
        scan = joined.replace("\n", " ")
        n = len(scan)
        for end_idx, (klen, left, right, exact, prefix) in self._unspaced.iter(scan):
            start = end_idx - klen + 1
            end = end_idx + 1
            if left and start > 0 and is_word_char(scan[start - 1]):
                continue
            bounded = not right or end >= n or not is_word_char(scan[end])
            fname, base = _field_at(start, split, source_at)
            for group, is_prefix in ((exact, False), (prefix, True)):
                if not group or (not is_prefix and not bounded):
                    continue
                stop = _word_end(scan, end) if (is_prefix and right) else end
                for aid, term, rest in group:
                    e = _match_rest(scan, stop, rest) if rest else stop
                    if e >= 0:
                        found.setdefault(aid, []).append((fname, start - base, e - base, term))

    # ------------------------------------------------------------ scoring

    def score(self, title: str, text: str, language: str | None = None, *,
              include_all: bool = False, source: str = "") -> dict[str, KeywordResult]:
        """Score one article against every topic.

        Returns the topics whose query matched (score > 0), with evidence and snippet.
        With `include_all=True`, every topic is present: unmatched ones with score 0 and,
        when some of their terms hit, those hits as evidence (to show why not).
        """
        return self.score_prepared(self.prepare(title, text, language, source), include_all=include_all)

    def score_prepared(self, prepared: Prepared, *, include_all: bool = False) -> dict[str, KeywordResult]:
        """`score` of an article already scanned by `prepare`."""
        out: dict[str, KeywordResult] = {}
        candidates: set[int] = set()
        for aid in prepared.found:
            candidates.update(self._atom_topics[aid])
        snippet_cache: dict[str, tuple[str, list[int]]] = {}
        for t_index in sorted(candidates):
            compiled = self._compiled[t_index]
            if not include_all and not compiled.possible(prepared.found):
                continue
            result = self._evaluate(compiled, prepared)
            if result.matched or include_all:
                res = self._result(compiled, prepared, result, snippet_cache)
                if res.matched or include_all:
                    out[compiled.topic.name] = res
        if include_all:
            for topic in self.topics:
                if topic.name not in out:
                    out[topic.name] = KeywordResult(topic.name, False, 0.0)
            out = {t.name: out[t.name] for t in self.topics}
        return out

    def concepts(self, prepared: Prepared) -> frozenset[str]:
        """Every lexicon group (short name) with a hit in the article, whatever the queries
        decided: language-independent evidence for story grouping."""
        groups = self._atom_group
        return frozenset(groups[aid].rsplit("/", 1)[-1] for aid in prepared.found if groups[aid])

    def score_topic(self, topic: str, title: str, text: str,
                    language: str | None = None, source: str = "") -> KeywordResult:
        """Score one article against one topic (KeyError for an unknown topic)."""
        compiled = self._compiled[self._by_name[topic]]
        prepared = self.prepare(title, text, language, source)
        return self._result(compiled, prepared, self._evaluate(compiled, prepared), {})

    def topic_hits(self, topic: str, prepared: Prepared) -> dict[str, list[Hit]]:
        """Hits per query atom key (`@group` / literal) of one topic in a prepared article,
        without the hits shadowed by a longer hit of the same topic."""
        return self._topic_hits(self._compiled[self._by_name[topic]], prepared)

    @staticmethod
    def _topic_hits(compiled: _CompiledTopic, prepared: Prepared) -> dict[str, list[Hit]]:
        found = prepared.found
        hits = {key: prepared.hits(aid) for key, aid in compiled.atom_ids if aid in found}
        return _drop_shadowed(hits) if len(hits) > 1 else hits

    def topic(self, name: str) -> Topic:
        return self.topics[self._by_name[name]]

    def saturation(self, topic: str) -> float:
        return self._compiled[self._by_name[topic]].saturation

    def _evaluate(self, compiled: _CompiledTopic, prepared: Prepared,
                  *, trace: bool = False) -> EvalResult:
        return evaluate(compiled.topic.query, self._topic_hits(compiled, prepared), trace=trace)

    def _result(self, compiled: _CompiledTopic, prepared: Prepared, result: EvalResult,
                snippet_cache: dict[str, tuple[str, list[int]]]) -> KeywordResult:
        topic = compiled.topic
        score = keyword_score(result.matched, result.weight, min_weight=topic.min_weight,
                              saturation=compiled.saturation)
        ids = dict(compiled.atom_ids)
        if result.matched:
            pairs: Iterable[tuple[str, Hit]] = result.support
        else:
            pairs = ((key, h) for key, found in self._topic_hits(compiled, prepared).items()
                     for h in found)
        evidence: dict[Evidence, None] = {}
        for key, hit in pairs:
            ev = Evidence(hit.term, self._atom_group[ids[key]], hit.field, hit.start, hit.end)
            evidence[ev] = None
            if len(evidence) >= self.max_evidence:
                break
        ordered = tuple(sorted(evidence, key=lambda e: (e.field != "title", e.start)))
        snippet = _snippet(prepared, ordered, snippet_cache, self.fold_accents) if score else ""
        return KeywordResult(topic.name, score > 0, score, ordered, snippet)


# ---------------------------------------------------------------- helpers


def _field_at(start: int, split: int, source_at: int) -> tuple[str, int]:
    """The field a hit starting at `start` of the scanned string lies in, and its offset."""
    if start < split:
        return "title", 0
    if start < source_at:
        return "text", split
    return "source", source_at


def _drop_shadowed(hits: dict[str, list[Hit]]) -> dict[str, list[Hit]]:
    """Within one topic, drop hits lying inside a longer hit of the topic: "senjata"
    (weapons) inside "gencatan senjata" (ceasefire), "korea" inside "north korea".
    Hits with the very same span are all kept."""
    flat = sorted(((h.field, h.start, -h.end, key, h) for key, found in hits.items()
                   for h in found))
    kept: dict[str, list[Hit]] = {}
    current, max_end, max_start = "", -1, -1
    for fname, start, neg_end, key, hit in flat:
        end = -neg_end
        if fname != current:
            current, max_end, max_start = fname, -1, -1
        if max_end >= end and not (max_start == start and max_end == end):
            continue
        kept.setdefault(key, []).append(hit)
        if end > max_end:
            max_end, max_start = end, start
    return kept


def _word_end(s: str, pos: int) -> int:
    n = len(s)
    while pos < n and is_word_char(s[pos]):
        pos += 1
    return pos


def _match_rest(s: str, pos: int, rest: tuple[_Segment, ...]) -> int:
    """Match the following segments of a multi-segment term after `pos`; -1 if absent."""
    for seg in rest:
        if pos >= len(s) or s[pos] != " ":
            return -1
        pos += 1
        if not s.startswith(seg.text, pos):
            return -1
        end = pos + len(seg.text)
        tail_spaced = not is_unspaced_char(seg.text[-1])
        if seg.prefix and tail_spaced:
            end = _word_end(s, end)
        elif tail_spaced and end < len(s) and is_word_char(s[end]):
            return -1
        pos = end
    return pos


class _FieldIndex:
    """Lazy word and sentence numbering of one normalised field."""

    __slots__ = ("_sentences", "_tokens", "_unspaced", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokens: list[int] | None = None
        self._sentences: list[int] | None = None
        self._unspaced: bool | None = None

    def word(self, offset: int) -> int:
        if self._unspaced is None:
            self._unspaced = (not self.text.isascii()
                              and _UNSPACED_TOKEN.search(self.text) is not None)
        if not self._unspaced:
            text = self.text
            return text.count(" ", 0, offset) + text.count("\n", 0, offset)
        if self._tokens is None:
            self._tokens = [m.start() for m in _TOKEN_START.finditer(self.text)]
        return bisect.bisect_right(self._tokens, offset) - 1 if self._tokens else 0

    def sentence(self, offset: int) -> int:
        if self._sentences is None:
            self._sentences = sentence_starts(self.text)
        return sentence_index(self._sentences, offset)


def _snippet(prepared: Prepared, evidence: Sequence[Evidence],
             cache: dict[str, tuple[str, list[int]]], fold: bool) -> str:
    """~SNIPPET_CHARS of original text around the first hit (text field preferred)."""
    in_text = [e for e in evidence if e.field == "text"]
    in_title = [e for e in evidence if e.field == "title"]
    chosen = min(in_text, key=lambda e: e.start) if in_text else (in_title[0] if in_title else None)
    if chosen is None:
        return ""
    original = prepared.text if chosen.field == "text" else prepared.title
    norm = prepared.text_norm if chosen.field == "text" else prepared.title_norm
    pos = _original_offset(original, norm, chosen.start, chosen.end, fold)
    return _window(norm, chosen.start) if pos is None else _window(original, pos)


_MAP_WHOLE = 3000  # map the whole field up to this length, else a slice around the hit


def _original_offset(original: str, norm: str, start: int, end: int, fold: bool) -> int | None:
    """Where the normalised span [start, end) begins in the original text (for display)."""
    if len(original) <= _MAP_WHOLE:
        mapped, offsets = normalize_with_map(original, fold_accents=fold)
        return offsets[start] if mapped == norm and start < len(offsets) else None
    term = norm[start:end]
    estimate = start * len(original) // max(1, len(norm))
    lo = original.rfind(" ", 0, max(0, estimate - _MAP_WHOLE // 2)) + 1
    hi = min(len(original), estimate + _MAP_WHOLE // 2)
    mapped, offsets = normalize_with_map(original[lo:hi], fold_accents=fold)
    best: int | None = None
    at = mapped.find(term)
    while at != -1:
        candidate = lo + offsets[at]
        if best is None or abs(candidate - estimate) < abs(best - estimate):
            best = candidate
        at = mapped.find(term, at + 1)
    return best


def _window(source: str, pos: int) -> str:
    lo = max(0, pos - SNIPPET_CHARS // 3)
    hi = min(len(source), lo + SNIPPET_CHARS)
    lo = max(0, min(lo, hi - SNIPPET_CHARS))
    if lo > 0:
        space = source.find(" ", lo, pos)
        lo = space + 1 if space != -1 else lo
    if hi < len(source):
        space = source.rfind(" ", pos, hi)
        hi = space if space > pos else hi
    text = " ".join(source[lo:hi].split())
    return ("…" if lo > 0 else "") + text + ("…" if hi < len(source) else "")
