"""Render alerts into channel messages with Jinja2, escaping untrusted feed text. Pure.

Every untrusted string (title, outlet, snippet, link label) goes through `neutralise`
first, whatever the output: the message title/subject, every body, the console line.
It keeps one line, removes controls (terminal escapes included) and the Unicode bidi
controls, breaks @everyone/@here/@user and <@U..>/<#C..>/<!here> with invisible word
joiners, and breaks RFC 2047 encoded words ("=?utf-8?b?...?=") so a mail reader cannot
decode one into "Bcc: ..." in a Subject. URLs go through `safe_link_url` instead
(absolute http(s) only, percent-encoded, nothing a link syntax could be broken with).
On top of that, each channel's own syntax is escaped, and every value a template prints
is escaped unless a helper marked it as done (`Trusted` for Slack/text, `Markup` for HTML):

- slack:   mrkdwn. &, <, > become entities (no <!channel>, <url|label>); * _ ~ ` become
           look-alike characters (no injected formatting); "://" is broken so no bare
           links appear. The message is cut into section texts of at most 3,000
           characters at alert boundaries; as many alerts as fit are shown, and a cut
           says how many were left out and how to list them.
- email:   HTML through Jinja2 autoescape; only http(s) URLs become links, and each is
           also shown as text, so the text part apprise derives from the HTML keeps it.
- text:    plain text.
- console: one line per alert starting with "ALERT".

    render(views, channel, *, digest=None) -> Message
    terminal_safe(text, limit=None) -> str   (for CLI output of stored feed text)
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup
from markupsafe import escape as html_escape

from monitor.delivery.route import ChannelSpec

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
# Slack: a section block's text holds 3,000 characters and a message 50 blocks; a
# message's text is cut after 40,000. apprise's Slack plugin caps a body at 35,000
# (body_maxlen) and a title at 250 (title_maxlen). The tighter figures apply.
SLACK_SECTION_MAX = 3000
SLACK_MAX_SECTIONS = 48  # 50 blocks, less the header and footer apprise may add
SLACK_MAX_CHARS = 35000  # the whole message (all sections)
TITLE_MAX = 250
SNIPPET_MAX = 300
SUBJECT_MAX = 200
URL_MAX = 2000  # longer URLs are not linked (and could not fit a Slack section)

# body_format values a Message can carry (deliver maps them onto apprise)
FORMAT_TEXT = "text"  # plain text; apprise may convert it for the target
FORMAT_SLACK = "slack"  # pre-escaped Slack mrkdwn; must reach the wire unchanged
FORMAT_HTML = "html"


@dataclass(frozen=True)
class AlertView:
    """Everything a template may show about one alert. Text fields are untrusted."""

    topic: str
    score: float
    title: str
    url: str = ""
    source: str = ""  # outlet
    language: str | None = None
    published: datetime | None = None
    snippet: str = ""
    matched_terms: tuple[str, ...] = ()
    story_articles: int = 1  # articles in the story so far (follow-up counts)
    story_outlets: int = 1
    story_languages: int = 1
    article_id: str = ""
    alert_id: int | None = None
    feedback_links: tuple[tuple[str, str], ...] = ()  # (label, url)
    followup: bool = False  # a later article on a story already alerted


@dataclass(frozen=True)
class Message:
    """A rendered message. For email, `html_body` is the HTML part and `body` the text.

    For Slack, `sections` holds the body cut at alert boundaries into texts of at most
    SLACK_SECTION_MAX characters (one Block Kit section each, see `slack_blocks`);
    `body` is the same text in one piece, the sections joined by blank lines.
    """

    title: str
    body: str
    body_format: str = FORMAT_TEXT
    html_body: str | None = None
    count: int = 1  # alerts shown (a grouped message or digest shows several)
    sections: tuple[str, ...] = ()


class Trusted(str):
    """A string already escaped for a non-HTML channel; templates print it unchanged."""


# ---------------------------------------------------------------------------
# neutralisation: the one place untrusted text is made inert, for every output
# ---------------------------------------------------------------------------

# Unicode's Bidi_Control characters reorder what a reader sees ("gpj.exe" shows as
# "exe.jpg"); the deprecated format controls, interlinear annotations and the BOM are
# invisible too. Zero-width joiners stay: scripts and emoji need them.
_INVISIBLE = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                    "\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d"
                                    "\u206e\u206f\ufeff\ufff9\ufffa\ufffb"))
# C0/C1 controls (ESC, CSI, CR, LF, VT, FF, NEL...), line/paragraph separators,
# surrogates and private use: each becomes a space, then runs of spaces collapse.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ue000-\uf8ff"
                     "\U000f0000-\U0010ffff]")
_SLACK_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
_MENTION = re.compile(r"(?<![\w.+-])([@\uff20])(?=\w)")  # @word not inside an e-mail address
_ANGLE_MENTION = re.compile(r"<(?=[@#!])")
WORD_JOINER = "\u2060"


def neutralise(text: object, limit: int | None = None) -> str:
    """Untrusted text, inert in any output: one line without controls or bidi controls,
    mentions broken, RFC 2047 encoded words broken, at most `limit` characters."""
    s = "" if text is None else str(text)
    s = " ".join(_BREAKS.sub(" ", s.translate(_INVISIBLE)).split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "\u2026"
    s = _MENTION.sub(lambda m: m.group(1) + WORD_JOINER, s)
    s = _ANGLE_MENTION.sub("<" + WORD_JOINER, s)
    # "=?charset?b?...?=" in a Subject is decoded by mail readers ("Bcc: ..." appears)
    return s.replace("=?", "=" + WORD_JOINER + "?")


def terminal_safe(text: object, limit: int | None = None) -> str:
    """Stored feed text (titles, outlets, errors) fit to print on a terminal, one line:
    no escape sequences, no bidi reordering, no mentions. For the CLI's listings."""
    return neutralise(text, limit)


def _slack_chars(s: str) -> str:
    """Already neutralised text -> Slack mrkdwn that shows it literally."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.translate(_SLACK_LOOKALIKES)
    return s.replace("://", ":" + WORD_JOINER + "//")  # no auto-linked bare URLs


def slack_escape(text: object) -> str:
    """Untrusted text -> Slack mrkdwn that shows it literally and can do nothing else."""
    return _slack_chars(neutralise(text))


def header_safe(text: object, limit: int = SUBJECT_MAX) -> str:
    """One line fit for an e-mail header or any message title: neutralised, bounded."""
    return neutralise(text, limit)


# Characters a URL keeps as they are; everything else (quotes, <, >, |, \, spaces,
# non-ASCII such as bidi controls) is percent-encoded, so no link syntax can be broken.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def safe_link_url(url: object) -> str | None:
    """The URL, percent-encoded, when it is absolute http(s) without controls or spaces,
    else None (no link rendered)."""
    s = "" if url is None else str(url).strip()
    if not s or len(s) > URL_MAX or _BREAKS.search(s) or any(c.isspace() for c in s):
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    head = len(parts.scheme) + 3  # "scheme://"
    netloc = _ascii_netloc(parts.netloc)
    if netloc is None or s[head:head + len(parts.netloc)] != parts.netloc:
        return None
    rest = quote(s[head + len(parts.netloc):], safe=_URL_SAFE)
    return f"{parts.scheme.lower()}://{netloc}{rest}"


def _ascii_netloc(netloc: str) -> str | None:
    # a backslash ends the host for browsers but not for urlsplit: refuse the ambiguity
    if "\\" in netloc or any(ord(c) in _INVISIBLE for c in netloc):
        return None
    if netloc.isascii():
        return netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        host = host.encode("idna").decode("ascii")  # IDN hosts as punycode
    except UnicodeError:
        return None
    return quote(userinfo, safe=_URL_SAFE) + at + host + colon + port


def _slack_url(url: object) -> str | None:
    target = safe_link_url(url)
    return None if target is None else target.replace("&", "&amp;")


def _slack_link(url: object, label: object) -> Trusted:
    target = _slack_url(url)
    shown = slack_escape(label) or "(untitled)"
    return Trusted(shown if target is None else f"<{target}|{shown}>")


def _text_link(url: object, label: object) -> Trusted:
    target = safe_link_url(url)
    shown = neutralise(label, TITLE_MAX)
    return Trusted(shown + (f" <{target}>" if target else ""))


def _is_word_char(ch: str) -> bool:
    # wide (CJK) characters are not spaced into words, so they never extend a span
    return ch.isalnum() and unicodedata.east_asian_width(ch) not in ("W", "F")


def _find_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping spans of `terms` in `text`, widened to whole words (prefix terms)."""
    words = sorted({t.strip().rstrip("*").strip() for t in terms if t and t.strip("* ")},
                   key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(text):
        start, end = m.start(), m.end()
        while start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
            start -= 1
        while end < len(text) and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
            end += 1
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def _highlight(text: str, terms: Iterable[str], escape: Callable[[str], str],
               mark: Callable[[str, str, str], str]) -> str:
    out, pos = [], 0
    for start, end in _find_spans(text, terms):
        out.append(escape(text[pos:start]))
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        out.append(mark(escape(text[start:end]), before, after))
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _slack_bold(s: str, before: str, after: str) -> str:
    # Slack only renders *bold* when the asterisks do not touch letters or digits
    if before.isalnum() or after.isalnum() or not s:
        return s
    return f"*{s}*"


def _slack_highlight(snippet: object, terms: Iterable[str]) -> Trusted:
    return Trusted(_highlight(neutralise(snippet, SNIPPET_MAX), terms, _slack_chars,
                              _slack_bold))


def _html_highlight(snippet: object, terms: Iterable[str]) -> Markup:
    text = neutralise(snippet, SNIPPET_MAX)
    return Markup(_highlight(text, terms, lambda s: str(html_escape(s)),
                             lambda s, _b, _a: f"<mark>{s}</mark>"))


def _html_link(url: object, label: object) -> Markup:
    target = safe_link_url(url)
    shown = html_escape(neutralise(label, TITLE_MAX) or "(untitled)")
    if target is None:
        return Markup(shown)
    return Markup('<a href="{}">{}</a>').format(target, shown)


def _when(value: datetime | None) -> str:
    if value is None:
        return "time unknown"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _id_ranges(ids: Iterable[int | None], limit: int = 10) -> str:
    """Alert ids as compact ranges ("12–15, 20"), at most `limit` ranges, then "…"."""
    ranges: list[list[int]] = []
    for i in sorted({i for i in ids if i is not None}):
        if ranges and i == ranges[-1][1] + 1:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    shown = [f"{a}" if a == b else f"{a}\u2013{b}" for a, b in ranges[:limit]]
    return ", ".join(shown + (["\u2026"] if len(ranges) > limit else []))


# ---------------------------------------------------------------------------
# Jinja environments, one per escaping regime
# ---------------------------------------------------------------------------


def _finalizer(escape: Callable[[object], str]) -> Callable[[object], str]:
    def finalize(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Trusted):
            return value
        return escape(value)
    return finalize


def _html_finalize(value: object) -> object:
    # autoescape HTML-escapes afterwards; our helpers' Markup is already done
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return neutralise(value)


def _common_globals(env: jinja2.Environment) -> None:
    env.globals["when"] = _when
    env.filters["when"] = _when
    env.filters["score"] = lambda v: f"{float(v):.2f}"
    env.filters["terms"] = lambda ts: [t.strip().rstrip("*") for t in ts if t.strip("* ")]
    env.filters["ids"] = _id_ranges


@functools.cache
def _environment(regime: str) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(TEMPLATE_DIR))
    common = dict(loader=loader, trim_blocks=True, lstrip_blocks=True,
                  keep_trailing_newline=False, undefined=jinja2.StrictUndefined)
    if regime == "html":
        env = jinja2.Environment(autoescape=True, finalize=_html_finalize,
                                 **common)  # type: ignore[arg-type]
        env.globals.update(link=_html_link, highlight=_html_highlight,
                           line=lambda v, n=TITLE_MAX: html_escape(neutralise(v, n)),
                           href=lambda url: html_escape(safe_link_url(url) or ""))
    elif regime == "slack":
        env = jinja2.Environment(autoescape=False, finalize=_finalizer(slack_escape),
                                 **common)  # type: ignore[arg-type]
        env.globals.update(link=_slack_link, highlight=_slack_highlight,
                           line=lambda v, n=TITLE_MAX: Trusted(_slack_chars(neutralise(v, n))),
                           href=lambda url: Trusted(_slack_url(url) or ""))
    else:  # plain text (text, email text part)
        env = jinja2.Environment(autoescape=False, finalize=_finalizer(neutralise),
                                 **common)  # type: ignore[arg-type]
        env.globals.update(
            link=_text_link,
            highlight=lambda s, terms: Trusted(neutralise(s, SNIPPET_MAX)),
            line=lambda v, n=TITLE_MAX: Trusted(neutralise(v, n)),
            href=lambda url: Trusted(safe_link_url(url) or ""),
        )
    _common_globals(env)
    return env


@functools.cache
def _user_template(regime: str, path: str, mtime_ns: int) -> jinja2.Template:
    source = Path(path).read_text(encoding="utf-8")
    return _environment(regime).from_string(source)


def clear_template_cache() -> None:
    """Forget compiled user templates (call after a config reload)."""
    _user_template.cache_clear()


def _template(channel: ChannelSpec, role: str, regime: str, default: str) -> jinja2.Template:
    override = channel.template_path(role)
    if override:
        path = Path(override).expanduser()
        return _user_template(regime, str(path), path.stat().st_mtime_ns)
    return _environment(regime).get_template(default)


# ---------------------------------------------------------------------------
# Slack: sections within Slack's and apprise's limits
# ---------------------------------------------------------------------------


def slack_length(text: str) -> int:
    """Length as Slack may count it: UTF-16 code units (an emoji outside the BMP is 2)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, room: int) -> str:
    """`text` cut to fit `room`, not inside an entity or a <link|label>, ending in "…"."""
    cut, units = text, 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > room - 1:
            cut = text[:i]
            break
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    return cut.rstrip() + "\u2026"


def _pack_sections(body: str) -> tuple[list[str], bool]:
    """Paragraphs (then lines) of `body` packed in order into section texts.

    Returns the sections and whether everything fit Slack's limits uncut.
    """
    pieces: list[tuple[str, str]] = []  # (separator before it, text)
    complete = True
    for para in body.strip("\n").split("\n\n"):
        if slack_length(para) <= SLACK_SECTION_MAX:
            pieces.append(("\n\n", para))
            continue
        for i, ln in enumerate(para.split("\n")):
            if slack_length(ln) > SLACK_SECTION_MAX:  # one huge line (a user template)
                ln, complete = _hard_cut(ln, SLACK_SECTION_MAX), False
            pieces.append(("\n\n" if i == 0 else "\n", ln))
    sections: list[str] = []
    for sep, text in pieces:
        if sections and slack_length(sections[-1] + sep + text) <= SLACK_SECTION_MAX:
            sections[-1] += sep + text
        elif text.strip():
            sections.append(text.lstrip("\n"))
    total = slack_length("\n\n".join(sections)) + 1  # the body's final newline
    fits = len(sections) <= SLACK_MAX_SECTIONS and total <= SLACK_MAX_CHARS
    return sections, complete and fits


def _cut_sections(sections: list[str]) -> list[str]:
    """The leading sections within the message limits; a final "…" marks a drop."""
    kept: list[str] = []
    used = 1  # the body's final newline
    for s in sections:
        sep = 2 if kept else 0
        room = min(SLACK_SECTION_MAX, SLACK_MAX_CHARS - used - sep)
        if len(kept) < SLACK_MAX_SECTIONS and slack_length(s) <= room:
            kept.append(s)
            used += sep + slack_length(s)
        elif len(kept) < SLACK_MAX_SECTIONS and room > 1:
            kept.append(_hard_cut(s, room))  # ends in "…"
            break
        else:  # no section left: mark the last one
            room = min(SLACK_SECTION_MAX, SLACK_MAX_CHARS - used + slack_length(kept[-1]))
            last = kept[-1]
            kept[-1] = (last + "\n\u2026" if slack_length(last) + 2 <= room
                        else _hard_cut(last, room))
            break
    return kept or ["\u2026"]


def slack_blocks(message: Message) -> list[dict[str, object]]:
    """Block Kit section blocks for a Slack message, one per section (pure data)."""
    texts = message.sections or (message.body,)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in texts]


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------

_DEFAULTS = {
    # kind -> (body template, digest body template, body regime)
    "slack": ("slack.md.j2", "slack_digest.md.j2", "slack"),
    "email": ("email.txt.j2", "email_digest.txt.j2", "text"),
    "text": ("text.txt.j2", "text_digest.txt.j2", "text"),
}


def message_title(views: Sequence[AlertView], *, digest: bool = False) -> str:
    """Subject/title line: topic and title, or a count for groups and digests. One line."""
    if not views:
        return "media-monitor: no alerts"
    topics = sorted({v.topic for v in views})
    if digest:
        return header_safe(f"Digest: {len(views)} alert{'s' if len(views) != 1 else ''} "
                           f"({', '.join(topics)})")
    first = views[0]
    topic = f"[{neutralise(first.topic, 60)}]"
    more = f" (+{len(views) - 1} more)" if len(views) > 1 else ""
    # the feed title is what gets cut, so the topic and the count always show
    room = min(TITLE_MAX, SUBJECT_MAX - len(topic) - len(more) - 1)
    return f"{topic} {neutralise(first.title, room)}".rstrip() + more


def console_line(view: AlertView) -> str:
    """The console channel's line: ALERT, topic, score, title, outlet, URL."""
    parts = [f"ALERT {neutralise(view.topic)} score={view.score:.2f}",
             neutralise(view.title, TITLE_MAX) or "(untitled)"]
    if view.source:
        parts.append(neutralise(view.source, 80))
    url = safe_link_url(view.url)
    if url:
        parts.append(url)
    return " | ".join(parts)


def render(views: Sequence[AlertView], channel: ChannelSpec, *,
           digest: bool | None = None) -> Message:
    """One message for `views` (a single alert, a group_wait batch or a digest).

    `digest` defaults to the channel's mode. Raises jinja2.TemplateError (or OSError
    for a missing override file) when a user template is broken.
    """
    views = list(views)
    is_digest = channel.mode == "digest" if digest is None else digest
    title = message_title(views, digest=is_digest)
    if channel.kind == "console":
        return Message(title, "\n".join(console_line(v) for v in views), FORMAT_TEXT,
                       None, len(views))
    plain_name, digest_name, regime = _DEFAULTS[channel.kind]
    role = "digest_body" if is_digest else "body"
    body_template = _template(channel, role, regime, digest_name if is_digest else plain_name)

    def body_of(shown: int) -> str:
        return _render_body(body_template, views, shown, channel, is_digest).strip() + "\n"

    if channel.kind == "slack":
        shown, sections = _fit_slack(body_of, len(views))
        return Message(title, "\n\n".join(sections) + "\n", FORMAT_SLACK, None, shown,
                       tuple(sections))
    html = None
    if channel.kind == "email":
        html_template = _template(
            channel, "digest_html" if is_digest else "html", "html",
            "email_digest.html.j2" if is_digest else "email.html.j2")
        html = _render_body(html_template, views, len(views), channel, is_digest)
    return Message(title, body_of(len(views)), FORMAT_TEXT, html, len(views))


def _fit_slack(body_of: Callable[[int], str], total: int) -> tuple[int, list[str]]:
    """The most leading alerts whose message fits Slack, and its sections.

    The whole batch is tried first (the common case: one render); otherwise a binary
    search over the number shown, since a message only grows with each alert.
    """
    sections, fits = _pack_sections(body_of(total))
    if fits or total <= 1:
        return total, sections if fits else _cut_sections(sections)
    best: tuple[int, list[str]] | None = None
    lo, hi = 1, total - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        sections, fits = _pack_sections(body_of(mid))
        if fits:
            best, lo = (mid, sections), mid + 1
        else:
            hi = mid - 1
    if best is None:  # one alert alone is too long (a huge user template): cut it
        return 1, _cut_sections(_pack_sections(body_of(1))[0])
    return best


def _render_body(template: jinja2.Template, views: Sequence[AlertView], shown: int,
                 channel: ChannelSpec, digest: bool) -> str:
    """`template` with the first `shown` of `views`; the rest are counted as omitted."""
    visible, left_out = list(views[:shown]), list(views[shown:])
    by_topic: dict[str, list[AlertView]] = {}
    for v in visible:
        by_topic.setdefault(v.topic, []).append(v)
    return template.render(
        alerts=visible,
        by_topic=sorted(by_topic.items()),
        count=len(views),
        omitted=len(left_out),
        omitted_ids=[v.alert_id for v in left_out if v.alert_id is not None],
        digest=digest,
        channel=channel.name,
        title=message_title(views, digest=digest),
    )
