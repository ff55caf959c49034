"""Enrichment: language id, full text for summary-only entries, boilerplate removal.

- Language: py3langid (model ships in the wheel, nothing downloads) restricted to the
  languages we expect, with script shortcuts (Hangul, Kana, Thai, Hebrew, ...) and
  None when the text is too short or the model is unsure. Unrestricted, it answers
  `tl`/`wuu` for short English or Chinese titles.
- Full text: `extract_main_text` runs trafilatura on bytes *we* fetched (its own
  downloader retries without certificate checks); `FullTextFetcher` fetches article pages
  with the feed limits, a per-host rate limit and a bounded LRU cache. Failure keeps the
  article as it was: enrichment never drops an article.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from monitor.models import Article
from monitor.relevance.text import content_hash

DEFAULT_LANGS: tuple[str, ...] = (
    "en", "id", "ru", "uk", "ko", "ja", "zh", "de", "fr", "es", "ar", "pt", "it", "tr", "vi",
    "ms", "pl", "nl", "fa", "ur", "hi", "th", "he", "el", "sv", "cs", "ro", "hu", "bn", "ta",
)
MIN_LETTERS = 8  # fewer letters than this: too short to say
MIN_CONFIDENCE = 0.4
# Languages the model confuses with each other: their probabilities add up when judging
# confidence (the best of the group is still the answer).
_CLOSE = ({"id", "ms"}, {"ru", "uk", "bg", "be"}, {"es", "pt", "gl"}, {"cs", "sk"},
          {"sv", "no", "da"}, {"hi", "mr", "ne"})

_SCRIPTS: tuple[tuple[str, str], ...] = (  # (character class, language) decided by script
    ("\u3040-\u30ff", "ja"),  # kana: Japanese even with kanji around
    ("\uac00-\ud7af\u1100-\u11ff\u3130-\u318f", "ko"),
    ("\u0e00-\u0e7f", "th"),
    ("\u0590-\u05ff", "he"),
    ("\u0370-\u03ff", "el"),
    ("\u0530-\u058f", "hy"),
    ("\u10a0-\u10ff", "ka"),
    ("\u0980-\u09ff", "bn"),
    ("\u0b80-\u0bff", "ta"),
    ("\u1000-\u109f", "my"),
    ("\u1780-\u17ff", "km"),
)
_SCRIPT_RES = tuple((re.compile(f"[{cls}]"), lang) for cls, lang in _SCRIPTS)
_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")
_LETTER = re.compile(r"[^\W\d_]")
_WIDE = re.compile("[\u3040-\u30ff\u4e00-\u9fff\u3400-\u4dbf\uac00-\ud7af]")

_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def _base_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8)
def _model_for(candidates: tuple[str, ...]) -> Any:
    import copy

    base = _base_model()
    known = [c for c in candidates if c in set(base.nb_classes)]
    model = copy.copy(base)  # shares the big arrays; set_languages makes sliced copies
    model.set_languages(known or None)
    return model


def _script_language(sample: str, letters: int, candidates: tuple[str, ...]) -> str | None:
    for pattern, lang in _SCRIPT_RES:
        hits = len(pattern.findall(sample))
        # A quarter of the letters settles it; a little kana among kanji means Japanese.
        if hits and hits * (10 if lang == "ja" else 4) >= letters:
            return lang
    han = len(_HAN.findall(sample))
    if han * 2 >= letters and "zh" in candidates:
        return "zh"
    return None


def detect_language(title: str, text: str = "",
                    candidates: Iterable[str] = DEFAULT_LANGS) -> str | None:
    """ISO 639-1 code of title+text, or None when too short or unsure."""
    candidates = tuple(candidates)
    sample = f"{title}\n{text[:2000]}".strip()
    letters = len(_LETTER.findall(sample))
    if letters + len(_WIDE.findall(sample)) < MIN_LETTERS:  # a CJK character counts double
        return None
    by_script = _script_language(sample, letters, candidates)
    if by_script is not None:
        return by_script
    with _model_lock:  # the identifier keeps per-call state in numpy buffers
        ranked = _model_for(candidates).rank(sample)
    best, _prob = ranked[0]
    group = next((g for g in _CLOSE if best in g), {best})
    confidence = sum(p for lang, p in ranked if lang in group)
    return best if confidence >= MIN_CONFIDENCE else None


def with_language(article: Article, feed_language: str | None = None,
                  candidates: Iterable[str] = DEFAULT_LANGS) -> Article:
    """The article with `language` set: detected, else the feed's declared language."""
    lang = detect_language(article.title, article.text, candidates) or feed_language
    return article if lang == article.language else replace(article, language=lang)


# ---------------------------------------------------------------- boilerplate

_BOILERPLATE = re.compile(
    r"""^(?:
        beranda | home | menu | navigasi | navigation | search | cari | login | masuk | daftar
      | baca\s+(?:juga|selengkapnya|berita\s+lainnya) | simak\s+juga | lihat\s+juga
      | artikel\s+terkait | berita\s+terkait | iklan | advertisement | advertising
      | sponsored | scroll\s+to\s+continue(?:\s+with\s+content)? | scroll\s+untuk\s+lanjut.*
      | exit\s+mobile\s+version | skip\s+to\s+(?:main\s+)?content | back\s+to\s+top
      | (?:also\s+)?read(?:\s+more|\s+also|\s+next)? | related(?:\s+(?:articles|stories|news))?
      | more\s+on\s+this\s+story | share(?:\s+this(?:\s+article|\s+story)?)?
      | share\s+(?:on|via)\s+\w+ | (?:tweet|facebook|twitter|whatsapp|telegram|linkedin
        |email|print|pinterest|reddit|copy\s+link|x)
      | follow\s+us(?:\s+on\s+.*)? | subscribe(?:\s+to\s+.*)? | sign\s+up.* | newsletter
      | (?:we|this\s+(?:web)?site)\s+uses?\s+cookies.* | accept(?:\s+all)?\s+cookies
      | cookie\s+(?:policy|settings|preferences|consent).* | manage\s+(?:cookies|consent)
      | (?:copyright\s*)?©.* | all\s+rights\s+reserved.* | hak\s+cipta.*
      | читайте\s+также.* | смотрите\s+также.* | поделиться | реклама
      | 관련\s*기사 | 무단\s*전재.* | 많이\s*본\s*뉴스 | 기자\s*구독 | 공유하기
      | 相关(?:新闻|阅读|文章) | 分享到.* | 責任編集.* | 関連記事
      | advertisement\s*-\s*scroll\s+to\s+continue | loading\.*
    )\s*[:.!|»›>-]*\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_INLINE_BOILERPLATE = re.compile(
    r"^(?:baca\s+juga|simak\s+juga|lihat\s+juga|read\s+(?:more|also)|also\s+read"
    r"|читайте\s+также|関連記事|相关阅读)\s*[:：-].{0,200}$",
    re.IGNORECASE,
)


def strip_boilerplate(text: str) -> str:
    """Remove site furniture lines (navigation, "Baca juga: ...", share buttons, cookie
    banners, copyright) so they do not reach matching. Article sentences are kept:
    only short lines that are entirely boilerplate go."""
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if len(stripped) <= 160 and (_BOILERPLATE.match(stripped)
                                     or _INLINE_BOILERPLATE.match(stripped)):
            continue
        kept.append(stripped)
    return "\n".join(kept)


def needs_full_text(article: Article, min_chars: int = 400) -> bool:
    """True when the entry carries too little text to match on and has a web page."""
    return (len(article.text.strip()) < min_chars
            and urlsplit(article.url).scheme in ("http", "https"))


def extract_main_text(html: bytes | str, url: str) -> str | None:
    """Main text of an article page we fetched (never trafilatura's downloader)."""
    import trafilatura

    if not html:
        return None
    try:
        text = trafilatura.extract(html, url=url or None, include_comments=False,
                                   include_tables=False, include_images=False,
                                   favor_precision=True, deduplicate=False)
    except Exception:
        return None
    if not text:
        return None
    cleaned = strip_boilerplate(text)
    return cleaned or None


extract_text = extract_main_text  # name used in docs/architecture.md


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, str | None] = OrderedDict()

    def get(self, key: str) -> tuple[bool, str | None]:
        if key not in self._data:
            return False, None
        self._data.move_to_end(key)
        return True, self._data[key]

    def put(self, key: str, value: str | None) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


class FullTextFetcher:
    """Fetch article pages and extract their main text, politely.

    Uses a `monitor.ingest.fetch.Fetcher` (same limits as feeds), waits `per_host_interval`
    seconds between requests to one host, and caches results (failures too) by URL.
    """

    def __init__(self, fetcher: Any, per_host_interval: float = 1.0, cache_size: int = 2048,
                 min_chars: int = 400) -> None:
        self.fetcher = fetcher
        self.per_host_interval = per_host_interval
        self.min_chars = min_chars
        self._cache = _LRU(cache_size)
        self._next_slot: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}

    async def _wait_turn(self, host: str) -> None:
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.per_host_interval
            if len(self._next_slot) > 10_000:  # forget hosts whose slot has long passed
                self._next_slot = {h: t for h, t in self._next_slot.items() if t > now}
        if slot > now:
            await asyncio.sleep(slot - now)

    async def text_for(self, url: str) -> str | None:
        """Main text of the page at `url`, or None (cached, failures included)."""
        hit, cached = self._cache.get(url)
        if hit:
            return cached
        await self._wait_turn(urlsplit(url).netloc.lower())
        result = await self.fetcher.fetch(url)
        text = None
        if result.error is None and result.body:
            text = await asyncio.to_thread(extract_main_text, result.body, result.final_url)
        self._cache.put(url, text)
        return text

    async def enrich(self, article: Article) -> Article:
        """The article with `content` filled from its page when the feed gave too little;
        unchanged when extraction fails or finds no more than the summary."""
        if not needs_full_text(article, self.min_chars):
            return article
        text = await self.text_for(article.url)
        if not text or len(text) <= len(article.summary):
            return article
        return replace(article, content=text, content_hash=content_hash(article.title, text))
