"""Render alerts into channel messages with Jinja2, escaping untrusted feed text. Pure.

Every value a template prints is escaped for the channel's syntax unless a helper
marked it as already escaped (`Trusted` for Slack/text, `Markup` for HTML):

- slack:   mrkdwn. &, <, > become entities (no <!channel>, <@U..>, <#C..>, <url|label>);
           * _ ~ ` become look-alike characters (no injected formatting); "@word" gets a
           word joiner (no @everyone/@here); "://" is broken so no bare links appear.
           Line breaks in untrusted text become spaces, so no ">" quote can start a line.
- email:   HTML through Jinja2 autoescape; only http(s) URLs become links. The subject
           and every untrusted line lose CR, LF, U+0085, U+2028/2029 and other controls.
- text:    plain text with controls removed and mentions neutralised.
- console: one line per alert starting with "ALERT".

    render(views, channel, *, digest=None) -> Message
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
SLACK_MAX_CHARS = 2900  # Slack section blocks hold 3,000 characters
TITLE_MAX = 250
SNIPPET_MAX = 300
SUBJECT_MAX = 200

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
    """A rendered message. For email, `html_body` is the HTML part and `body` the text."""

    title: str
    body: str
    body_format: str = FORMAT_TEXT
    html_body: str | None = None
    count: int = 1  # alerts shown (a grouped message or digest shows several)


class Trusted(str):
    """A string already escaped for a non-HTML channel; templates print it unchanged."""


# ---------------------------------------------------------------------------
# escaping primitives
# ---------------------------------------------------------------------------

_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SLACK_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
_MENTION = re.compile(r"(?<![\w.+-])([@\uff20])(?=\w)")  # @word not inside an e-mail address
_ANGLE_MENTION = re.compile(r"<(?=[@#!])")
WORD_JOINER = "\u2060"


def one_line(text: object, limit: int | None = None) -> str:
    """Untrusted text as one clean line: controls, line/paragraph separators (CR, LF,
    U+0085, U+2028, U+2029, VT, FF, ESC...) and bidi overrides become spaces or vanish."""
    s = "" if text is None else str(text)
    s = s.translate(_BIDI_CONTROLS)
    chars = []
    for ch in s:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Zl", "Zp", "Cs", "Co") or ch in "\u0085\ufeff":
            chars.append(" ")
        else:
            chars.append(ch)
    s = " ".join("".join(chars).split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "\u2026"
    return s


def neutralise_mentions(text: str) -> str:
    """Break @everyone, @here, @user and <@U..>, <#C..>, <!here> with invisible word joiners."""
    text = _MENTION.sub(lambda m: m.group(1) + WORD_JOINER, text)
    return _ANGLE_MENTION.sub("<" + WORD_JOINER, text)


def _slack_chars(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = s.translate(_SLACK_LOOKALIKES)
    s = _MENTION.sub(lambda m: m.group(1) + WORD_JOINER, s)
    return s.replace("://", ":" + WORD_JOINER + "//")  # no auto-linked bare URLs


def slack_escape(text: object) -> str:
    """Untrusted text -> Slack mrkdwn that shows it literally and can do nothing else."""
    return _slack_chars(one_line(text))


def text_escape(text: object) -> str:
    return neutralise_mentions(one_line(text))


def header_safe(text: object, limit: int = SUBJECT_MAX) -> str:
    """One line fit for an e-mail header: no CR/LF/U+2028/U+0085, bounded length."""
    return one_line(text, limit)


def safe_link_url(url: object) -> str | None:
    """The URL when it is absolute http(s) without controls, else None (no link rendered)."""
    s = "" if url is None else str(url).strip()
    if not s or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in s) or " " in s:
        return None
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return s


def _slack_link(url: object, label: object) -> Trusted:
    target = safe_link_url(url)
    shown = slack_escape(label) or "(untitled)"
    if target is None:
        return Trusted(shown)
    # In <url|label> the URL may not hold | or raw & < >: percent- or entity-encode them.
    href = quote(target, safe=":/?#[]@!$'()*+,;=%&~").replace("&", "&amp;")
    return Trusted(f"<{href}|{shown}>")


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
    return Trusted(_highlight(one_line(snippet, SNIPPET_MAX), terms, _slack_chars, _slack_bold))


def _html_highlight(snippet: object, terms: Iterable[str]) -> Markup:
    text = one_line(snippet, SNIPPET_MAX)
    return Markup(_highlight(text, terms, lambda s: str(html_escape(s)),
                             lambda s, _b, _a: f"<mark>{s}</mark>"))


def _html_link(url: object, label: object) -> Markup:
    target = safe_link_url(url)
    shown = html_escape(one_line(label, TITLE_MAX) or "(untitled)")
    if target is None:
        return Markup(shown)
    return Markup('<a href="{}">{}</a>').format(target, shown)


def _when(value: datetime | None) -> str:
    if value is None:
        return "time unknown"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


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


def _common_globals(env: jinja2.Environment) -> None:
    env.globals["when"] = _when
    env.filters["when"] = _when
    env.filters["score"] = lambda v: f"{float(v):.2f}"
    env.filters["terms"] = lambda ts: [t.strip().rstrip("*") for t in ts if t.strip("* ")]
    env.globals["href"] = lambda url: Trusted(safe_link_url(url) or "")


@functools.cache
def _environment(regime: str) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(TEMPLATE_DIR))
    common = dict(loader=loader, trim_blocks=True, lstrip_blocks=True,
                  keep_trailing_newline=False, undefined=jinja2.StrictUndefined)
    if regime == "html":
        env = jinja2.Environment(autoescape=True, **common)  # type: ignore[arg-type]
        env.globals.update(link=_html_link, highlight=_html_highlight,
                           line=lambda v, n=TITLE_MAX: one_line(v, n))
    elif regime == "slack":
        env = jinja2.Environment(autoescape=False, finalize=_finalizer(slack_escape),
                                 **common)  # type: ignore[arg-type]
        env.globals.update(link=_slack_link, highlight=_slack_highlight,
                           line=lambda v, n=TITLE_MAX: Trusted(slack_escape(one_line(v, n))))
    else:  # plain text (text, email text part)
        env = jinja2.Environment(autoescape=False, finalize=_finalizer(text_escape),
                                 **common)  # type: ignore[arg-type]
        env.globals.update(
            link=lambda url, label: Trusted(
                text_escape(one_line(label, TITLE_MAX))
                + (f" <{safe_link_url(url)}>" if safe_link_url(url) else "")),
            highlight=lambda s, terms: Trusted(text_escape(one_line(s, SNIPPET_MAX))),
            line=lambda v, n=TITLE_MAX: Trusted(text_escape(one_line(v, n))),
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
    more = f" (+{len(views) - 1} more)" if len(views) > 1 else ""
    return header_safe(f"[{first.topic}] {one_line(first.title, TITLE_MAX)}{more}")


def console_line(view: AlertView) -> str:
    """The console channel's line: ALERT, topic, score, title, outlet, URL."""
    parts = [f"ALERT {one_line(view.topic)} score={view.score:.2f}",
             one_line(view.title, TITLE_MAX) or "(untitled)"]
    if view.source:
        parts.append(one_line(view.source, 80))
    if safe_link_url(view.url):
        parts.append(view.url.strip())
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

    shown = len(views)
    while True:
        body = _render_body(body_template, views[:shown], len(views) - shown, channel,
                            is_digest).strip() + "\n"
        if channel.kind != "slack" or len(body) <= SLACK_MAX_CHARS or shown <= 1:
            break
        shown = max(1, shown * 3 // 4 if shown > 4 else shown - 1)
    if channel.kind == "slack":
        if len(body) > SLACK_MAX_CHARS:  # one alert still too long (a huge user template)
            body = body[: SLACK_MAX_CHARS - 1].rsplit("\n", 1)[0] + "\n\u2026\n"
        return Message(title, body, FORMAT_SLACK, None, shown)
    html = None
    if channel.kind == "email":
        html_template = _template(
            channel, "digest_html" if is_digest else "html", "html",
            "email_digest.html.j2" if is_digest else "email.html.j2")
        html = _render_body(html_template, views, 0, channel, is_digest)
    return Message(title, body, FORMAT_TEXT, html, len(views))


def _render_body(template: jinja2.Template, views: Sequence[AlertView], omitted: int,
                 channel: ChannelSpec, digest: bool) -> str:
    by_topic: dict[str, list[AlertView]] = {}
    for v in views:
        by_topic.setdefault(v.topic, []).append(v)
    return template.render(
        alerts=list(views),
        by_topic=sorted(by_topic.items()),
        count=len(views) + omitted,
        omitted=omitted,
        digest=digest,
        channel=channel.name,
        title=message_title(views, digest=digest),
    )
