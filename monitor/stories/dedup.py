"""Exact and near-duplicate detection and story clustering, in memory bounded by a time window.

Pure: no I/O and no clock (`now` is a parameter). `StoryIndex.observe` decides, for one
article, in this order:

1. **same article** (same article id, GUID or canonical URL as a live article): kind
   ``exact``; ``updated`` is True when the normalised title+text changed (an edit);
2. **exact copy** (same normalised title+text fingerprint, other URL/GUID): kind ``exact``;
3. **near copy** (MinHash/LSH estimate of shingle Jaccard >= ``near_threshold``): ``near``;
4. **same story** (same event in other words or another language: enough shared story
   features within ``story_window``, see `story_match`): kind ``story``;
5. otherwise a **new** story whose id is the article's id.

`StoryIndex.observe_batch` decides a batch of articles exactly as `observe` would one by one
(an item can match earlier items of the same batch) but signs all their texts at once, which
costs a few numpy calls per ~32k characters instead of ~25 per article; the pipeline uses
it for each poll's articles (and `restore_batch` to rebuild the window after a restart).

Copies join the story of the article they copy. Every article stays in the index for
``window`` after it was observed; `expire` (also run by `observe`) forgets older ones.
After a restart, `restore` re-inserts stored articles with their stored story ids.
See docs/stories.md for the rules and the figures.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import zlib
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import combinations
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from monitor.models import DedupDecision
from monitor.stories.canonical import canonical_url
from monitor.stories.shingle import MinHasher, TextSignature

NEW, EXACT, NEAR, STORY = "new", "exact", "near", "story"


@dataclass(frozen=True)
class DedupInput:
    """What dedup needs to know of one article."""

    article_id: str
    url: str
    guid: str | None
    title: str
    text: str
    source: str  # outlet name; "" falls back to the URL's host
    language: str | None
    published: datetime  # the pipeline passes the fetch time when the feed gives none
    # Language-independent story features, e.g. the lexicon groups the keyword engine matched
    # ("north_korea", "russia", "artillery"). Names starting with "#" or "~" are reserved.
    features: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StoryStats:
    story: str
    articles: int  # articles observed in the story (copies included)
    outlets: tuple[str, ...]  # distinct outlets, sorted
    languages: tuple[str, ...]  # distinct language codes, sorted ("" = unknown)
    first_seen: datetime  # observation time of the first article
    last_seen: datetime  # observation time of the latest article


class Prepared(NamedTuple):
    """What dedup computes from one article alone, before looking at the window.

    Independent of the index's state, so a worker process can compute it for the next
    articles while the index decides earlier ones (see monitor/stories/dedup_worker.py). A named
    tuple, not a dataclass: it is built and pickled per article, and that is 3x cheaper.
    """

    signature: TextSignature
    identity: tuple[int, int, int]  # keys of the canonical URL, the GUID and the article id (0 = none)
    extras: tuple[str, ...]  # numbers and designators of the title and lead (text_features), sorted
    stamp: float  # published time in seconds since 1970


@dataclass(frozen=True)
class PrepareSettings:
    """The index parameters `prepare_many` depends on (picklable, for a worker process)."""

    num_perm: int = 128
    bands: int = 16
    shingle_size: int = 3
    min_shingles: int = 5


def prepare_many(items: Sequence[DedupInput], settings: PrepareSettings) -> list[Prepared]:
    """`Prepared` for each of `items`: the text signatures are computed for all at once."""
    hasher = _hasher(settings.num_perm, settings.bands, settings.shingle_size)
    signatures = hasher.sign_many([_signed_text(item) for item in items], settings.min_shingles)
    return [_prepare_item(item, signature) for item, signature in zip(items, signatures, strict=True)]


def _prepare_item(item: DedupInput, signature: TextSignature) -> Prepared:
    return Prepared(signature, identity_keys(item), _sorted_extras(item), _seconds(item.published))


def _sorted_extras(item: DedupInput) -> tuple[str, ...]:
    # Sorted: numbers ("#...") first, designators ("~...") last, see _Snapshot.
    return tuple(sorted(text_features(item.title, item.text)))


@lru_cache(maxsize=8)
def _hasher(num_perm: int, bands: int, shingle_size: int) -> MinHasher:
    return MinHasher(num_perm, bands, shingle_size)


def identity_keys(item: DedupInput) -> tuple[int, int, int]:
    """Keys of what makes two items the same article: canonical URL, GUID, article id."""
    url = canonical_url(item.url or "")
    # http and https copies of one page are one article.
    url = url.split("://", 1)[1] if url.startswith(("http://", "https://")) else url
    guid = (item.guid or "").strip()
    if guid and not guid.startswith(("http://", "https://", "urn:", "tag:")):
        guid = f"{item.source}\x1f{guid}"  # bare GUIDs ("12345") are unique per feed only
    return (
        _key("u", url) if url else 0,
        _key("g", guid) if guid else 0,
        _key("i", item.article_id) if item.article_id else 0,
    )


# ---------------------------------------------------------------------------------------
# Story features extracted from the text itself (language-independent ones only)

# Numbers: digit runs with thousands/decimal separators; separators are dropped, so
# "1,500" / "1.500" all become "#1500" (and "6.5" / "6,5" become "#65"). Letters right
# before a number make a designator: K2, KN-23, Su-57, F-16, S-400, Hwasong-18.
# ASCII digits only: other scripts' digits are not comparable across outlets (and "[0-9]"
# scans ~3x faster than "\d").
_NUMBER = re.compile(r"[0-9][0-9.,\u00a0\u202f]*")
_SEPARATORS = str.maketrans("", "", ".,\u00a0\u202f")
_HYPHENS = "-\u2010\u2011"
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "kh",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ы": "y",
        "э": "e",
        "ю": "yu",
        "я": "ya",
        "ё": "e",
    }
)
_NO_FEATURES: frozenset[str] = frozenset()
_LEAD_CHARS = 600  # the facts that identify an event are in the title and the lead


def text_features(title: str, text: str) -> frozenset[str]:
    """Numbers ("#180") and Latin-script designators ("~k2") from the title and the lead.

    Years (a plain 1900-2099) are left out: they are shared by unrelated articles.
    Cyrillic designators are transliterated (Су-57 -> su-57); designators in other scripts
    (화성-18) are not comparable across languages and are left out (their number is kept).
    """
    out: set[str] = set()
    for head in (title, text[:_LEAD_CHARS]):
        for match in _NUMBER.finditer(head):
            run, at = match.group(), match.start()
            digits = run.translate(_SEPARATORS).lstrip("0")
            if len(digits) >= 2 and not _is_year(run):
                out.add("#" + digits)
            if at and (head[at - 1].isalpha() or head[at - 1] in _HYPHENS):
                letters = _letters_before(head, at)
                if letters:
                    number = run[: len(run) - len(run.lstrip("0123456789"))] or run
                    out.add(f"~{letters}-{number}")
    return frozenset(out) if out else _NO_FEATURES


def _is_year(run: str) -> bool:
    """A plain 19xx/20xx: nearly every article of a year names it, so it tells no event apart."""
    core = run.rstrip(".,\u00a0\u202f")
    return len(core) == 4 and core.isdigit() and core[:2] in ("19", "20")


def _letters_before(head: str, digit_start: int) -> str:
    """The designator letters right before a number ("K" of K2, "kn" of KN-23), or ""."""
    end = digit_start
    if end and head[end - 1] in _HYPHENS:
        end -= 1
    start = end
    while start and end - start < 10 and head[start - 1].isalpha():
        start -= 1
    if start == end or (start and head[start - 1].isalnum()):
        return ""
    letters = head[start:end].casefold().translate(_CYRILLIC_TO_LATIN)
    return letters if letters.isascii() else ""


class _Snapshot:
    """The story features of one member article, kept by its story for matching.

    Groups are also kept as a bit mask (bits assigned by the index, see `StoryIndex._mask`):
    intersections and counts are then integer operations, not set allocations.
    """

    __slots__ = ("designators", "extras", "mask", "stamp")

    def __init__(self, stamp: float, mask: int, extras: tuple[str, ...]) -> None:
        self.stamp = stamp  # published time in seconds since 1970
        self.mask = mask
        # Numbers and designators as tuples of interned strings: a frozenset costs 216 bytes
        # even when small, and the same "#155" is then one string for all articles.
        self.extras = tuple(map(sys.intern, extras)) if extras else ()
        # `extras` are sorted ("#" < "~"): the designators are the tail.
        self.designators = self.extras[bisect_left(self.extras, "~") :] if extras else ()


def _share(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Do two small tuples of features have one in common?"""
    return bool(a) and bool(b) and not set(a).isdisjoint(b)


_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)


def _seconds(moment: datetime) -> float:
    """Seconds since 1970, with the same meaning as datetime subtraction (naive stays naive)."""
    return (moment - (_EPOCH_NAIVE if moment.tzinfo is None else _EPOCH_UTC)).total_seconds()


def story_match(
    a: _Snapshot,
    b: _Snapshot,
    *,
    min_shared: int,
    min_jaccard: float,
    entity_mask: int | None,
) -> tuple[int, float] | None:
    """Do two articles report the same event? (shared count, Jaccard) when they do.

    - no designator conflict: when both name designators (K2, Su-57), one must be shared;
    - shared groups, plus 1 when they share a number or designator, >= ``min_shared``;
    - Jaccard of the groups >= ``min_jaccard``;
    - with ``entity_mask`` (the bits of the entity groups): at least one shared entity group
      and one shared other group.
    """
    shared = a.mask & b.mask
    count = shared.bit_count()
    if count < 2:
        return None
    if a.designators and b.designators and not _share(a.designators, b.designators):
        return None
    bonus = 1 if _share(a.extras, b.extras) else 0
    if count + bonus < min_shared:
        return None
    jaccard = count / (a.mask | b.mask).bit_count()
    if jaccard < min_jaccard:
        return None
    if entity_mask is not None:
        entities = shared & entity_mask
        if not entities or entities == shared:
            return None
    return count + bonus, jaccard


# ---------------------------------------------------------------------------------------
# Internal records


class _Entry:
    __slots__ = ("article_id", "fingerprint", "keys", "observed", "serial", "slot", "story")

    def __init__(self, serial: int, article_id: str, story: str, observed: datetime) -> None:
        self.serial = serial
        self.article_id = article_id
        self.story = story
        self.observed = observed
        self.slot = -1  # row in the signature matrix, -1 = none
        self.keys: tuple[int, ...] = ()  # exact-match keys pointing at this entry
        self.fingerprint = b""


class _Story:
    __slots__ = (
        "articles",
        "created",
        "first_seen",
        "first_stamp",
        "languages",
        "last_seen",
        "live",
        "members",
        "members_from",
        "members_to",
        "outlets",
        "seed",
        "story",
        "union_extras",
    )

    def __init__(self, story: str, created: int, now: datetime, published: datetime) -> None:
        self.story = story
        self.created = created  # serial of the first article: deterministic tie-break
        self.first_seen = now
        self.last_seen = now
        self.first_stamp = _seconds(published)
        self.articles = 0
        self.outlets: dict[str, datetime] = {}  # outlet -> first observation in this story
        self.languages: tuple[str, ...] = ()
        self.live = 0  # articles of the story still in the window
        self.seed: _Snapshot | None = None  # the first article's features
        # What a newcomer is matched with: the seed and the latest members' features.
        self.members: tuple[_Snapshot, ...] = ()
        self.members_from = self.members_to = 0.0  # earliest and latest published stamp of members
        # The numbers and designators any member has: a candidate that needs a shared one and
        # finds none here is ruled out without comparing members.
        self.union_extras: tuple[str, ...] = ()

    def set_members(self, members: tuple[_Snapshot, ...]) -> None:
        self.members = members
        if len(members) == 1:
            only = members[0]
            self.members_from = self.members_to = only.stamp
            self.union_extras = only.extras
            return
        stamps = [m.stamp for m in members]
        self.members_from, self.members_to = min(stamps), max(stamps)
        self.union_extras = tuple(dict.fromkeys(x for m in members for x in m.extras))


_SNAPSHOTS_PER_STORY = 4  # the first article's features are kept apart, see _Story.seed
_STORIES_PER_KEY = 10  # a feature pair remembers this many recent stories
_MAX_KEY_FEATURES = 12  # at most C(12, 2) = 66 feature-pair keys per article


class _BandIndex:
    """LSH buckets: band key -> entry serials, compact in memory.

    New keys go to a dict; every so often they are merged into two sorted numpy arrays
    (keys, serials) searched with `searchsorted`, dropping serials that have expired. A
    Python dict of millions of int keys would cost ~140 bytes per key; the arrays cost 16.
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._serials = np.empty(0, dtype=np.int64)
        self._recent: dict[int, int | list[int]] = {}
        self._pending_keys: list[np.ndarray] = []
        self._pending_serials: list[int] = []
        self.generation = 0  # changes at each compaction, when recent keys move to the arrays

    def __len__(self) -> int:
        return int(self._keys.size) + sum(k.size for k in self._pending_keys)

    @property
    def pending(self) -> int:
        return len(self._pending_serials)

    def add(self, keys: np.ndarray, serial: int) -> None:
        recent = self._recent
        for key in keys.tolist():
            old = recent.get(key)
            if old is None:
                recent[key] = serial
            elif isinstance(old, list):
                old.append(serial)
            else:
                recent[key] = [old, serial]
        self._pending_keys.append(keys)
        self._pending_serials.append(serial)

    def query(self, keys: np.ndarray) -> list[int]:
        """Serials of all entries sharing a key with `keys` (with repeats)."""
        found: list[int] = []
        if self._keys.size:
            lo = self._keys.searchsorted(keys)
            hits = self._keys[np.minimum(lo, self._keys.size - 1)] == keys
            if hits.any():
                hi = self._keys.searchsorted(keys[hits], side="right")
                for start, stop in zip(lo[hits].tolist(), hi.tolist(), strict=True):
                    found.extend(self._serials[start:stop].tolist())
        return self.query_recent(keys, found)

    def query_sorted_many(self, key_rows: list[np.ndarray]) -> list[list[int]]:
        """The sorted-array part of `query` for many key rows in a few numpy calls. Valid until
        the next `compact` (see `generation`): keys added since are found by `query_recent`."""
        found: list[list[int]] = [[] for _ in key_rows]
        if not self._keys.size or not key_rows:
            return found
        keys = np.concatenate(key_rows)
        owner = np.repeat(np.arange(len(key_rows)), [row.size for row in key_rows])
        # Sorted needles: numpy's binary search starts from the previous answer, so a sorted
        # batch touches the big array in order (measured 19 -> 15 µs an article with 1.7 M
        # keys). The order of serials within a row does not matter to callers.
        order = np.argsort(keys)
        keys, owner = keys[order], owner[order]
        lo = self._keys.searchsorted(keys)
        hits = self._keys[np.minimum(lo, self._keys.size - 1)] == keys
        if hits.any():
            hi = self._keys.searchsorted(keys[hits], side="right")
            for row, start, stop in zip(owner[hits].tolist(), lo[hits].tolist(), hi.tolist(), strict=True):
                found[row].extend(self._serials[start:stop].tolist())
        return found

    def query_recent(self, keys: np.ndarray, found: list[int]) -> list[int]:
        """Add to `found` the serials of the keys added since the last `compact`."""
        recent = self._recent
        for key in keys.tolist():
            hit = recent.get(key)
            if hit is None:
                continue
            if isinstance(hit, list):
                found.extend(hit)
            else:
                found.append(hit)
        return found

    def compact(self, min_live_serial: int) -> None:
        """Merge recent keys into the sorted arrays and drop serials below `min_live_serial`."""
        keep = self._serials >= min_live_serial
        keys, serials = self._keys[keep], self._serials[keep]
        # Let go of the old arrays before the merge makes new ones: two copies alive at a
        # time, not three (the index's peak memory is here).
        self._keys, self._serials = keys, serials
        del keep
        if self._pending_keys:
            new_keys = np.concatenate(self._pending_keys)
            new_serials = np.repeat(
                np.array(self._pending_serials, dtype=np.int64), [k.size for k in self._pending_keys]
            )
            keep = new_serials >= min_live_serial
            order = np.argsort(new_keys[keep], kind="stable")
            new_keys, new_serials = new_keys[keep][order], new_serials[keep][order]
            # Merge the small sorted run into the big one: O(n) copies instead of an O(n log n)
            # sort of everything (5x faster with 1.6 M keys); equal keys keep the old ones first.
            at = keys.searchsorted(new_keys, side="right")
            keys, serials = np.insert(keys, at, new_keys), np.insert(serials, at, new_serials)
        self._keys, self._serials = keys, serials
        self._recent = {}
        self._pending_keys = []
        self._pending_serials = []
        self.generation += 1


@dataclass(frozen=True)
class _Prefound:
    """LSH candidates of one batch item found in the sorted arrays before the batch ran."""

    bands: _BandIndex  # valid only while this is the index's band index...
    generation: int  # ...and it has not been compacted since
    serials: list[int]


# ---------------------------------------------------------------------------------------


class StoryIndex:
    """Exact, near-duplicate and story decisions over the articles of the last `window`.

    Parameters (all documented in docs/stories.md):
    - ``window``: how long an article stays comparable (72 h);
    - ``near_threshold``: estimated shingle Jaccard for a near copy (0.8);
    - ``num_perm`` / ``bands``: MinHash size and LSH bands (128 / 16, i.e. 8 rows a band);
    - ``shingle_size``: tokens per shingle (3 words, or 3 CJK characters);
    - ``story_window``: largest gap in published time to a story member (36 h), and stories
      never span more than ``window`` from their first article;
    - ``story_min_shared`` / ``story_min_jaccard``: see `story_match` (3 / 0.5);
    - ``entity_features``: feature names that denote entities (countries, leaders, ...);
      when given, a story match needs a shared entity and a shared non-entity feature;
    - ``min_fingerprint_tokens``: shorter texts are not matched by fingerprint (8), so
      two different articles titled "Live updates" are not merged.
    """

    def __init__(
        self,
        window: timedelta = timedelta(hours=72),
        near_threshold: float = 0.8,
        num_perm: int = 128,
        *,
        bands: int = 16,
        shingle_size: int = 3,
        story_window: timedelta = timedelta(hours=36),
        story_min_shared: int = 3,
        story_min_jaccard: float = 0.5,
        entity_features: frozenset[str] | None = None,
        min_fingerprint_tokens: int = 8,
        min_shingles: int = 5,
    ) -> None:
        if window <= timedelta(0) or story_window <= timedelta(0):
            raise ValueError("window and story_window must be positive")
        if not 0.0 < near_threshold <= 1.0 or not 0.0 <= story_min_jaccard <= 1.0:
            raise ValueError("thresholds must be in (0, 1]")
        if story_min_shared < 2:
            raise ValueError("story_min_shared must be at least 2")
        self.window = window
        self.near_threshold = near_threshold
        self.story_window = story_window
        self.story_min_shared = story_min_shared
        self.story_min_jaccard = story_min_jaccard
        self.entity_features = entity_features
        self.min_fingerprint_tokens = min_fingerprint_tokens
        self.min_shingles = min_shingles
        self._hasher = _hasher(num_perm, bands, shingle_size)  # shared with prepare_many
        self._num_perm = num_perm
        self._serial = 0
        self._entries: dict[int, _Entry] = {}
        self._exact: dict[int, int] = {}  # exact key -> serial
        self._timeline: deque[tuple[datetime, int]] = deque()  # (observed, serial)
        self._stories: dict[str, _Story] = {}
        self._window_s = window.total_seconds()
        self._story_window_s = story_window.total_seconds()
        # Feature pair -> its recent stories, oldest first, as one flat list
        # [mask, story, mask, story, ...]: each story with the OR of the group masks of its
        # members that have the pair. Most candidates share only the pair that found them;
        # the mask beside the story rules them out without touching the story record
        # (scattered in memory: at 100,000 articles those reads were most of the lookup).
        self._story_keys: dict[int, list[int | _Story]] = {}
        # Story feature -> its bit in snapshot masks. Features are lexicon group names, a
        # bounded vocabulary; the table is reset whenever the window empties.
        self._bits: dict[str, int] = {}
        self._entity_mask: int | None = None if entity_features is None else 0
        self._bands = _BandIndex()
        self._dropped = 0  # articles forgotten since the last compaction
        self._dead_stories = 0  # stories forgotten since the last sweep of _story_keys
        # Signatures live in one matrix (low 16 bits of each MinHash value: equal-value
        # collisions are 1 in 65,536, a negligible bias); rows are recycled.
        self._sigs = np.zeros((1024, num_perm), dtype=np.uint16)
        self._free_slots: list[int] = list(range(1023, -1, -1))

    # -- public API --------------------------------------------------------------------

    @property
    def prepare_settings(self) -> PrepareSettings:
        """What `prepare_many` needs to compute this index's `Prepared` values elsewhere."""
        hasher = self._hasher
        return PrepareSettings(hasher.num_perm, hasher.bands, hasher.shingle_size, self.min_shingles)

    def prepare(self, items: Sequence[DedupInput]) -> list[Prepared]:
        """`prepare_many` with this index's settings."""
        return prepare_many(items, self.prepare_settings)

    def observe(self, item: DedupInput, now: datetime) -> DedupDecision:
        """Decide what `item` is, then remember it."""
        return self._decide(item, now, self._prepare_one(item))

    def _prepare_one(self, item: DedupInput) -> Prepared:
        # `prepare_many` for one item, without the batch machinery (~2x cheaper for one).
        return _prepare_item(item, self._hasher.sign(_signed_text(item), self.min_shingles))

    def observe_batch(
        self, items: Sequence[DedupInput], nows: Sequence[datetime], prepared: Sequence[Prepared] | None = None
    ) -> list[DedupDecision]:
        """`observe` for each item in order (item i at ``nows[i]``), with the same decisions,
        including matches between items of the batch; the text signatures are computed for
        the whole batch at once, which is several times cheaper per article. `prepared`
        (from `prepare`, possibly in another process) skips that computation."""
        if len(items) != len(nows):
            raise ValueError("observe_batch needs one `now` per item")
        prepared = self._prepared(items, prepared)
        # LSH candidates among older articles for the whole batch in one search; candidates
        # added since (earlier items of the batch) come from the recent-key dict as usual.
        bands = self._bands
        generation = bands.generation
        signed = [i for i, prep in enumerate(prepared) if prep.signature.bands is not None]
        found = bands.query_sorted_many([prepared[i].signature.bands for i in signed])  # type: ignore[misc]
        prefound: list[_Prefound | None] = [None] * len(items)
        for i, serials in zip(signed, found, strict=True):
            prefound[i] = _Prefound(bands, generation, serials)
        return [
            self._decide(item, now, prep, pre)
            for item, now, prep, pre in zip(items, nows, prepared, prefound, strict=True)
        ]

    def _prepared(self, items: Sequence[DedupInput], prepared: Sequence[Prepared] | None) -> Sequence[Prepared]:
        if prepared is None:
            return self.prepare(items)
        if len(prepared) != len(items):
            raise ValueError("one Prepared per item is needed")
        return prepared

    def _decide(
        self, item: DedupInput, now: datetime, prep: Prepared, prefound: _Prefound | None = None
    ) -> DedupDecision:
        self.expire(now)
        signature = prep.signature
        url_key, guid_key, id_key = identity = prep.identity

        same = self._lookup(id_key, guid_key, url_key)
        if same is not None:
            return self._reobserve(same, item, signature, identity, now)

        content_key = self._content_key(signature)
        copy_of = self._lookup(content_key)
        if copy_of is not None:
            kind, original = EXACT, copy_of
        else:
            original = self._near_copy(signature, prefound)
            kind = NEAR if original is not None else NEW

        snapshot = self._snapshot(item, prep)
        if original is not None:
            story_id = original.story
        else:
            story_id = self._story_for(snapshot, item.features) or ""
            if story_id:
                kind = STORY
        entry = self._insert(
            item,
            signature,
            story_id or item.article_id,
            now,
            keys=(url_key, guid_key, id_key, content_key),
            snapshot=snapshot if original is None else None,
        )
        return DedupDecision(
            article_id=item.article_id,
            duplicate_of=original.article_id if original is not None else None,
            story=entry.story,
            kind=kind,
        )

    def restore(self, item: DedupInput, story: str, observed: datetime) -> None:
        """Re-insert an article decided before a restart, with its stored story id.

        Call in the original order (oldest first) for the articles of the last `window`.
        """
        self._restore(item, story, observed, self._prepare_one(item))

    def restore_batch(
        self,
        items: Sequence[DedupInput],
        stories: Sequence[str],
        observed: Sequence[datetime],
        prepared: Sequence[Prepared] | None = None,
    ) -> None:
        """`restore` for each item in order, signing all texts at once (faster warm-up)."""
        if not len(items) == len(stories) == len(observed):
            raise ValueError("restore_batch needs one story and one time per item")
        prepared = self._prepared(items, prepared)
        for item, story, when, prep in zip(items, stories, observed, prepared, strict=True):
            self._restore(item, story, when, prep)

    def _restore(self, item: DedupInput, story: str, observed: datetime, prep: Prepared) -> None:
        self.expire(observed)
        url_key, guid_key, id_key = prep.identity
        if self._lookup(id_key, guid_key, url_key) is not None:
            return
        self._insert(
            item,
            prep.signature,
            story,
            observed,
            keys=(url_key, guid_key, id_key, self._content_key(prep.signature)),
            snapshot=self._snapshot(item, prep),
        )

    def expire(self, now: datetime) -> int:
        """Forget articles observed `window` or longer before `now`; returns how many."""
        cutoff = now - self.window
        timeline = self._timeline
        dropped = 0
        while timeline and timeline[0][0] <= cutoff:
            observed, serial = timeline.popleft()
            entry = self._entries.get(serial)
            if entry is None or entry.observed != observed:
                continue  # re-observed later: a newer timeline record keeps it
            self._forget(entry)
            dropped += 1
        if dropped:
            self._dropped += dropped
            if not self._entries:
                self._bands = _BandIndex()
                self._story_keys.clear()
                self._bits.clear()
                self._entity_mask = None if self.entity_features is None else 0
                self._dropped = self._dead_stories = 0
            elif self._dropped >= max(2048, len(self._entries) // 16):
                self._compact()
        return dropped

    def story_stats(self, story_id: str) -> StoryStats | None:
        """Growth figures of a story still in the window (None once it expired)."""
        story = self._stories.get(story_id)
        if story is None:
            return None
        return StoryStats(
            story=story.story,
            articles=story.articles,
            outlets=tuple(sorted(story.outlets)),
            languages=tuple(sorted(story.languages)),
            first_seen=story.first_seen,
            last_seen=story.last_seen,
        )

    def escalation(self, story_id: str, now: datetime, new_outlets: int = 5, within: int = 60) -> bool:
        """True when at least `new_outlets` outlets joined the story in the last `within`
        minutes (EMM's breaking-news signal: fast spread across outlets)."""
        story = self._stories.get(story_id)
        if story is None or new_outlets < 1:
            return False
        since = now - timedelta(minutes=within)
        joined = sum(1 for first in story.outlets.values() if since < first <= now)
        return joined >= new_outlets

    def __len__(self) -> int:
        """Articles in the window."""
        return len(self._entries)

    def sizes(self) -> dict[str, int]:
        """Sizes of the internal structures (for tests, benchmarks and `monitor status`)."""
        return {
            "articles": len(self._entries),
            "signatures": len(self._entries) - sum(1 for e in self._entries.values() if e.slot < 0),
            "exact_keys": len(self._exact),
            "band_keys": len(self._bands),
            "stories": len(self._stories),
            "story_keys": len(self._story_keys),
            "signature_rows": int(self._sigs.shape[0]),
        }

    # -- decisions -------------------------------------------------------------------

    def _content_key(self, signature: TextSignature) -> int:
        if signature.tokens < self.min_fingerprint_tokens:
            return 0
        return int.from_bytes(signature.fingerprint[:8], "big") | 1

    def _lookup(self, *keys: int) -> _Entry | None:
        for key in keys:
            if key:
                serial = self._exact.get(key)
                if serial is not None:
                    entry = self._entries.get(serial)
                    if entry is not None:
                        return entry
        return None

    def _reobserve(
        self,
        entry: _Entry,
        item: DedupInput,
        signature: TextSignature,
        identity: tuple[int, int, int],
        now: datetime,
    ) -> DedupDecision:
        updated = signature.fingerprint != entry.fingerprint
        for key in (*identity, self._content_key(signature) if updated else 0):
            if key and key not in self._exact:
                self._exact[key] = entry.serial
                entry.keys += (key,)
        if updated:
            entry.fingerprint = signature.fingerprint
            self._store_signature(entry, signature)
        # Seen again: keep it for another window.
        entry.observed = now
        self._timeline.append((now, entry.serial))
        story = self._stories.get(entry.story)
        if story is not None and now > story.last_seen:
            story.last_seen = now
        return DedupDecision(
            article_id=item.article_id,
            duplicate_of=entry.article_id if entry.article_id != item.article_id else None,
            story=entry.story,
            kind=EXACT,
            updated=updated,
        )

    def _near_copy(self, signature: TextSignature, prefound: _Prefound | None = None) -> _Entry | None:
        if signature.minhash is None or signature.bands is None:
            return None
        bands = self._bands
        if prefound is not None and prefound.bands is bands and prefound.generation == bands.generation:
            serials = bands.query_recent(signature.bands, list(prefound.serials))
        else:
            serials = bands.query(signature.bands)
        if not serials:
            return None
        entries = [e for s in sorted(set(serials)) if (e := self._entries.get(s)) and e.slot >= 0]
        if not entries:
            return None
        rows = self._sigs[[e.slot for e in entries]]
        agree = (rows == signature.minhash.astype(np.uint16)).sum(axis=1)
        best = int(np.argmax(agree))  # first maximum = earliest serial
        if agree[best] < self.near_threshold * self._num_perm:
            return None
        return entries[best]

    def _snapshot(self, item: DedupInput, prep: Prepared | None = None) -> _Snapshot:
        if prep is None:
            return _Snapshot(_seconds(item.published), self._mask(item.features), _sorted_extras(item))
        return _Snapshot(prep.stamp, self._mask(item.features), prep.extras)

    def _mask(self, features: frozenset[str]) -> int:
        bits = self._bits
        mask = 0
        for feature in features:
            bit = bits.get(feature)
            if bit is None:
                bit = bits[feature] = 1 << len(bits)
                if self._entity_mask is not None and feature in self.entity_features:  # type: ignore[operator]
                    self._entity_mask |= bit
            mask |= bit
        return mask

    def _story_for(self, snapshot: _Snapshot, features: frozenset[str]) -> str | None:
        mask, stamp = snapshot.mask, snapshot.stamp
        groups = mask.bit_count()
        if groups < 2:
            return None
        extras = frozenset(snapshot.extras)
        min_shared = self.story_min_shared
        # Fewer shared groups than `need` can never match: Jaccard <= shared / own groups, and
        # a shared number or designator adds at most 1.
        need = max(2, min_shared - 1, math.ceil(self.story_min_jaccard * groups - 1e-9))
        window, story_window = self._window_s, self._story_window_s
        best: tuple[int, float, int] | None = None
        best_story: str | None = None
        seen: set[_Story] = set()
        story_keys = self._story_keys
        for pair in _lookup_pairs(features, need):
            hit = story_keys.get(pair)
            if hit is None:
                continue
            pairs = iter(hit)
            for pair_mask, story in zip(pairs, pairs, strict=True):
                # Upper bounds on what any member having this pair shares with the article
                # (a member without the pair is reached through another of its pairs).
                upper = (mask & pair_mask).bit_count()  # type: ignore[operator]
                if upper < need or (upper < min_shared and extras.isdisjoint(story.union_extras)):  # type: ignore[union-attr]
                    continue
                if story in seen:
                    continue
                seen.add(story)
                if abs(stamp - story.first_stamp) > window:
                    continue
                # No member within story_window of this article: cannot match (cheap exact test).
                if not story.members_from - story_window <= stamp <= story.members_to + story_window:
                    continue
                score = self._story_score(story, snapshot)
                if score is None:
                    continue
                rank = (score[0], score[1], -story.created)  # a total order: visiting order is irrelevant
                if best is None or rank > best:
                    best, best_story = rank, story.story
        return best_story

    def _story_score(self, story: _Story, snapshot: _Snapshot) -> tuple[int, float] | None:
        best: tuple[int, float] | None = None
        story_window = self._story_window_s
        for member in story.members:
            if abs(snapshot.stamp - member.stamp) > story_window:
                continue
            score = story_match(
                snapshot,
                member,
                min_shared=self.story_min_shared,
                min_jaccard=self.story_min_jaccard,
                entity_mask=self._entity_mask,
            )
            if score is not None and (best is None or score > best):
                best = score
        return best

    # -- bookkeeping -------------------------------------------------------------------

    def _insert(
        self,
        item: DedupInput,
        signature: TextSignature,
        story_id: str,
        now: datetime,
        *,
        keys: tuple[int, ...],
        snapshot: _Snapshot | None,
    ) -> _Entry:
        self._serial += 1
        entry = _Entry(self._serial, item.article_id, story_id, now)
        entry.fingerprint = signature.fingerprint
        self._entries[entry.serial] = entry
        self._timeline.append((now, entry.serial))
        for key in keys:
            if key and key not in self._exact:
                self._exact[key] = entry.serial
                entry.keys += (key,)
        self._store_signature(entry, signature)
        self._add_to_story(entry, item, now, snapshot)
        if self._bands.pending >= max(2048, len(self._entries) // 16):
            self._compact()
        return entry

    def _store_signature(self, entry: _Entry, signature: TextSignature) -> None:
        if signature.minhash is None or signature.bands is None:
            return
        if entry.slot < 0:
            if not self._free_slots:
                self._grow_signatures()
            entry.slot = self._free_slots.pop()
        self._sigs[entry.slot] = signature.minhash
        self._bands.add(signature.bands, entry.serial)

    def _grow_signatures(self) -> None:
        rows = self._sigs.shape[0]
        grown = np.zeros((rows * 2, self._num_perm), dtype=np.uint16)
        grown[:rows] = self._sigs
        self._sigs = grown
        self._free_slots.extend(range(rows * 2 - 1, rows - 1, -1))

    def _add_to_story(self, entry: _Entry, item: DedupInput, now: datetime, snapshot: _Snapshot | None) -> None:
        story = self._stories.get(entry.story)
        created = story is None
        if story is None:
            story = _Story(entry.story, entry.serial, now, item.published)
            self._stories[entry.story] = story
            if snapshot is not None:
                story.seed = snapshot
                story.set_members((snapshot,))
        elif snapshot is not None:
            seed = story.seed
            previous = story.members[1:] if seed is not None else story.members
            latest = (*previous[1 - _SNAPSHOTS_PER_STORY :], snapshot)
            story.set_members((seed, *latest) if seed is not None else latest)
        story.articles += 1
        story.live += 1
        if now > story.last_seen:
            story.last_seen = now
        outlet = item.source or _host(item.url)
        if outlet and outlet not in story.outlets:
            story.outlets[outlet] = now
        language = item.language or ""
        if language not in story.languages:
            story.languages += (language,)
        if snapshot is not None and len(item.features) >= 2:
            story_keys, mask = self._story_keys, snapshot.mask
            for pair in _feature_pairs(item.features):
                recent = story_keys.get(pair)
                if recent is None:
                    story_keys[pair] = [mask, story]
                elif not created and recent[-1] is story:  # a new story is in no list yet
                    recent[-2] |= mask  # type: ignore[operator]
                elif not created and story in recent:  # identity: masks are ints, never a story
                    at = recent.index(story)
                    merged = recent[at - 1] | mask  # type: ignore[operator]
                    del recent[at - 1 : at + 1]
                    recent += (merged, story)
                else:
                    recent += (mask, story)
                    if len(recent) > 2 * _STORIES_PER_KEY:
                        # The oldest goes: a story is moved to the end whenever it grows, so
                        # the front holds the stories quiet for longest (and the dead ones).
                        del recent[:2]

    def _forget(self, entry: _Entry) -> None:
        del self._entries[entry.serial]
        for key in entry.keys:
            if self._exact.get(key) == entry.serial:
                del self._exact[key]
        if entry.slot >= 0:
            self._free_slots.append(entry.slot)
        story = self._stories.get(entry.story)
        if story is not None:
            story.live -= 1
            if story.live <= 0:
                del self._stories[entry.story]
                self._dead_stories += 1
                # Feature-pair lists may still hold the record until the next sweep: keep it small.
                story.members, story.seed, story.outlets = (), None, {}
                story.union_extras = ()
                # Its feature-pair mentions go at a later sweep (or age out).

    def _sweep_story_keys(self) -> None:
        story_keys = self._story_keys
        for pair in list(story_keys):
            pairs = iter(story_keys[pair])
            alive = [x for pair_mask, story in zip(pairs, pairs, strict=True) if story.live for x in (pair_mask, story)]  # type: ignore[union-attr]
            if alive:
                story_keys[pair] = alive
            else:
                del story_keys[pair]

    def _compact(self) -> None:
        self._bands.compact(self._oldest_live_serial())
        # The sweep walks every feature pair: only worth it once as many stories died as
        # are alive (stale mentions are skipped on lookup; they only cost memory).
        if self._dead_stories >= len(self._stories):
            self._sweep_story_keys()
            self._dead_stories = 0
        self._dropped = 0

    def _oldest_live_serial(self) -> int:
        # Entries are kept in insertion (= serial) order: the first one is the oldest.
        return next(iter(self._entries), self._serial + 1)


def _signed_text(item: DedupInput) -> str:
    return f"{item.title}\n{item.text}"


def _key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") | 1  # never 0: 0 means "no key"


@lru_cache(maxsize=4096)  # story_for and add_to_story ask for the same article's pairs
def _feature_pairs(groups: frozenset[str]) -> tuple[int, ...]:
    """Keys of the feature pairs of an article: two 32-bit CRCs side by side (a collision only
    adds a candidate, which is then checked on the full features)."""
    # Ranked ascending: the smaller CRC of a pair is always the first one.
    return tuple((a << 32) | b for a, b in combinations(_ranked_crcs(groups), 2))


def _lookup_pairs(groups: frozenset[str], need: int) -> tuple[int, ...]:
    """The pairs a lookup must visit to reach every story sharing `need` groups with an article.

    Split the groups into ``need - 1`` parts and visit only the pairs within a part: any
    `need` groups have two in one part (pigeonhole), so a story sharing them is in the list
    of a visited pair. With 6 groups and need 3 that is 6 of 15 lists; with 7 and need 4, 5
    of 21. An article with more groups than are keyed visits all its pairs.
    """
    pairs = _feature_pairs(groups)  # cached: the insert that follows asks for them too
    if need <= 2 or len(groups) > _MAX_KEY_FEATURES:
        return pairs
    return _pick(len(groups), need)(pairs)


@lru_cache(maxsize=256)
def _pick(count: int, need: int) -> Callable[[tuple[int, ...]], tuple[int, ...]]:
    """Selects, from the `_feature_pairs` of `count` groups (in `combinations` order of their
    ranks), the pairs whose two ranks fall in the same part: rank % (need - 1) equal."""
    parts = need - 1
    picked = [at for at, (i, j) in enumerate(combinations(range(count), 2)) if i % parts == j % parts]
    if len(picked) == 1:
        only = picked[0]
        return lambda pairs: (pairs[only],)
    return itemgetter(*picked)  # type: ignore[return-value]


def _ranked_crcs(groups: frozenset[str]) -> list[int]:
    """The CRCs of the groups, ascending; the first _MAX_KEY_FEATURES of them."""
    return sorted(map(_group_crc, groups))[:_MAX_KEY_FEATURES]


@lru_cache(maxsize=65536)  # group names are a bounded vocabulary: the lexicon's
def _group_crc(group: str) -> int:
    return zlib.crc32(group.encode("utf-8", "surrogatepass"))


def _host(url: str) -> str:
    rest = canonical_url(url or "").split("://", 1)
    return rest[1].split("/", 1)[0] if len(rest) == 2 else ""
