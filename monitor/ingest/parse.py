"""Feed bytes + response headers -> `ParsedFeed` of `Article`s.

feedparser does the XML work (RSS 0.9x/1.0/2.0, Atom); JSON Feed is parsed here.
feedparser's dicts never leave this module. What we do ourselves, and why:

- charset: when neither the HTTP header, a BOM nor the XML declaration names one and
  the bytes are not UTF-8, we detect it (charset-normalizer) and hand feedparser UTF-8;
  feedparser alone would guess windows-1252 and produce mojibake;
- HTML to text and link resolution: feedparser's sanitiser and relative-URI rewriting of
  content are off (they cost half its time); we strip HTML to text ourselves and resolve
  links against xml:base / the feed URL;
- dates feedparser misses (WIB/KST, Indonesian/Portuguese names, Korean formats);
- bounds: titles, summaries and content are capped, control characters removed.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import json
import re
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

import feedparser
from charset_normalizer import from_bytes

from monitor.errors import ParseError
from monitor.ingest.htmltext import html_to_text
from monitor.ingest.screen import newest_entries, refused_content_type
from monitor.models import Article
from monitor.relevance.text import content_hash as text_content_hash
from monitor.stories.canonical import canonical_url

MAX_TITLE = 1_000
MAX_SUMMARY = 20_000
MAX_CONTENT = 200_000
MAX_HTML_INPUT = 1_000_000  # chars of markup looked at per field
FUTURE_SLACK = timedelta(days=1)  # published further ahead than this is not believed

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff\ufffe]")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.DOTALL)
_XML_ENC = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.DOTALL)
_HTMLISH = re.compile(rb"<\s*(html|head|body|!doctype\s+html)\b", re.IGNORECASE)
_FEEDISH = re.compile(rb"<\s*(rss|feed|rdf:rdf|channel)\b", re.IGNORECASE)
_LEFTOVER_TAGS = re.compile(r"</?(?:p|div|a|br|span|img|b|i|strong|em|ul|li)\b[^<>]{0,300}>",
                            re.IGNORECASE)
_WS = re.compile(r"[ \t\r\n\f\v\xa0]+")


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    ttl_minutes: int | None
    entries: tuple[Article, ...]
    warnings: tuple[str, ...] = ()
    language: str | None = None  # the feed's declared language, ISO 639-1 when it looks so
    version: str = ""  # "rss20", "atom10", "json11", ...
    encoding: str = ""  # the encoding the body was read with
    dropped: int = 0  # entries left out by the per-poll cap (`max_items`)


# ---------------------------------------------------------------- text helpers


def clean_line(s: str, limit: int = MAX_TITLE) -> str:
    """One-line text: control characters removed, whitespace collapsed, capped."""
    s = _CONTROL.sub("", s[: limit * 4])
    s = _WS.sub(" ", s).strip()
    return s[:limit].rstrip() if len(s) > limit else s


def _strip_html(s: str) -> str:
    return html_to_text(s[:MAX_HTML_INPUT])


def clean_text(s: str, is_html: bool, limit: int) -> str:
    """Multi-line plain text from a (maybe HTML) field: paragraphs as single newlines."""
    if not s:
        return ""
    text = _strip_html(s) if is_html else s[:MAX_HTML_INPUT]
    if is_html and _LEFTOVER_TAGS.search(text):  # double-escaped markup (Reddit and others)
        text = _strip_html(text)
    text = _CONTROL.sub("", text)
    lines = (_WS.sub(" ", ln).strip() for ln in text.split("\n"))
    text = "\n".join(ln for ln in lines if ln)
    return text[:limit]


def article_id(feed_url: str, key: str) -> str:
    return hashlib.sha1(f"{feed_url}\n{key}".encode()).hexdigest()


def _canonical_link(link: str, base: str) -> str:
    link = link.strip()
    if not link:
        return ""
    absolute = urljoin(base, link) if base else link
    if urlsplit(absolute).scheme not in ("http", "https"):
        return absolute if urlsplit(absolute).scheme else ""
    return canonical_url(absolute)  # never raises


# ---------------------------------------------------------------- charset


def _header_charset(headers: dict[str, str]) -> str | None:
    ctype = headers.get("content-type", "")
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", ctype, re.IGNORECASE)
    return m.group(1) if m else None


def _known(enc: str | None) -> str | None:
    if not enc:
        return None
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def _detect(body: bytes) -> str | None:
    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return None
    best = matches[0]
    # Single-byte Latin code pages tie often; the web's commonest one wins ties.
    for m in matches:
        if m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01 and (
                m.coherence >= best.coherence - 0.15):
            return "cp1252"
    return best.encoding


def decode_body(body: bytes, headers: dict[str, str]) -> tuple[str, str, list[str]]:
    """Body -> (text, encoding used, warnings). Declared encodings first, then detection."""
    warnings: list[str] = []
    if body.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8"]
    elif body[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    else:
        m = _XML_ENC.match(body[:500])
        declared = [_known(_header_charset(headers)), _known(m.group(1).decode() if m else None)]
        candidates = [c for c in declared if c]
    for enc in dict.fromkeys(candidates):
        try:
            return body.decode("utf-8-sig" if enc == "utf-8" else enc), enc, warnings
        except UnicodeDecodeError:
            warnings.append(f"body is not valid {enc} as declared")
    if "utf-8" not in candidates:
        try:
            return body.decode("utf-8"), "utf-8", warnings
        except UnicodeDecodeError:
            pass
    if not candidates or "utf-8" in candidates:
        # Mostly valid UTF-8 with a few broken bytes: keep it, mark the broken bytes.
        # Declared UTF-8 gets more benefit of the doubt than undeclared bytes.
        text = body.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        good = sum(1 for ch in text if ch > "\x7f") - bad
        if good * (4 if candidates else 1) >= bad:
            warnings.append(f"{bad} invalid UTF-8 byte sequence(s) replaced")
            return text, "utf-8", warnings
    detected = _detect(body)
    if detected and detected not in ("utf_8", "utf-8"):
        try:
            text = body.decode(detected)
            warnings.append(f"no usable charset declared; detected {detected}")
            return text, codecs.lookup(detected).name, warnings
        except (UnicodeDecodeError, LookupError):
            pass
    warnings.append("invalid UTF-8 bytes replaced")
    return body.decode("utf-8", "replace"), "utf-8", warnings


# ---------------------------------------------------------------- dates

_MONTHS = {
    # en, id, pt, es, fr, de, it, nl (abbreviations by prefix below)
    "jan": 1, "januari": 1, "janeiro": 1, "enero": 1, "janvier": 1, "januar": 1, "gennaio": 1,
    "feb": 2, "februari": 2, "fev": 2, "fevereiro": 2, "febrero": 2, "février": 2, "fevrier": 2,
    "februar": 2, "febbraio": 2,
    "mar": 3, "maret": 3, "março": 3, "marco": 3, "marzo": 3, "mars": 3, "märz": 3, "maart": 3,
    "apr": 4, "april": 4, "abr": 4, "abril": 4, "avril": 4, "aprile": 4, "avr": 4,
    "mei": 5, "may": 5, "mai": 5, "maio": 5, "mayo": 5, "maggio": 5, "mag": 5, "mei.": 5,
    "jun": 6, "juni": 6, "junho": 6, "junio": 6, "juin": 6, "giugno": 6, "giu": 6,
    "jul": 7, "juli": 7, "julho": 7, "julio": 7, "juillet": 7, "luglio": 7, "lug": 7,
    "agu": 8, "agt": 8, "ags": 8, "agustus": 8, "aug": 8, "ago": 8, "agosto": 8, "août": 8,
    "aout": 8, "augustus": 8,
    "sep": 9, "sept": 9, "set": 9, "september": 9, "setembro": 9, "septiembre": 9,
    "septembre": 9, "settembre": 9,
    "okt": 10, "oct": 10, "out": 10, "oktober": 10, "outubro": 10, "octubre": 10,
    "octobre": 10, "ottobre": 10, "ott": 10,
    "nov": 11, "november": 11, "novembro": 11, "noviembre": 11, "novembre": 11,
    "des": 12, "dec": 12, "dez": 12, "desember": 12, "dezembro": 12, "diciembre": 12,
    "décembre": 12, "decembre": 12, "dicembre": 12, "dic": 12, "dezember": 12,
}
_ZONES = {"wib": 7, "wita": 8, "wit": 9, "kst": 9, "jst": 9, "msk": 3, "ict": 7, "pht": 8,
          "sgt": 8, "hkt": 8, "cst": -6, "ist": 5.5, "utc": 0, "gmt": 0, "z": 0, "ut": 0,
          "est": -5, "edt": -4, "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1}
_TZ = r"(?:\s*(?P<tz>[+-]\d{2}:?\d{2}|[a-z]{1,4})\b)?"
_TIME = r"(?:[ ,T-]+(?:pukul\s+|jam\s+|às\s+|a las\s+)?(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?)?"
_DMY = re.compile(r"(?P<d>\d{1,2})\.?\s+(?P<mon>[^\W\d_]{3,12})\.?,?\s+(?P<y>\d{4})" + _TIME + _TZ)
_YMD = re.compile(r"(?P<y>\d{4})[-./](?P<mo>\d{1,2})[-./](?P<d>\d{1,2})\.?" + _TIME + _TZ)
_KOREAN = re.compile(
    r"(?P<y>\d{4})\s*년\s*(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일(?:\s*\([^)]*\))?"
    r"(?:\s*(?P<ampm>오전|오후)?\s*(?P<h>\d{1,2})\s*[:시]\s*(?P<mi>\d{1,2})"
    r"(?:\s*[:분]\s*(?P<s>\d{1,2}))?)?")


def _zone(tz: str | None) -> timezone | None:
    if not tz:
        return None
    tz = tz.lower()
    if tz[0] in "+-":
        digits = tz[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
        return timezone(-offset if tz[0] == "-" else offset)
    if tz in _ZONES:
        return timezone(timedelta(hours=_ZONES[tz]))
    return None


def parse_date(raw: str) -> datetime | None:
    """Dates feedparser misreads or misses; aware UTC, or None. Times without a zone are
    taken as UTC (Korean ones as KST)."""
    s = raw.strip().lower()
    if not s:
        return None
    m = _KOREAN.search(raw)
    if m:
        hour = int(m.group("h") or 0)
        if m.group("ampm") == "오후" and hour < 12:
            hour += 12
        if m.group("ampm") == "오전" and hour == 12:
            hour = 0
        tz: timezone | None = _zone(_TZ_TAIL.search(s).group(1) if _TZ_TAIL.search(s) else None)
        return _build(m, m.group("y"), m.group("mo"), hour, tz or timezone(timedelta(hours=9)))
    for pattern in (_DMY, _YMD):
        m = pattern.search(s)
        if not m:
            continue
        if pattern is _DMY:
            month = _MONTHS.get(m.group("mon")) or _MONTHS.get(m.group("mon")[:3])
            if month is None:
                continue
        else:
            month = int(m.group("mo"))
        tz = _zone(m.group("tz"))
        return _build(m, m.group("y"), month, int(m.group("h") or 0), tz or UTC)
    return None


_TZ_TAIL = re.compile(r"([+-]\d{2}:?\d{2}|\b(?:kst|utc|gmt))\s*$")


def _build(m: re.Match[str], year: Any, month: Any, hour: int, tz: timezone) -> datetime | None:
    try:
        dt = datetime(int(year), int(month), int(m.group("d")), hour, int(m.group("mi") or 0),
                      int(m.group("s") or 0), tzinfo=tz)
    except (ValueError, OverflowError):
        return None
    return dt.astimezone(UTC)


_FEEDPARSER_TRUSTED_TZ = re.compile(r"([+-]\d{2}:?\d{2}|\b(gmt|utc|ut|z|[ecmp][sd]t))\s*$|"
                                    r"\d{2}:\d{2}(:\d{2})?(\.\d+)?z$|t\d", re.IGNORECASE)


def _entry_date(entry: Any) -> tuple[datetime | None, str | None]:
    """(published UTC, raw text) from an entry; None when nothing usable."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        parsed = entry.get(f"{key}_parsed")
        if not raw:
            continue
        if parsed and _FEEDPARSER_TRUSTED_TZ.search(raw.strip()):
            return datetime(*parsed[:6], tzinfo=UTC), raw
        ours = parse_date(raw)
        if ours is not None:
            return ours, raw
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC), raw
    return None, None


# ---------------------------------------------------------------- building articles


@dataclass
class _Builder:
    feed_url: str
    fetched: datetime
    source: str
    warnings: list[str]

    def __post_init__(self) -> None:
        self.seen: set[str] = set()
        self.duplicates = 0
        self.empty = 0
        self.guessed = 0
        self.future = 0
        self.articles: list[Article] = []

    def add(self, *, guid: str | None, link: str, title: str, summary: str, content: str,
            published: datetime | None) -> None:
        title = clean_line(title)
        if not title:
            title = clean_line((summary or content)[:120])
        if not (title or link or guid):
            self.empty += 1  # nothing to show, link or match: not an article
            return
        content_hash = text_content_hash(title, content or summary)
        guid = clean_line(guid, 2_000) if guid else None
        key = guid or link or content_hash
        if key in self.seen:
            self.duplicates += 1
            return
        self.seen.add(key)
        guess = published is None
        if published is not None and published > self.fetched + FUTURE_SLACK:
            self.future += 1
            guess = True
        if guess:
            self.guessed += 1
            published = self.fetched
        self.articles.append(Article(
            id=article_id(self.feed_url, key), feed=self.feed_url, url=link, guid=guid,
            title=title, summary=summary, content=content, language=None, published=published,
            fetched=self.fetched, content_hash=content_hash, source=self.source,
            published_is_guess=guess))

    def finish(self) -> tuple[Article, ...]:
        if self.empty:
            self.warnings.append(f"{self.empty} empty entries skipped")
        if self.duplicates:
            self.warnings.append(f"{self.duplicates} entries repeat an earlier id; first kept")
        if self.future:
            self.warnings.append(f"{self.future} entries dated in the future; first-seen used")
        if self.guessed - self.future:
            self.warnings.append(
                f"{self.guessed - self.future} entries without a usable date; first-seen used")
        return tuple(self.articles)


def _language(code: Any) -> str | None:
    if not isinstance(code, str):
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def _is_html(detail: Any) -> bool:
    ctype = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    return "html" in ctype


def _feedparser_articles(parsed: Any, feed_url: str, fetched: datetime, base: str,
                         warnings: list[str]) -> tuple[str, str, tuple[Article, ...]]:
    feed = parsed.feed
    title = clean_line(feed.get("title", "") or "")
    link = _canonical_link(feed.get("link", "") or "", base)
    builder = _Builder(feed_url, fetched, title, warnings)
    for entry in parsed.entries:
        summary_raw = entry.get("summary", "") or ""
        summary = clean_text(summary_raw, _is_html(entry.get("summary_detail")), MAX_SUMMARY)
        content = ""
        for part in entry.get("content", []) or []:
            text = clean_text(part.get("value", "") or "", _is_html(part), MAX_CONTENT)
            if len(text) > len(content):
                content = text
        if content and content == summary:
            content = ""
        if len(content) <= len(summary):  # a "content" no longer than the summary adds nothing
            content = ""
        raw_title = entry.get("title", "") or ""
        if "<" in raw_title and _is_html(entry.get("title_detail")):
            raw_title = clean_text(raw_title, True, MAX_TITLE * 4).replace("\n", " ")
        entry_link = entry.get("link", "") or ""
        if not entry_link:
            for candidate in entry.get("links", []) or []:
                if candidate.get("rel") in ("alternate", None) and candidate.get("href"):
                    entry_link = candidate["href"]
                    break
        published, _raw = _entry_date(entry)
        builder.add(guid=entry.get("id") or None, link=_canonical_link(entry_link, base),
                    title=raw_title, summary=summary, content=content, published=published)
    return title, link, builder.finish()


def _ttl(feed: Any) -> int | None:
    raw = feed.get("ttl")
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= 60 * 24 * 30 else None


_HARMLESS_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")


def parse_feed(body: bytes, headers: dict[str, str], feed_url: str,
               fetched: datetime, max_items: int | None = None) -> ParsedFeed:
    """Parse one feed body. Raises ParseError (naming the feed) for bodies that are not
    feeds; problems that still leave entries are reported in `warnings`. With `max_items`,
    only the newest that many entries are kept (`dropped` counts the rest)."""
    parsed = _parse_feed(body, headers, feed_url, fetched)
    if max_items is None or len(parsed.entries) <= max_items:
        return parsed
    kept, dropped = newest_entries(parsed.entries, max_items)
    return replace(parsed, entries=kept, dropped=dropped)


def refuse_content_type(headers: dict[str, str], body: bytes, feed_url: str) -> None:
    """Raise ParseError naming the feed and its content type when the body is never a feed."""
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    why = refused_content_type(ctype, body)
    if why is not None:
        raise ParseError(feed_url, f"refused before parsing: {why}")


def _parse_feed(body: bytes, headers: dict[str, str], feed_url: str,
                fetched: datetime) -> ParsedFeed:
    if fetched.tzinfo is None:
        raise ValueError("fetched must be timezone-aware")
    headers = {k.lower(): v for k, v in headers.items()}
    refuse_content_type(headers, body, feed_url)
    if not body or not body.strip():
        raise ParseError(feed_url, "empty body, not a feed")
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return _parse_json_feed(body, feed_url, fetched)
    text, encoding, warnings = decode_body(body, headers)
    utf8 = _XML_DECL.sub(b"", text.encode("utf-8", "replace"), count=1)
    fp_headers = {k: v for k, v in headers.items() if k not in ("content-type", "content-encoding")}
    fp_headers["content-type"] = "application/xml; charset=utf-8"
    # No content-location: feedparser would "resolve" plain GUIDs against it. Links left
    # relative after xml:base are resolved against the feed URL in _canonical_link.
    fp_headers.pop("content-location", None)
    parsed = feedparser.parse(utf8, response_headers=fp_headers, sanitize_html=False,
                              resolve_relative_uris=False)
    bozo = parsed.get("bozo_exception")
    version = parsed.get("version", "") or ""
    if not parsed.entries:
        if _HTMLISH.search(body[:4096]) and not _FEEDISH.search(body[:4096]):
            raise ParseError(feed_url, "not a feed: the server sent an HTML page "
                                       "(a website or error page, not its feed)")
        if bozo is not None and type(bozo).__name__ not in _HARMLESS_BOZO:
            what = "truncated or malformed beyond repair" if version else "not a feed"
            raise ParseError(feed_url, f"{what}, no entries: {_describe_bozo(bozo)}")
        if not version:
            raise ParseError(feed_url, "not a feed: no RSS, Atom or JSON Feed structure found")
    if bozo is not None and type(bozo).__name__ not in _HARMLESS_BOZO:
        warnings.append(f"malformed feed, read what could be read: {_describe_bozo(bozo)}")
    title, link, articles = _feedparser_articles(parsed, feed_url, fetched, feed_url, warnings)
    return ParsedFeed(title=title, link=link, ttl_minutes=_ttl(parsed.feed), entries=articles,
                      warnings=tuple(warnings), language=_language(parsed.feed.get("language")),
                      version=version, encoding=encoding)


def _describe_bozo(exc: Exception) -> str:
    message = clean_line(str(exc), 300)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# ---------------------------------------------------------------- JSON Feed


def _parse_json_feed(body: bytes, feed_url: str, fetched: datetime) -> ParsedFeed:
    try:
        doc = json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(feed_url, f"not a feed: invalid JSON ({exc})") from None
    version = doc.get("version", "") if isinstance(doc, dict) else ""
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise ParseError(feed_url, "not a feed: JSON without a JSON Feed 'version'")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError(feed_url, "not a feed: JSON Feed without an 'items' list")
    warnings: list[str] = []
    title = clean_line(_str(doc.get("title")))
    home = _canonical_link(_str(doc.get("home_page_url")), feed_url)
    builder = _Builder(feed_url, fetched, title, warnings)
    for item in items:
        if not isinstance(item, dict):
            warnings.append("skipped a JSON Feed item that is not an object")
            continue
        link = _canonical_link(_str(item.get("url")) or _str(item.get("external_url")), feed_url)
        summary_text = _str(item.get("summary"))
        html_body = _str(item.get("content_html"))
        text_body = _str(item.get("content_text"))
        content = clean_text(html_body, True, MAX_CONTENT) if html_body else clean_text(
            text_body, False, MAX_CONTENT)
        summary = clean_text(summary_text, True, MAX_SUMMARY)
        if not summary:
            summary, content = content[:MAX_SUMMARY], ""
        raw_date = _str(item.get("date_published")) or _str(item.get("date_modified"))
        published = _iso_date(raw_date) if raw_date else None
        ident = item.get("id")
        builder.add(guid=str(ident) if ident not in (None, "") else None, link=link,
                    title=_str(item.get("title")), summary=summary, content=content,
                    published=published)
    language = _language(doc.get("language"))
    return ParsedFeed(title=title, link=home, ttl_minutes=None, entries=builder.finish(),
                      warnings=tuple(warnings), language=language,
                      version="json" + version.rsplit("/", 1)[-1].replace(".", ""),
                      encoding="utf-8")


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _iso_date(raw: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(raw.strip())
    except ValueError:
        return parse_date(raw)
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


# ---------------------------------------------------------------- off the event loop


def _parse_job(body: bytes, headers: dict[str, str], feed_url: str, fetched: datetime,
               max_items: int | None = None) -> tuple[ParsedFeed | None, str | None, float]:
    # ParseError does not pickle (two-argument constructor): send its message back instead.
    # The cap applies here, so the dropped entries are never sent back to the event loop.
    started = time.perf_counter()
    try:
        return parse_feed(body, headers, feed_url, fetched, max_items), None, time.perf_counter() - started
    except ParseError as exc:
        return None, str(exc).removeprefix(f"{feed_url}: "), time.perf_counter() - started


def _ignore_sigint() -> None:
    """Ctrl-C reaches the whole process group: the daemon shuts the workers down itself,
    so they ignore it instead of each printing a KeyboardInterrupt traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class ParsePool:
    """Parse feeds in worker processes so a huge feed cannot stall the event loop.

    `async with ParsePool(workers=2) as pool: parsed = await pool.parse(...)`; raises
    ParseError like `parse_feed`. A crashed worker is replaced and reported as a ParseError.
    """

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        # spawn: forking a process that runs an event loop and threads is unsafe
        self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_ignore_sigint)
        return self._executor

    async def __aenter__(self) -> Self:
        self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def parse(self, body: bytes, headers: dict[str, str], feed_url: str,
                    fetched: datetime, max_items: int | None = None) -> ParsedFeed:
        executor = self._executor or self._start()
        loop = asyncio.get_running_loop()
        try:
            parsed, error, _ = await loop.run_in_executor(executor, _parse_job, body, headers,
                                                          feed_url, fetched, max_items)
        except BrokenProcessPool:
            self._executor = None
            executor.shutdown(wait=False, cancel_futures=True)
            raise ParseError(feed_url, "parser process crashed on this feed") from None
        if error is not None:
            raise ParseError(feed_url, error)
        assert parsed is not None
        return parsed


async def parse_in_pool(pool: ParsePool | None, body: bytes, headers: dict[str, str],
                        feed_url: str, fetched: datetime) -> ParsedFeed:
    """Parse in `pool` when given, else inline (tests, one-off CLI use)."""
    if pool is None:
        return parse_feed(body, headers, feed_url, fetched)
    return await pool.parse(body, headers, feed_url, fetched)
