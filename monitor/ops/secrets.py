"""Secrets by indirection, and a Redactor that keeps them out of every log line and error.

A config value that holds a secret is one of:

    "literal"                       (allowed, but examples never do this)
    {env = "NAME"}                  the environment variable NAME
    {file = "path"}                 the file's content, one trailing newline removed
    {credential = "name"}           $CREDENTIALS_DIRECTORY/name (systemd LoadCredential=)

Every resolved secret is registered with a Redactor; `RedactingFilter` applies it to
log records, and delivery errors pass through it before they are stored or shown.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from monitor.errors import ConfigError, Problem

MASK = "***"
MIN_SECRET_LEN = 4  # shorter strings would redact ordinary words; such secrets are weak anyway

# Query keys of apprise URLs whose values are settings, not secrets.
_PUBLIC_QUERY_KEYS = frozenset({
    "mode", "format", "from", "to", "cc", "bcc", "name", "smtp", "secure", "retry", "blocks",
    "footer", "image", "overflow", "method", "rto", "cto", "verify", "tz", "emojis", "store",
    "reply", "inline", "priority", "avatar", "user", "port", "host",
})


def resolve_secret(
    value: object,
    *,
    where: str = "",
    key: str = "",
    environ: Mapping[str, str] | None = None,
    credentials_dir: str | None = None,
    redactor: Redactor | None = None,
) -> str:
    """Resolve a literal or an {env|file|credential} indirection to its string.

    Raises ConfigError naming `where` (the config file) and `key` (dotted path) when the
    variable is unset, the file is unreadable, or the value has the wrong shape. The
    resolved value is registered with `redactor` when one is given.
    """
    env = os.environ if environ is None else environ

    def fail(message: str) -> ConfigError:
        return ConfigError([Problem(where, message, path=key)])

    if isinstance(value, str):
        secret = value
    elif isinstance(value, Mapping) and len(value) == 1:
        (kind, ref), = value.items()
        if not isinstance(ref, str) or not ref:
            raise fail(f"{kind} reference must be a non-empty string")
        if kind == "env":
            if ref not in env:
                raise fail(f"environment variable {ref} is not set")
            secret = env[ref]
        elif kind == "file":
            secret = _read_secret_file(Path(ref).expanduser(), fail)
        elif kind == "credential":
            base = credentials_dir if credentials_dir is not None else env.get(
                "CREDENTIALS_DIRECTORY")
            if not base:
                raise fail(f"credential {ref}: $CREDENTIALS_DIRECTORY is not set "
                           "(run under systemd with LoadCredential=)")
            if "/" in ref or ref in (".", ".."):
                raise fail(f"credential name {ref!r} must be a plain file name")
            secret = _read_secret_file(Path(base) / ref, fail)
        else:
            raise fail(f"unknown secret source {kind!r}: use env, file or credential")
    else:
        raise fail('expected a string or one of {env = "NAME"}, {file = "path"}, '
                   '{credential = "name"}')
    if not secret:
        raise fail("secret is empty")
    if redactor is not None:
        redactor.add(secret)
    return secret


def _read_secret_file(path: Path, fail) -> str:  # type: ignore[no-untyped-def]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise fail(f"cannot read secret file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise fail(f"secret file {path} is not UTF-8 text") from None
    return text[:-1] if text.endswith("\n") else text


def url_secrets(url: str) -> list[str]:
    """Parts of an apprise URL that may be credentials: password, user, tokens in the path
    and query values. Errs on the side of redacting: a token-looking path segment counts."""
    out: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    netloc = parts.netloc
    if "@" in netloc:
        userinfo = netloc.rsplit("@", 1)[0]
        user, _, password = userinfo.partition(":")
        out += [unquote(password), password]
        if parts.scheme.lower() not in ("mailto", "mailtos"):
            out += [unquote(user), user]  # often a token (e.g. discord, telegram bots)
    host = netloc.rsplit("@", 1)[-1]  # raw, not .hostname: that lower-cases tokens
    if not host.startswith("["):
        host = host.split(":", 1)[0]
    if _looks_like_token(host):  # many apprise schemes put a token where the host is
        out.append(host)
    for segment in parts.path.split("/"):
        if _looks_like_token(unquote(segment)):
            out += [unquote(segment), segment]
    for pair in parts.query.split("&"):
        k, _, v = pair.partition("=")
        if v and k.lower() not in _PUBLIC_QUERY_KEYS:
            out += [unquote(v), v]
    return [s for s in dict.fromkeys(out) if len(s) >= MIN_SECRET_LEN]


def _looks_like_token(text: str) -> bool:
    # Slack/Discord/Telegram tokens mix letters and digits or are long; path words like
    # "services" and IP addresses are left readable.
    if len(text) < 6 or re.fullmatch(r"[\d.:\[\]]+", text):
        return False
    return bool(re.search(r"\d", text) and re.search(r"[A-Za-z]", text)) or len(text) >= 16


class Redactor:
    """Replaces every registered secret (and its URL-encoded form) with `***`. Thread-safe."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for s in secrets:
            self.add(s)

    def add(self, secret: str) -> None:
        if not isinstance(secret, str) or len(secret) < MIN_SECRET_LEN:
            return
        with self._lock:
            before = len(self._secrets)
            self._secrets.update({secret, quote(secret, safe=""), quote(secret)})
            if len(self._secrets) != before:
                self._pattern = None

    def add_url(self, url: str) -> None:
        """Register every credential-like part of an apprise URL (and the whole URL when it
        has any, so a URL printed whole is masked whole)."""
        parts = url_secrets(url)
        if parts:
            self.add(url)
        for part in parts:
            self.add(part)

    def __contains__(self, secret: str) -> bool:
        return secret in self._secrets

    def redact(self, text: object) -> str:
        s = text if isinstance(text, str) else str(text)
        pattern = self._compiled()
        return pattern.sub(MASK, s) if pattern is not None else s

    def _compiled(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._secrets:
                # longest first so a URL is masked whole before its parts
                alternatives = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(map(re.escape, alternatives)))
            return self._pattern

    def __repr__(self) -> str:
        return f"Redactor({len(self._secrets)} secrets)"


DEFAULT_REDACTOR = Redactor()  # the process-wide registry logging uses by default


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites each record's message with secrets masked.

    Attach it to handlers (not loggers): handler filters see records propagated from
    every library logger, apprise's included.
    """

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or DEFAULT_REDACTOR

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: still never leak the args
            message = f"{record.msg!s} {record.args!r}"
        record.msg = self.redactor.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        record.exc_info = None  # the redacted exc_text replaces the raw traceback
        return True


def install_redaction(redactor: Redactor | None = None,
                      logger: logging.Logger | None = None) -> RedactingFilter:
    """Add a RedactingFilter to every handler of `logger` (root by default)."""
    flt = RedactingFilter(redactor)
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
