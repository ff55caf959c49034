"""What one article alone tells story grouping: identity keys, a content fingerprint,
weighted words for same-language similarity and language-independent concepts.

Pure functions of the article's text; the index (monitor/stories/grouping.py) weighs them
against the other articles of the window.

- **Identity**: canonical URL (http and https are one page), GUID (bare GUIDs are per
  outlet), article id.
- **Fingerprint**: the casefolded words of title and text; equal fingerprints are one
  text copied to another URL.
- **Words**: lowercased word prefixes (a cheap stemmer that works the same in every
  inflected language: "deliveries"/"delivered" share "delive"), character bigrams for
  Chinese and Japanese, the first two syllables of Korean words (particles follow the
  stem), of the title and of the first ``LEAD_CHARS`` characters of the text.
- **Concepts**, comparable across languages: the lexicon groups the keyword engine found
  (given by the caller), numbers ("#180"; years left out) and designators ("~k-2",
  "~su-57": letters of any alphabet transliterated to Latin with anyascii).
  Capitalised names were measured too and left out: they cost recall (German capitalises
  every noun) for little precision.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter
from functools import lru_cache

from anyascii import anyascii

from monitor.stories.canonical import canonical_url

LEAD_CHARS = 300  # the event is told in the title and the lead; the rest adds noise and cost
PREFIX = 6  # letters kept of a word: "deliveries" and "delivered" become "delive"

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") | 1  # never 0: 0 means "no key"


def identity_keys(url: str, guid: str | None, source: str, article_id: str) -> tuple[int, int, int]:
    """Keys of what makes two items the same article: canonical URL, GUID, article id."""
    page = canonical_url(url or "")
    # http and https copies of one page are one article.
    page = page.split("://", 1)[1] if page.startswith(("http://", "https://")) else page
    tag = (guid or "").strip()
    if tag and not tag.startswith(("http://", "https://", "urn:", "tag:")):
        tag = f"{source}\x1f{tag}"  # bare GUIDs ("12345") are unique per feed only
    return (
        _key("u", page) if page else 0,
        _key("g", tag) if tag else 0,
        _key("i", article_id) if article_id else 0,
    )


def fingerprint(title: str, text: str, min_words: int) -> int:
    """Key of the whole text's words, case, spacing and punctuation aside (0 when too short
    to tell a copy from a common headline)."""
    folded = _fold(f"{title}\n{text}").casefold()
    words = folded.translate(_ASCII_SPACES).split() if folded.isascii() else _WORD.findall(folded)
    if len(words) < min_words:
        return 0
    return _key("f", " ".join(words))


# Outlet boilerplate around a headline: "Ukraine war: ... - BBC News", "... | Reuters".
_TITLE_SUFFIX = re.compile(r"\s+[-|–—]\s+(?:\S+\s+){0,3}\S+\s*$")
_TITLE_LABEL = re.compile(r"^\s*(?:[^\s:]+\s+){0,2}[^\s:]+:\s+(?=\S)")


def headline_core(title: str) -> str:
    """The title without an outlet's name after a dash or bar and a short section label
    before a colon: boilerplate that links unrelated headlines of one outlet."""
    core = _TITLE_LABEL.sub("", _TITLE_SUFFIX.sub("", title), count=1)
    return core if len(core) >= len(title) // 3 else title


def word_terms(text: str) -> dict[int, int]:
    """Counts of the word terms (32-bit CRCs) of a title or of the lead of a text."""
    if not text:
        return {}
    lead = text[:LEAD_CHARS]
    folded = lead.casefold() if lead.isascii() else unicodedata.normalize("NFKC", lead).casefold()
    crc = _crc
    return {crc(w): c for w, c in Counter(_terms(folded)).items()}


def _fold(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


# ASCII text splits ~5x faster by translating punctuation to spaces than by the regex.
_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")})


def _terms(folded: str) -> list[str]:
    if folded.isascii():
        return [w[:PREFIX] for w in folded.translate(_ASCII_SPACES).split() if len(w) > 1 or w.isdigit()]
    words = _WORD.findall(folded)
    if not _EAST_ASIAN.search(folded):
        return [w[:PREFIX] for w in words if len(w) > 1 or w.isdigit()]
    out: list[str] = []
    for word in words:
        if not _EAST_ASIAN.search(word):
            if len(word) > 1 or word.isdigit():
                out.append(word[:PREFIX])
        elif _CJK.search(word):
            out.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            out.append(word[:2])
    return out


@lru_cache(maxsize=1 << 16)
def _crc(term: str) -> int:
    return zlib.crc32(term.encode("utf-8", "surrogatepass")) or 1


# Numbers: digit runs with thousands/decimal separators; separators are dropped, so
# "1,500" / "1.500" become "#1500". Letters right before a number make a designator:
# K2, KN-23, Su-57, F-16, S-400. ASCII digits only (after NFKC, full-width digits are ASCII).
_NUMBER = re.compile(r"[0-9][0-9.,\u00a0\u202f]*")
_SEPARATORS = str.maketrans("", "", ".,\u00a0\u202f")
_HYPHENS = "-\u2010\u2011"


def text_features(title: str, text: str) -> frozenset[str]:
    """Numbers ("#180") and designators ("~k-2") of the title and the lead.

    Years (a plain 1900-2099) are left out: unrelated articles of a year share them.
    Designators in non-alphabetic scripts (화성-18) keep only their number.
    """
    out: set[str] = set()
    for head in (_fold(title), _fold(text[:LEAD_CHARS])):
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
    return frozenset(out)


def _is_year(run: str) -> bool:
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
    letters = _latin(head[start:end].casefold())
    return letters if letters.isascii() and letters.isalpha() else ""


@lru_cache(maxsize=1 << 14)
def _latin(word: str) -> str:
    return anyascii(word).casefold()


def concept_key(concept: str) -> int:
    """32-bit key of a concept, apart from the term keys: the group "russia" is not the
    word "russia" (a concept and a term compared as one would add their weights)."""
    return _crc("\x1f" + concept)
