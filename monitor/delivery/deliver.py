"""Send rendered messages through apprise. The only module that imports apprise.

One `Channel` wraps one apprise object holding one URL, so each send's outcome is
known. `await channel.send(message)` never raises for a delivery problem: it returns
a `SendResult` whose error text has every secret redacted. `validate_channels` tells
`monitor check`, the daemon's start and its reload which channel URLs apprise cannot
load, as config problems with file and line.

What reaches the wire:
- slack:// URLs are sent in Block Kit mode (`blocks=yes` is added unless the URL sets
  `blocks`) with the rendered mrkdwn passed through untouched (apprise's own Slack
  markdown handling would re-enable `<!channel>` in legacy mode). The title travels
  inside the body, so no header block is sent.
- email: the HTML part rendered with Jinja2 autoescape is sent as HTML; apprise builds
  the multipart/alternative message and derives the text part from that HTML.
- text: the plain text is declared as TEXT, so apprise converts it safely for targets
  that speak HTML or Markdown.
- console: one line per alert on standard output, no apprise.

Limitation: apprise 2.3's plugins report an HTTP 429 (we read the status code from
its captured log) but not the Retry-After header, so `retry_after` is None and the
outbox backs off exponentially instead.
"""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlsplit

import apprise
from apprise import AppriseAsset, NotifyFormat
from apprise.common import PersistentStoreMode
from apprise.manager_plugins import NotificationManager

with warnings.catch_warnings():
    # apprise's e-mail plugin imports the stdlib `imghdr` shim, deprecated since 3.11;
    # import it once here so the lazy plugin load cannot warn in the middle of a send.
    warnings.simplefilter("ignore", DeprecationWarning)
    import apprise.utils.pgp

from monitor.delivery.render import FORMAT_HTML, FORMAT_SLACK, Message
from monitor.delivery.route import ChannelSpec
from monitor.errors import DeliveryError, Problem
from monitor.ops.secrets import DEFAULT_REDACTOR, Redactor

log = logging.getLogger(__name__)

# Detail of the send in progress (e.g. the SMTP server's reply, which apprise logs at
# DEBUG from its module logger, outside its per-call capture), or of a URL being loaded.
# Apprise runs each send in an executor with a copy of our context, so the sink
# belongs to exactly one send. Entries are (level, message).
_detail_sink: ContextVar[list[tuple[int, str]] | None] = ContextVar("monitor_send_detail", default=None)
# True while a URL is being loaded: apprise's complaints become the problem's text, so
# they are not logged a second time on their own.
_loading: ContextVar[bool] = ContextVar("monitor_loading_url", default=False)


class _DetailCapture(logging.Filter):
    """On the "apprise" logger: copy records into the current send's sink, and pass on
    only what the root logger's level would have let through anyway (nothing while a
    URL is being loaded)."""

    def filter(self, record: logging.LogRecord) -> bool:
        sink = _detail_sink.get()
        if sink is not None and len(sink) < 200:
            try:
                sink.append((record.levelno, record.getMessage()))
            except Exception:  # a malformed record must not break a send
                pass
        if _loading.get():
            return False
        return record.levelno >= logging.getLogger().getEffectiveLevel()


def _install_detail_capture() -> None:
    apprise_logger = logging.getLogger("apprise")
    if not any(isinstance(f, _DetailCapture) for f in apprise_logger.filters):
        apprise_logger.addFilter(_DetailCapture())
        apprise_logger.setLevel(logging.DEBUG)


_install_detail_capture()

# SendResult.status values
SENT = "sent"
RATE_LIMITED = "rate_limited"  # HTTP 429: retry later, slow the channel down
TIMEOUT = "timeout"  # no answer within the channel's timeout (may have been delivered)
UNREACHABLE = "unreachable"  # connection refused / DNS / TLS failure
REJECTED = "rejected"  # permanent refusal: HTTP 4xx, SMTP 5xx (config or content problem)
INVALID = "invalid"  # apprise cannot load the channel URL: nothing was sent, fix the config
FAILED = "failed"  # other failures: HTTP 5xx, SMTP 4xx, an exception, unknown

_HTTP_CODE = re.compile(r"error=(\d{3})\b")
_SMTP_CODE = re.compile(r"\((\d{3}), b?['\"]|refused: (\d{3})\b")
_CONNECTION = re.compile(r"connection error|could not connect|connection refused|"
                         r"name or service not known|max retries exceeded", re.IGNORECASE)
_READ_TIMEOUT = re.compile(r"read timed out|timed out", re.IGNORECASE)


@dataclass(frozen=True)
class SendResult:
    """The outcome of one send. `error` is redacted and safe to store and show."""

    ok: bool
    status: str
    error: str = ""
    retry_after: float | None = None  # seconds the server asked us to wait, when known
    code: int | None = None  # HTTP or SMTP status code when apprise reported one

    @property
    def permanent(self) -> bool:
        """True when retrying the same message will not help (still retried, up to the limit)."""
        return self.status in (REJECTED, INVALID)


def channel_url(spec: ChannelSpec) -> str:
    """The URL actually handed to apprise (Slack gets Block Kit mode unless it says otherwise)."""
    url = spec.url.strip()
    if urlsplit(url).scheme.lower() == "slack":
        query = dict(parse_qsl(urlsplit(url).query))
        if "blocks" not in query:
            url += ("&" if "?" in url else "?") + "blocks=yes"
    return url


def validate_url(url: str, *, redactor: Redactor | None = None) -> str | None:
    """None when apprise can use `url` (or it is the console), else apprise's reason, redacted."""
    if url.strip().lower() in ("console", "stdout", "console://", "stdout://"):
        return None
    return _instantiate(url, redactor if redactor is not None else DEFAULT_REDACTOR)[1] or None


def validate_channels(specs: Iterable[ChannelSpec], source: str, lines: Mapping[str, int] | None = None, *,
                      redactor: Redactor | None = None) -> list[Problem]:
    """A config problem (`source`, the line of the channel's `url` key, apprise's reason)
    for every channel whose URL apprise cannot load; console channels need no apprise."""
    problems = []
    for spec in specs:
        if spec.kind == "console":
            continue
        _, reason = _instantiate(channel_url(spec), redactor if redactor is not None else DEFAULT_REDACTOR)
        if reason:
            problems.append(Problem(source, f"apprise cannot load this URL: {reason}",
                                    (lines or {}).get(spec.name, 0), 0, f"channels.{spec.name}.url"))
    return problems


def _instantiate(url: str, redactor: Redactor) -> tuple[Any, str]:
    """apprise's plugin for `url` and "", or None and why not, in apprise's words (redacted)."""
    redactor.add_url(url)
    scheme = url.split("://", 1)[0].strip().lower() if "://" in url else ""
    if not scheme:
        return None, "not a URL: expected SCHEME://... (an apprise URL) or console://"
    if scheme not in NotificationManager():  # apprise only says "Unparseable URL"
        return None, redactor.redact(f"unknown scheme {scheme}:// (apprise has no such service)")
    heard: list[tuple[int, str]] = []
    token, loading = _detail_sink.set(heard), _loading.set(True)
    try:
        plugin = apprise.Apprise.instantiate(url, asset=_asset())
    except Exception as e:  # apprise should return None; a check must report, not crash
        plugin, heard = None, [(logging.ERROR, f"apprise raised {type(e).__name__}: {e}")]
    finally:
        _loading.reset(loading)
        _detail_sink.reset(token)
    if plugin is not None:
        return plugin, ""
    said = [" ".join(m.split()) for level, m in heard if level >= logging.WARNING]
    # apprise's messages are the exact reason ("Invalid ~From~ email specified: bad");
    # a few quote the URL whole, which may hold a secret
    reason = "; ".join(dict.fromkeys(m.replace(url, "<url>") for m in said if m))
    if not reason:
        reason = f"apprise could not load this {scheme}:// URL"
    return None, redactor.redact(reason)[:800]


def _asset() -> AppriseAsset:
    # No on-disk persistent store: the outbox in SQLite is our state.
    return AppriseAsset(storage_mode=PersistentStoreMode.MEMORY)


def _private_parts(full: str, private: str) -> list[str]:
    """Pieces of the full URL that apprise hides in its privacy form: the secrets."""
    split = re.compile(r"[/:@?&=#,]+")
    shown = set(split.split(private))
    return [p for p in split.split(full) if len(p) >= 4 and p not in shown]


class Channel:
    """One destination. Create once per configured channel and reuse it."""

    def __init__(self, spec: ChannelSpec, *, redactor: Redactor | None = None,
                 stream: TextIO | None = None) -> None:
        self.spec = spec
        self.redactor = redactor if redactor is not None else DEFAULT_REDACTOR
        self.redactor.add_url(spec.url)
        self._stream = stream
        self._apprise: apprise.Apprise | None = None
        self.privacy_url = "console"
        if spec.kind == "console":
            return
        plugin, reason = _instantiate(channel_url(spec), self.redactor)
        if plugin is None:
            raise DeliveryError(spec.name, reason)
        privacy_url = plugin.url(privacy=True)
        for part in _private_parts(plugin.url(privacy=False), privacy_url):
            self.redactor.add(part)
        # apprise does not mark every token private (e.g. a json:// path): redact anyway
        self.privacy_url = self.redactor.redact(privacy_url)
        if spec.rate_limit is not None:
            # Our token bucket paces this channel; apprise's per-plugin throttle would
            # sleep inside the send (5.5 s between e-mails) and eat the send timeout.
            plugin.request_rate_per_sec = 0
        self._apprise = apprise.Apprise(asset=_asset())
        self._apprise.add(plugin)

    def __repr__(self) -> str:
        return f"Channel({self.spec.name!r}, {self.privacy_url!r})"

    async def send(self, message: Message) -> SendResult:
        """Deliver one message. Never raises for a delivery problem."""
        if self._apprise is None:
            return self._print(message)
        detail: list[tuple[int, str]] = []
        token = _detail_sink.set(detail)
        try:
            for body, title, body_format in self._payloads(message):
                result = await self._apprise.async_notify(
                    body=body, title=title, body_format=body_format, timeout=self.spec.timeout,
                )
                with result:
                    outcome = self._classify(result, [m for _, m in detail])
                if not outcome.ok:
                    break  # the retry resends the whole message: at least once, never lost
        except Exception as e:  # apprise promises not to raise; whatever does fails this send alone
            error = self.redactor.redact(f"apprise raised {type(e).__name__}: {e}")[:800]
            log.error("channel %s (%s): %s", self.spec.name, self.privacy_url, error)
            return SendResult(False, FAILED, error)
        finally:
            _detail_sink.reset(token)
        if outcome.ok:
            log.info("channel %s (%s): sent %d alert(s)", self.spec.name, self.privacy_url,
                     message.count)
        else:
            log.warning("channel %s (%s): %s", self.spec.name, self.privacy_url, outcome.error)
        return outcome

    def _payloads(self, message: Message) -> list[tuple[str, str, NotifyFormat | None]]:
        """What to send, in order. apprise's Slack plugin puts a whole body in one section
        block (Slack refuses one over 3,000 characters), so a long Slack message goes as
        one post per section of `message.sections`."""
        if message.body_format == FORMAT_SLACK and len(message.sections) > 1:
            return [(section, "", None) for section in message.sections]
        return [self._payload(message)]

    def _payload(self, message: Message) -> tuple[str, str, NotifyFormat | None]:
        if message.body_format == FORMAT_SLACK:
            # passthrough: our escaped mrkdwn must reach Slack byte for byte
            return message.body, "", None
        if message.html_body is not None:
            return message.html_body, message.title, NotifyFormat.HTML
        if message.body_format == FORMAT_HTML:
            return message.body, message.title, NotifyFormat.HTML
        return message.body, message.title, NotifyFormat.TEXT

    def _print(self, message: Message) -> SendResult:
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            stream.write(message.body.rstrip("\n") + "\n")
            stream.flush()
        except (OSError, ValueError) as e:
            return SendResult(False, FAILED, f"console write failed: {e}")
        return SendResult(True, SENT)

    def _classify(self, result: apprise.AppriseResult, detail: list[str]) -> SendResult:
        status = result.status
        if status == apprise.AppriseResultStatus.SUCCESS:
            return SendResult(True, SENT)
        entries = [(e.level, e.message) for e in result.logs()]
        entries += [("DETAIL", m) for m in detail if m not in {e for _, e in entries}]
        text = "\n".join(m for _, m in entries)
        code = _first_code(text)
        if status == apprise.AppriseResultStatus.TIMEOUT:
            kind = TIMEOUT
        elif code == 429:
            kind = RATE_LIMITED
        elif code is not None:
            kind = REJECTED if _is_permanent(code, http=bool(_HTTP_CODE.search(text))) else FAILED
        elif _READ_TIMEOUT.search(text):
            kind = TIMEOUT
        elif _CONNECTION.search(text):
            kind = UNREACHABLE
        else:
            kind = FAILED
        return SendResult(False, kind, self._error_text(status.name, code, entries), None, code)

    def _error_text(self, status: str, code: int | None,
                    entries: list[tuple[str, str]]) -> str:
        keep = [m for level, m in entries if level in ("WARNING", "ERROR", "CRITICAL")]
        # the server's own words (SMTP reply, exception text) are worth showing
        keep += [m for _, m in entries if "exception" in m.lower() and m not in keep]
        head = f"{status}" + (f" (code {code})" if code is not None else "")
        detail = "; ".join(dict.fromkeys(" ".join(m.split()) for m in keep if m.strip()))
        text = f"{head}: {detail}" if detail else head
        return self.redactor.redact(text)[:800]


def _is_permanent(code: int, *, http: bool) -> bool:
    if http:  # client errors other than timeouts/rate limits will not fix themselves
        return 400 <= code < 500 and code not in (408, 425, 429)
    return code >= 500  # SMTP: 5xx permanent, 4xx transient


def _first_code(text: str) -> int | None:
    m = _HTTP_CODE.search(text)
    if m:
        return int(m.group(1))
    m = _SMTP_CODE.search(text)
    if m:
        return int(m.group(1) or m.group(2))
    return None


def open_channels(specs: list[ChannelSpec] | tuple[ChannelSpec, ...], *,
                  redactor: Redactor | None = None) -> dict[str, Channel]:
    """Build every channel; raises DeliveryError listing the first unusable URL."""
    return {spec.name: Channel(spec, redactor=redactor) for spec in specs}
