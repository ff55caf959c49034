"""Copies and stories in one in-memory index over event time, bounded by a window.

Pure: no I/O and no clock (`now` is a parameter). `StoryIndex.observe` decides, for one
article, in this order:

1. **same article** (article id, GUID or canonical URL of a live article): ``exact``;
   ``updated`` is True when its words changed (an edit);
2. **exact copy** (same words, other URL): ``exact``;
3. **near copy** (same language, linked, and at least ``near_threshold`` of the bottom-32
   sketch of the text's terms shared, whatever the title): ``near``;
4. **same story**: linked to articles published within ``story_window`` of its own
   published time, by words (same language: TF-IDF cosine of word terms) or by concepts
   (any language: lexicon groups, numbers, designators; IDF-weighted cosine),
   kind ``story``. When it links articles of two stories, they merge into the older one
   (``DedupDecision.merged`` names the absorbed stories);
5. otherwise a **new** story whose id is the article's id.

Time is the articles' published time (clamped to `now` when in the future), so the order of
arrival does not matter: a late article meets the articles of its time. Articles published
more than ``window`` before the newest one seen are forgotten, except the ``late_keep``
most recent arrivals (a backfill of old articles still meets its own story).
See docs/stories.md for the rules and the figures.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from monitor.models import DedupDecision
from monitor.stories.evidence import (
    concept_key,
    fingerprint,
    headline_core,
    identity_keys,
    text_features,
    word_terms,
)

NEW, EXACT, NEAR, STORY = "new", "exact", "near", "story"

_SLOT_BITS = 22  # posting value = serial << _SLOT_BITS | slot
_SLOT_MASK = (1 << _SLOT_BITS) - 1
_MIN_COMMON_TERMS = 3
_MAX_CONCEPTS = 32  # per article, the rarest in the window
_SKETCH, _MIN_SKETCH = 16, 8  # bottom-k sketch of a text's terms; shorter texts are never near copies
_POSTED_TERMS = 8  # an article is listed under its heaviest terms and its concepts

_KIND_BITS = 30
_KIND_SHIFT = np.uint32(_KIND_BITS)
_CRC_BITS = (1 << _KIND_BITS) - 1
_ENTITY, _EVENT, _DESIGNATOR = 0, 1, 2  # kinds of concept
_MERGE_SCORE = 0.45
_POSTING_TAIL = 32  # of a long posting list only the latest arrivals are candidates
# A key listed by more than 5% of the window, or by 500 articles, tells no story apart.
_COMMON_SHARE, _COMMON_MIN, _COMMON_MAX = 0.05, 50, 500
_NO_SLOTS = np.empty(0, dtype=np.int64)
_MIN_SHARED_KEYS = 2
_CANDIDATE_BUDGET = 256
_MAX_CANDIDATES = 32  # compared in full: those sharing the most posting keys


@dataclass(frozen=True)
class DedupInput:
    """What story grouping needs to know of one article."""

    article_id: str
    url: str
    guid: str | None
    title: str
    text: str
    source: str  # outlet name
    language: str | None
    published: datetime  # the pipeline passes the fetch time when the feed gives none
    # Language-independent concepts: the lexicon groups the keyword engine found
    # ("north_korea", "artillery"). Names starting with "#", "~" or "@" are reserved.
    features: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoryStats:
    story: str
    articles: int  # articles observed in the story (copies included)
    outlets: tuple[str, ...]  # distinct outlets, sorted
    languages: tuple[str, ...]  # distinct language codes, sorted ("" = unknown)
    first_seen: datetime  # observation time of the first article
    last_seen: datetime  # observation time of the latest article


class _Story:
    __slots__ = (
        "absorbed",
        "articles",
        "created",
        "first_seen",
        "languages",
        "last_seen",
        "live",
        "outlets",
        "story",
    )

    def __init__(self, story: str, created: int, now: datetime) -> None:
        self.story = story
        self.created = created
        self.articles = 0
        self.outlets: dict[str, datetime] = {}  # outlet -> when it joined
        self.languages: set[str] = set()
        self.first_seen = self.last_seen = now
        self.live = 0  # rows in the window
        self.absorbed: list[str] = []  # stories merged into this one


class _Row:
    __slots__ = (
        "article_id",
        "concepts",
        "keys",
        "posted",
        "serial",
        "slot",
        "stamp",
        "story",
        "terms",
        "words_key",
    )

    def __init__(self, serial: int, slot: int, article_id: str, story: str, stamp: float) -> None:
        self.serial = serial
        self.slot = slot
        self.article_id = article_id
        self.story = story  # the story it joined; `_root` follows later merges
        self.stamp = stamp
        self.keys: tuple[int, ...] = ()
        self.words_key = 0
        self.posted = array("Q")  # posting keys it is listed under
        self.terms = array("I")  # for document frequencies
        self.concepts = array("I")


@dataclass(frozen=True)
class _Evidence:
    identity: tuple[int, int, int]
    words_key: int  # title and text
    sketch: tuple[int, ...]  # the text's `_SKETCH` smallest term hashes, sorted: a copy has the same
    stamp: float
    language: int
    term_counts: dict[int, int]  # title twice, lead once
    concepts: tuple[str, ...]


@dataclass(frozen=True)
class _Weighed:
    """An article's weighed keys: its `top_terms` heaviest terms (CRC, L2-normed TF-IDF)
    and its concepts (kind in the top 2 bits, IDF), each sorted; `keys`/`weights` hold both,
    sorted together, for lookups."""

    keys: np.ndarray  # uint32, terms and concepts
    weights: np.ndarray  # float32, aligned with `keys`
    row_keys: np.ndarray  # uint32, the slot layout: terms, zeros, concepts, zeros
    row_weights: np.ndarray  # float32, aligned with `row_keys`
    designators: bool  # names a weapon designator (K2, Su-57)
    norm: float  # L2 norm of the concept weights
    posting: tuple[int, ...]  # keys it is listed under: its heaviest terms and its concepts
    concept_crcs: tuple[int, ...]  # for the concepts' document frequencies


class StoryIndex:
    """Settings (see docs/stories.md for how they were chosen):

    - ``window``: how far behind the newest published time articles are kept (72 h);
    - ``story_window``: the largest gap in published time between linked articles (36 h);
    - ``near_threshold``: word cosine of a near copy (0.8);
    - ``text_threshold``: word cosine that links two articles of one language (0.3);
    - ``concept_threshold``: concept cosine that links two articles (0.5), with at least
      ``min_shared`` concepts in common;
    - ``entity_features``: lexicon groups that only name who or where (countries, leaders);
      with them, a link also needs a shared event concept (an action, a number, a weapon);
    - ``late_keep``: arrivals kept past the window for late and backfilled articles.
    """

    def __init__(
        self,
        window: timedelta = timedelta(hours=72),
        story_window: timedelta = timedelta(hours=36),
        near_threshold: float = 0.8,
        *,
        text_threshold: float = 0.3,
        concept_threshold: float = 0.2,
        min_shared: int = 2,
        entity_features: frozenset[str] | None = None,
        late_keep: int = 10_000,
        top_terms: int = 24,
        min_fingerprint_words: int = 8,
    ) -> None:
        if window <= timedelta(0) or story_window <= timedelta(0):
            raise ValueError("window and story_window must be positive")
        for name, value in (("near_threshold", near_threshold), ("text_threshold", text_threshold),
                            ("concept_threshold", concept_threshold)):
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1]")
        if min_shared < 1 or late_keep < 0 or top_terms < 4:
            raise ValueError("min_shared >= 1, late_keep >= 0 and top_terms >= 4 are required")
        self.window = window
        self.story_window = story_window
        self.near_threshold = near_threshold
        self.text_threshold = text_threshold
        self.concept_threshold = concept_threshold
        self.min_shared = min_shared
        self.entity_features = entity_features
        self.late_keep = late_keep
        self.top_terms = top_terms
        self.min_fingerprint_words = min_fingerprint_words
        self.candidate_budget = _CANDIDATE_BUDGET  # posting entries read per article
        self._window_s = window.total_seconds()
        self._story_s = story_window.total_seconds()
        self._entity_keys = frozenset(concept_key(f) for f in entity_features or ())

        self._serial = 0
        self._clock = -math.inf
        self._rows: dict[int, _Row] = {}  # serial -> row
        self._keys: dict[int, int] = {}  # identity or words key -> serial
        self._postings: dict[int, list[int]] = {}
        self._posted = 0  # entries in the posting lists, dead ones included
        self._live_posted = 0  # entries of live rows
        self._term_df: Counter[int] = Counter()
        self._concept_df: Counter[int] = Counter()
        self._by_stamp: list[tuple[float, int]] = []  # heap: when rows fall behind the window
        self._late: list[int] = []  # heap of serials behind the window, kept for late arrivals
        self._stories: dict[str, _Story] = {}
        self._parent: dict[str, str] = {}  # absorbed story -> the story it merged into
        self._languages: dict[str, int] = {}
        # Per slot: the row's arrays, compared many at a time.
        self._free: list[int] = []
        cap = 1024
        width = top_terms + _MAX_CONCEPTS
        self._slot_serial = np.full(cap, -1, dtype=np.int64)
        self._slot_stamp = np.zeros(cap, dtype=np.float64)
        self._slot_lang = np.zeros(cap, dtype=np.int32)
        self._slot_sketch = np.zeros((cap, _SKETCH), dtype=np.uint32)
        self._slot_sketch_n = np.zeros(cap, dtype=np.int16)
        self._slot_norm = np.ones(cap, dtype=np.float32)
        self._slot_desig = np.zeros(cap, dtype=bool)
        self._slot_keys = np.zeros((cap, width), dtype=np.uint32)
        self._slot_weights = np.zeros((cap, width), dtype=np.float32)  # float16 measured ~10% slower

    # -- public ----------------------------------------------------------------------

    def observe(self, item: DedupInput, now: datetime) -> DedupDecision:
        """Decide what `item` is, then remember it."""
        return self._decide(item, now, self._evidence(item, now))

    def observe_batch(self, items: Sequence[DedupInput], nows: Sequence[datetime]) -> list[DedupDecision]:
        """`observe` for each item in order (item i at ``nows[i]``)."""
        if len(items) != len(nows):
            raise ValueError("observe_batch needs one `now` per item")
        return [self.observe(item, now) for item, now in zip(items, nows, strict=True)]

    def restore_batch(self, items: Sequence[DedupInput], stories: Sequence[str],
                      observed: Sequence[datetime]) -> None:
        """Re-insert articles decided before a restart with their stored story ids
        (oldest first)."""
        if not len(items) == len(stories) == len(observed):
            raise ValueError("restore_batch needs one story and one time per item")
        for item, story, when in zip(items, stories, observed, strict=True):
            ev = self._evidence(item, when)
            self.expire(when)
            if self._lookup(*ev.identity) is not None:
                continue
            story = self._root(story)
            if story not in self._stories:
                self._stories[story] = _Story(story, self._serial, when)
            self._insert(item, ev, story, when)

    def restore(self, item: DedupInput, story: str, observed: datetime) -> None:
        self.restore_batch([item], [story], [observed])

    def expire(self, now: datetime) -> int:
        """Forget articles published `window` or longer before the newest time seen (or
        `now`), beyond the `late_keep` latest arrivals; returns how many."""
        self._clock = max(self._clock, _seconds(now))
        cutoff = self._clock - self._window_s
        while self._by_stamp and self._by_stamp[0][0] < cutoff:
            _stamp, serial = heapq.heappop(self._by_stamp)
            if serial in self._rows:
                heapq.heappush(self._late, serial)
        dropped = 0
        keep_from = self._serial - self.late_keep
        while self._late and self._late[0] < keep_from:
            row = self._rows.get(heapq.heappop(self._late))
            if row is not None:
                self._forget(row)
                dropped += 1
        # Posting entries of forgotten rows go once they are as many as the live ones.
        if dropped and self._posted > 2 * self._live_posted + 4096:
            self._compact_postings()
        return dropped

    def story_stats(self, story_id: str) -> StoryStats | None:
        """Growth figures of a story still in the window (None once it expired)."""
        story = self._stories.get(self._root(story_id))
        if story is None:
            return None
        return StoryStats(story=story.story, articles=story.articles, outlets=tuple(sorted(story.outlets)),
                          languages=tuple(sorted(story.languages)), first_seen=story.first_seen,
                          last_seen=story.last_seen)

    def escalation(self, story_id: str, now: datetime, new_outlets: int = 5, within: int = 60) -> bool:
        """True when at least `new_outlets` outlets joined the story in the last `within`
        minutes (fast spread across outlets)."""
        story = self._stories.get(self._root(story_id))
        if story is None or new_outlets < 1:
            return False
        since = now - timedelta(minutes=within)
        return sum(1 for first in story.outlets.values() if since < first <= now) >= new_outlets

    def __len__(self) -> int:
        return len(self._rows)

    def sizes(self) -> dict[str, int]:
        """Sizes of the internal structures (for tests, benchmarks and `monitor status`)."""
        return {"articles": len(self._rows), "keys": len(self._keys), "postings": len(self._postings),
                "posting_entries": self._posted, "live_posting_entries": self._live_posted, "stories": len(self._stories), "merged": len(self._parent),
                "slots": int(self._slot_serial.shape[0]), "late": len(self._late)}

    # -- evidence --------------------------------------------------------------------

    def _evidence(self, item: DedupInput, now: datetime) -> _Evidence:
        title, body = word_terms(headline_core(item.title)), word_terms(item.text)
        counts = dict(body)
        for term, n in title.items():  # the title counts twice
            counts[term] = counts.get(term, 0) + 2 * n
        lang = self._languages.setdefault(item.language or "", len(self._languages) + 1)
        return _Evidence(
            identity=identity_keys(item.url, item.guid, item.source, item.article_id),
            words_key=fingerprint(item.title, item.text, self.min_fingerprint_words),
            sketch=_sketch(body),
            stamp=min(_seconds(item.published), _seconds(now)),
            language=lang,
            term_counts=counts,
            concepts=tuple(sorted(set(item.features) | text_features(item.title, item.text))),
        )

    # -- decisions -------------------------------------------------------------------

    def _decide(self, item: DedupInput, now: datetime, ev: _Evidence) -> DedupDecision:
        self.expire(now)
        same = self._lookup(*ev.identity)
        if same is not None:
            return self._reobserve(same, item, ev, now)
        copy_of = self._lookup(ev.words_key)
        weighed = self._weigh(ev)
        kind, original, story, merged = NEW, None, item.article_id, ()
        if copy_of is not None:
            kind, original, story = EXACT, copy_of, self._root(copy_of.story)
        else:
            found = self._links(ev, weighed)
            if found is not None:
                near, roots = found
                if near is not None:
                    kind, original = NEAR, near
                else:
                    kind = STORY
                story, merged = self._merge(roots)
        if story not in self._stories:
            self._stories[story] = _Story(story, self._serial, now)
        self._insert(item, ev, story, now, weighed)
        return DedupDecision(article_id=item.article_id,
                             duplicate_of=original.article_id if original is not None else None,
                             story=story, kind=kind, merged=merged)

    def _links(self, ev: _Evidence, mine: _Weighed) -> tuple[_Row | None, list[str]] | None:
        """(near copy or None, linked stories best first), or None when nothing links."""
        slots = self._candidates(mine, ev.stamp)
        if slots.size == 0:
            return None
        k = self.top_terms
        keys = self._slot_keys[slots]
        idx = np.searchsorted(mine.keys, keys)
        np.minimum(idx, mine.keys.size - 1, out=idx)
        hit = mine.keys[idx] == keys  # padding (0) never matches: no key is 0
        w_mine = np.where(hit, mine.weights[idx], 0.0)
        text = (w_mine[:, :k] * self._slot_weights[slots, :k]).sum(axis=1)
        common = hit[:, :k].sum(axis=1)
        chit = hit[:, k:]
        shared = chit.sum(axis=1)
        kinds = keys[:, k:] >> _KIND_SHIFT  # a concept's kind is part of its key
        event = (chit & (kinds >= _EVENT)).sum(axis=1)
        concept = (w_mine[:, k:] ** 2).sum(axis=1) / ((mine.norm or 1.0) * self._slot_norm[slots])
        same_lang = self._slot_lang[slots] == ev.language
        # Two designators that differ (K2 vs K9) are two weapons: two events.
        conflict = (mine.designators & self._slot_desig[slots]
                    & ~(chit & (kinds == _DESIGNATOR)).any(axis=1))
        strict = self.entity_features is not None
        # Words link when enough of them agree: two "Live updates" headlines are no story.
        by_text = (same_lang & (text >= self.text_threshold) & (common >= _MIN_COMMON_TERMS)
                   & ((event >= 1) | (text >= 0.5) | (not strict)))
        # Concepts link translations; within one language, headlines of one topic share
        # most concepts, so there the words must agree (measured: precision 0.18 -> 0.87).
        by_concept = ~same_lang & (shared >= self.min_shared) & (concept >= self.concept_threshold)
        if strict:
            by_concept &= event >= 2
        linked = (by_text | by_concept) & ~conflict
        if not linked.any():
            return None
        score = np.where(same_lang, np.maximum(text, concept), concept)
        order = np.argsort(-score, kind="stable")
        near = None
        copies = linked & same_lang
        if len(ev.sketch) >= _MIN_SKETCH and copies.any():
            sketch = np.array(ev.sketch, dtype=np.uint32)
            # Near copy: most of the text's sketch is the other's (the title may differ).
            rows = self._slot_sketch[slots]
            at = np.minimum(np.searchsorted(sketch, rows), sketch.size - 1)
            overlap = ((sketch[at] == rows) & (rows != 0)).sum(axis=1)
            size = np.minimum(self._slot_sketch_n[slots], sketch.size)
            copies &= (size >= _MIN_SKETCH) & (overlap >= self.near_threshold * np.maximum(size, 1))
        else:
            copies = np.zeros_like(linked)
        if copies.any():
            best = int(np.argmax(np.where(copies, text, -1.0)))
            near = self._rows[int(self._slot_serial[slots[best]])]
        # The best link decides the story; another story merges into it only through a
        # strong link (one loose link must not join two events).
        roots: list[str] = []
        for at in order.tolist():
            if not linked[at] or (roots and score[at] < _MERGE_SCORE):
                continue
            root = self._root(self._rows[int(self._slot_serial[slots[at]])].story)
            if root not in roots:
                roots.append(root)
        return near, roots

    def _candidates(self, mine: _Weighed, stamp: float) -> np.ndarray:
        """Slots of live rows that share a posting key and lie within the story window."""
        found: list[int] = []
        postings = self._postings
        # A key listed by many articles of the window (a country, "weapons") finds no story
        # on its own; rarer keys of the same article do.
        common = min(_COMMON_MAX, max(_COMMON_MIN, _COMMON_SHARE * len(self._rows)))
        lists = [values for values in map(postings.get, mine.posting) if values and len(values) <= common]
        # Rarest keys first, up to a budget: the cost per article stays flat as the window grows.
        lists.sort(key=len)
        for values in lists:
            found.extend(values[-_POSTING_TAIL:])
            if len(found) >= self.candidate_budget:
                break
        if len(found) < _MIN_SHARED_KEYS:
            return _NO_SLOTS
        # Counted in Python: usually a few hundred entries, of which a handful repeat.
        counts = Counter(found)
        repeated = [v for v, n in counts.items() if n >= _MIN_SHARED_KEYS]
        if not repeated:
            return _NO_SLOTS
        repeated.sort()  # oldest first, whatever the order of the keys: ties break the same way
        values_a = np.array(repeated, dtype=np.int64)
        slots = values_a & _SLOT_MASK
        keep = (self._slot_serial[slots] == (values_a >> _SLOT_BITS)) & (
            np.abs(self._slot_stamp[slots] - stamp) <= self._story_s)
        slots = slots[keep]
        if slots.size > _MAX_CANDIDATES:  # the ones sharing the most keys, then the latest
            shared = np.array([counts[v] for v in values_a[keep].tolist()])
            slots = slots[np.lexsort((-values_a[keep], -shared))[:_MAX_CANDIDATES]]
        return slots

    def _merge(self, roots: list[str]) -> tuple[str, tuple[str, ...]]:
        """Merge linked stories into the oldest; returns (survivor, absorbed)."""
        if len(roots) == 1:
            return roots[0], ()
        ordered = sorted(roots, key=lambda r: self._stories[r].created)
        survivor, absorbed = ordered[0], tuple(ordered[1:])
        into = self._stories[survivor]
        for name in absorbed:
            other = self._stories.pop(name)
            self._parent[name] = survivor
            into.absorbed += [name, *other.absorbed]
            into.articles += other.articles
            into.live += other.live
            into.languages |= other.languages
            for outlet, first in other.outlets.items():
                if outlet not in into.outlets or first < into.outlets[outlet]:
                    into.outlets[outlet] = first
            into.first_seen = min(into.first_seen, other.first_seen)
            into.last_seen = max(into.last_seen, other.last_seen)
        for name in into.absorbed:
            self._parent[name] = survivor
        return survivor, absorbed

    def _reobserve(self, row: _Row, item: DedupInput, ev: _Evidence, now: datetime) -> DedupDecision:
        updated = bool(ev.words_key) and ev.words_key != row.words_key
        for key in (*ev.identity, ev.words_key if updated else 0):
            if key and key not in self._keys:
                self._keys[key] = row.serial
                row.keys += (key,)
        if updated:
            row.words_key = ev.words_key
        story = self._stories.get(self._root(row.story))
        if story is not None and now > story.last_seen:
            story.last_seen = now
        return DedupDecision(article_id=item.article_id,
                             duplicate_of=row.article_id if row.article_id != item.article_id else None,
                             story=self._root(row.story), kind=EXACT, updated=updated)

    # -- weights ---------------------------------------------------------------------

    def _weigh(self, ev: _Evidence) -> _Weighed:
        """TF-IDF over the window: the `top_terms` heaviest terms (L2-normed) and the
        `_MAX_CONCEPTS` rarest concepts (IDF), keys sorted. Plain Python: an article has
        a few dozen terms, too few for numpy to pay for its calls."""
        log = math.log
        log_n = log(len(self._rows) + 2)
        df = self._term_df.get  # dict.get, not Counter's slower missing-key path
        terms = [((1.0 + log(c)) * (log_n - log(df(t, 0) + 1) + 1.0), t) for t, c in ev.term_counts.items()]
        if len(terms) > self.top_terms:
            terms = heapq.nlargest(self.top_terms, terms)  # ties: the larger hash, never dict order
        terms.sort(key=_second)
        norm = math.sqrt(sum(w * w for w, _ in terms)) or 1.0
        cdf = self._concept_df.get
        entities = self._entity_keys
        concepts = []
        designators = False
        for c in ev.concepts:
            k = concept_key(c)
            kind = _DESIGNATOR if c[0] == "~" else _ENTITY if k in entities else _EVENT
            designators |= kind == _DESIGNATOR
            # The kind replaces the top 2 bits of the CRC: one 32-bit key per concept.
            concepts.append((log_n - log(cdf(k, 0) + 1) + 1.0, ((k & _CRC_BITS) | kind << _KIND_BITS) or 1, k))
        if len(concepts) > _MAX_CONCEPTS:
            concepts = heapq.nlargest(_MAX_CONCEPTS, concepts)
        concepts.sort(key=_second)
        pad_terms = [0] * (self.top_terms - len(terms))
        pad_concepts = [0] * (_MAX_CONCEPTS - len(concepts))
        term_keys, term_weights = [t for _, t in terms], [w / norm for w, _ in terms]
        concept_keys, concept_weights = [k for _, k, _ in concepts], [w for w, _, _ in concepts]
        row_keys = np.array(term_keys + pad_terms + concept_keys + pad_concepts, dtype=np.uint32)
        row_weights = np.array(term_weights + pad_terms + concept_weights + pad_concepts, dtype=np.float32)
        merged = sorted(zip(term_keys + concept_keys, term_weights + concept_weights, strict=True))
        heaviest = heapq.nlargest(_POSTED_TERMS, terms) if len(terms) > _POSTED_TERMS else terms
        return _Weighed(np.array([k for k, _ in merged], dtype=np.uint32),
                        np.array([w for _, w in merged], dtype=np.float32), row_keys, row_weights,
                        designators, math.sqrt(sum(w * w for w, _, _ in concepts)),
                        posting=(*(t for _, t in heaviest), *(k for _, k, _ in concepts)),
                        concept_crcs=tuple(crc for _, _, crc in concepts))

    # -- storage ---------------------------------------------------------------------

    def _lookup(self, *keys: int) -> _Row | None:
        for key in keys:
            if key:
                serial = self._keys.get(key)
                if serial is not None and serial in self._rows:
                    return self._rows[serial]
        return None

    def _root(self, story: str) -> str:
        parent = self._parent.get(story)
        if parent is None:
            return story
        root = parent
        while root in self._parent:
            root = self._parent[root]
        self._parent[story] = root
        return root

    def _insert(self, item: DedupInput, ev: _Evidence, story: str, now: datetime,
                weighed: _Weighed | None = None) -> None:
        mine = weighed if weighed is not None else self._weigh(ev)
        serial = self._serial
        self._serial += 1
        slot = self._take_slot()
        row = _Row(serial, slot, item.article_id, story, ev.stamp)
        row.words_key = ev.words_key
        row.keys = tuple(k for k in (*ev.identity, ev.words_key) if k and k not in self._keys)
        for k in row.keys:
            self._keys[k] = serial
        # Compact arrays, not tuples of ints: a row keeps ~100 term hashes for its whole life.
        row.terms = array("I", ev.term_counts)
        row.concepts = array("I", mine.concept_crcs)
        self._term_df.update(row.terms)  # Counter.update counts in C
        self._concept_df.update(row.concepts)
        self._rows[serial] = row
        self._slot_serial[slot] = serial
        self._slot_stamp[slot] = ev.stamp
        self._slot_lang[slot] = ev.language
        n = len(ev.sketch)
        self._slot_sketch[slot] = ev.sketch + (0,) * (_SKETCH - n)
        self._slot_sketch_n[slot] = n
        # Terms in the first `top_terms` columns, concepts after; zeros pad both.
        self._slot_keys[slot] = mine.row_keys
        self._slot_weights[slot] = mine.row_weights
        self._slot_norm[slot] = mine.norm or 1.0
        self._slot_desig[slot] = mine.designators
        row.posted = array("Q", mine.posting)
        value = (serial << _SLOT_BITS) | slot
        postings = self._postings
        for key in row.posted:
            listed = postings.get(key)
            if listed is None:
                postings[key] = [value]
            else:
                listed.append(value)
        self._posted += len(row.posted)
        self._live_posted += len(row.posted)
        heapq.heappush(self._by_stamp, (ev.stamp, serial))
        s = self._stories[story]
        s.articles += 1
        s.live += 1
        s.languages.add(item.language or "")
        if item.source not in s.outlets:
            s.outlets[item.source] = now
        s.last_seen = max(s.last_seen, now)

    def _forget(self, row: _Row) -> None:
        del self._rows[row.serial]
        self._live_posted -= len(row.posted)
        for k in row.keys:
            if self._keys.get(k) == row.serial:
                del self._keys[k]
        # Counts that reach 0 stay until the next compaction (deleting each costs more).
        term_df, concept_df = self._term_df, self._concept_df
        for t in row.terms:
            term_df[t] -= 1
        for c in row.concepts:
            concept_df[c] -= 1
        self._slot_serial[row.slot] = -1
        self._free.append(row.slot)
        root = self._root(row.story)
        story = self._stories.get(root)
        if story is not None:
            story.live -= 1
            if story.live <= 0:
                del self._stories[root]
                for name in story.absorbed:
                    self._parent.pop(name, None)

    def _take_slot(self) -> int:
        if self._free:
            return self._free.pop()
        used = len(self._rows)
        cap = self._slot_serial.shape[0]
        if used >= cap:
            grow = cap // 2  # by half: at 100,000 articles a doubling would waste ~20 MB
            if cap + grow > _SLOT_MASK:
                raise OverflowError("story index is full")
            for name in ("_slot_serial", "_slot_stamp", "_slot_lang", "_slot_sketch", "_slot_sketch_n", "_slot_norm",
                         "_slot_desig", "_slot_keys", "_slot_weights"):
                old = getattr(self, name)
                setattr(self, name, np.concatenate([old, np.zeros((grow, *old.shape[1:]), dtype=old.dtype)]))
            self._slot_serial[cap:] = -1
        return used

    def _compact_postings(self) -> None:
        """Drop the entries of forgotten rows from the posting lists."""
        serial_of = self._slot_serial
        kept: dict[int, list[int]] = {}
        total = 0
        for key, values in self._postings.items():
            live = [v for v in values if serial_of[v & _SLOT_MASK] == v >> _SLOT_BITS]
            if live:
                kept[key] = live
                total += len(live)
        self._postings = kept
        self._posted = total
        self._term_df = Counter({t: n for t, n in self._term_df.items() if n > 0})
        self._concept_df = Counter({c: n for c, n in self._concept_df.items() if n > 0})


def _seconds(moment: datetime) -> float:
    """Seconds since 1970 (a naive time is UTC)."""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()


def _sketch(counts: dict[int, int]) -> tuple[int, ...]:
    """The `_SKETCH` smallest term hashes of a text, sorted (a bottom-k sketch of its terms)."""
    return tuple(heapq.nsmallest(_SKETCH, counts) if len(counts) > _SKETCH else sorted(counts))


def _second(pair: tuple[float, int]) -> int:
    return pair[1]
