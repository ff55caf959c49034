"""Text normalisation shared by rules, matching, dedup and hashing. Pure, no I/O.

`normalize` is the one definition of "the same text": Unicode NFKC, casefold, every
hyphen and dash becomes a space (so "Kim Jong-un" = "Kim Jong Un" = "Kim Jong‑un"),
apostrophes become "'", zero-width characters and soft hyphens disappear, Cyrillic
"ё" becomes "е", control characters become spaces, and whitespace collapses (a run
holding a line break becomes one "\\n", which keeps sentence boundaries; any other run
becomes one space). With `fold_accents=True`, Latin/Greek/Cyrillic diacritics and
Arabic harakat are dropped too ("Corée" -> "coree"); Japanese kana marks and Cyrillic
"й" are kept because dropping them changes the letter.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "content_hash",
    "is_cjk",
    "is_unspaced_char",
    "is_word_char",
    "normalize",
    "normalize_with_map",
    "normalize_with_offsets",
    "sentence_index",
    "sentence_starts",
    "sentences",
]

# Zero-width characters, soft hyphen and bidi controls: invisible, so removed.
_ZERO_WIDTH = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a\u202b\u202c\u202d"
    "\u202e\u2066\u2067\u2068\u2069\u061c"
)
_HYPHENS = (
    "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u058a\u1806"
)
_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02bb\u2032\u00b4\u0060\uff07"

_STRIP_ZW = {ord(c): None for c in _ZERO_WIDTH}
_UNIFY = {ord(c): " " for c in _HYPHENS}
_UNIFY.update({ord(c): "'" for c in _APOSTROPHES})
_UNIFY[ord("ё")] = "е"
# Control characters (other than tab / line breaks) become spaces.
_UNIFY.update({c: " " for c in range(0x00, 0x20) if chr(c) not in "\t\n\r\x0b\x0c"})
_UNIFY.update({c: " " for c in range(0x7F, 0xA0) if c != 0x85})

_ZW_RE = re.compile("[" + _ZERO_WIDTH + "]")
_UNIFY_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in _UNIFY) + "]")
_ASCII_ODD = re.compile(r"[\x00-\x08\x0e-\x1f\x7f`-]")
# What str.splitlines() breaks on, once control characters became spaces.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _is_foldable_mark(ch: str) -> bool:
    cp = ord(ch)
    return (0x0300 <= cp <= 0x036F or 0x0483 <= cp <= 0x0487 or 0x064B <= cp <= 0x065F
            or cp == 0x0670 or 0x1AB0 <= cp <= 0x1AFF or 0x1DC0 <= cp <= 0x1DFF)


def _build_fold_map() -> dict[str, str]:
    """Char -> char without Latin/Greek/Cyrillic diacritics or Arabic harakat.

    Kana voicing marks are not foldable marks, and Cyrillic "й"/"ў" are kept whole,
    because dropping those marks changes the letter.
    """
    out: dict[str, str] = {}
    for cp in range(0x80, 0x2000):
        ch = chr(cp)
        if _is_foldable_mark(ch):
            out[ch] = ""
            continue
        if ch in "йЙўЎ":
            continue
        nfd = unicodedata.normalize("NFD", ch)
        if nfd != ch and any(_is_foldable_mark(c) for c in nfd):
            stripped = "".join(c for c in nfd if not _is_foldable_mark(c))
            out[ch] = unicodedata.normalize("NFC", stripped)
    return out


_FOLD_MAP = _build_fold_map()
_FOLD_RE = re.compile("[" + "".join(re.escape(c) for c in _FOLD_MAP) + "]")


def _fold_char(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group(0)]


def _fold(s: str) -> str:
    return _FOLD_RE.sub(_fold_char, s) if _FOLD_RE.search(s) else s


def normalize(s: str, *, fold_accents: bool = False) -> str:
    """Normalise text for matching and hashing (idempotent)."""
    if not s:
        return ""
    if s.isascii():
        s = s.lower()
        if _ASCII_ODD.search(s):
            s = s.translate(_UNIFY)
    else:
        if _ZW_RE.search(s):
            s = s.translate(_STRIP_ZW)
        s = unicodedata.normalize("NFKC", s)
        s = unicodedata.normalize("NFKC", s.casefold())
        if _UNIFY_RE.search(s):
            s = _UNIFY_RE.sub(_unify_char, s)
        if fold_accents:
            s = _fold(s)
    lines = s.splitlines()
    if len(lines) <= 1:
        return " ".join(s.split())
    return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))


def _unify_char(match: re.Match[str]) -> str:
    return _UNIFY[ord(match.group(0))]


def _clusters(s: str) -> list[tuple[int, str]]:
    """Split into (start offset, base char + following combining marks)."""
    out: list[tuple[int, str]] = []
    for i, ch in enumerate(s):
        if out and (unicodedata.combining(ch) or "\u1160" <= ch <= "\u11ff"):
            start, text = out[-1]
            out[-1] = (start, text + ch)
        else:
            out.append((i, ch))
    return out


def _piece(cluster: str, fold_accents: bool) -> str:
    """`normalize` without whitespace collapsing, for one cluster."""
    s = cluster.translate(_STRIP_ZW)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
        s = unicodedata.normalize("NFKC", s.casefold())
    else:
        s = s.lower()
    s = s.translate(_UNIFY)
    return _fold(s) if fold_accents else s


def normalize_with_map(s: str, *, fold_accents: bool = False) -> tuple[str, list[int]]:
    """Normalise like `normalize` and map each output char back to its source offset.

    Returns `(normalised, offsets)` with `len(offsets) == len(normalised) + 1`: output char
    `i` comes from the source cluster starting at `offsets[i]`, and the last entry is
    `len(s)`. It works cluster by cluster (a base char and its combining marks), so on
    exotic input it can differ from `normalize`; callers needing exact agreement compare
    the two strings and fall back.
    """
    chars: list[str] = []
    offsets: list[int] = []
    pending = ""  # "", " " or "\n": whitespace seen since the last visible char
    pending_at = 0
    for start, cluster in _clusters(s):
        for ch in _piece(cluster, fold_accents):
            if ch.isspace():
                if not pending:
                    pending, pending_at = " ", start
                if ch in _LINE_BREAKS:
                    pending = "\n"
                continue
            if pending and chars:
                chars.append(pending)
                offsets.append(pending_at)
            pending = ""
            chars.append(ch)
            offsets.append(start)
    offsets.append(len(s))
    return "".join(chars), offsets


normalize_with_offsets = normalize_with_map


def content_hash(title: str, text: str) -> str:
    """sha1 hex of the normalised title + "\\n" + normalised text."""
    data = normalize(title) + "\n" + normalize(text)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()


# Scripts written without spaces between words: terms in them match as substrings.
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x31FF),  # Bopomofo, Hangul compatibility jamo, Katakana ext
    (0x3400, 0x4DBF),  # CJK Ext A
    (0x4E00, 0x9FFF),  # CJK Unified
    (0xA960, 0xA97F),  # Hangul Jamo Ext A
    (0xAC00, 0xD7FF),  # Hangul syllables + Jamo Ext B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK Ext B.. (astral planes 2 and 3)
)
_OTHER_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
)


def _in(ranges: tuple[tuple[int, int], ...], cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@lru_cache(maxsize=65536)
def is_unspaced_char(ch: str) -> bool:
    """True for a character of a script written without spaces (CJK, Kana, Hangul, Thai...)."""
    cp = ord(ch)
    return _in(_CJK_RANGES, cp) or _in(_OTHER_UNSPACED, cp)


def is_cjk(s: str) -> bool:
    """True when `s` contains Han, Hiragana, Katakana or Hangul characters."""
    return any(_in(_CJK_RANGES, ord(ch)) for ch in s)


@lru_cache(maxsize=65536)
def is_word_char(ch: str) -> bool:
    """A character that continues a word in a spaced script (letters, digits, marks, _).

    Characters of unspaced scripts are *not* word characters here: "北朝鮮とrussia" still
    has a boundary before "russia".
    """
    if ch.isalnum() or ch == "_":
        return not is_unspaced_char(ch)
    return unicodedata.category(ch).startswith("M")


_SENTENCE_END = re.compile(r"[.!?…؟](?=[\s\"'»”)\]]|$)|[。！？\n]")


def sentence_starts(text: str) -> list[int]:
    """Offsets where sentences start (always begins with 0), for `sentence_index`."""
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END.finditer(text))
    return starts


def sentence_index(starts: list[int], offset: int) -> int:
    """Which sentence (0-based) the character at `offset` is in."""
    return bisect.bisect_right(starts, offset) - 1


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` of `text`: ends at . ! ? (before space/end), 。！？ and newline."""
    starts = sentence_starts(text)
    ends = starts[1:] + [len(text)]
    return [(a, b) for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


# Combining marks that stay inside words of spaced scripts (diacritics when not folded,
# Hebrew/Arabic points, Indic vowel signs: whole Devanagari..Sinhala blocks).
_WORD_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_UNSPACED_CLASS = "".join(
    f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES + _OTHER_UNSPACED
)
_SCAN_SPACE = re.compile(f"[^\\w\\s{_WORD_MARKS}]|[{_UNSPACED_CLASS}]")
_SCAN_ASCII = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


def scan_form(s: str) -> str:
    """`s` (normalised) with every character that is not part of a word in a spaced script
    turned into a space, keeping offsets: what spaced terms are matched against.
    Punctuation, symbols, emoji and line breaks become spaces; so do the characters of
    unspaced scripts, so "北朝鮮とrussia" still has a boundary before "russia"."""
    if s.isascii():
        return s.translate(_SCAN_ASCII)
    return _SCAN_SPACE.sub(" ", s).replace("\n", " ")
