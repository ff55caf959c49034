"""Pure checks between fetch and store: bodies that are never feeds, and the per-poll item cap.

- `refused_content_type(content_type, body)`: a reason to refuse the body before it is
  parsed (an image, audio, video, PDF, archive ...), or None. Feeds are often mislabelled,
  so the usual feed types, text/html, text/plain, application/xml and a missing type are
  accepted and format sniffing decides; `application/octet-stream` is refused only when
  the bytes do not start like XML or JSON.
- `newest_entries(entries, limit)`: at most `limit` articles, the newest by real published
  date; entries without one rank after the dated ones, in document order.

No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.models import Article

# Major types that are never a feed.
_NEVER_MAJOR = frozenset({"image", "audio", "video", "font", "model"})
# application/* subtypes that are never a feed.
_NEVER_APPLICATION = frozenset({
    "pdf", "zip", "gzip", "x-gzip", "x-tar", "x-7z-compressed", "x-rar-compressed", "vnd.rar",
    "x-bzip2", "x-xz", "zstd", "wasm", "msword", "x-msdownload", "x-shockwave-flash",
    "vnd.ms-excel", "vnd.ms-powerpoint", "java-archive", "x-iso9660-image", "ogg",
    "vnd.openxmlformats-officedocument.wordprocessingml.document",
    "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vnd.openxmlformats-officedocument.presentationml.presentation",
})
_BINARY_GENERIC = frozenset({"octet-stream", "binary", "x-binary", "unknown"})
_BOM = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def media_type(content_type: str | None) -> str:
    """`Content-Type` without parameters, lower-case ("" when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _looks_textual(body: bytes) -> bool:
    head = body[:1024]
    for bom in _BOM:
        if head.startswith(bom):
            return True
    head = head.lstrip(b" \t\r\n")
    return head[:1] in (b"<", b"{", b"[")


def refused_content_type(content_type: str | None, body: bytes) -> str | None:
    """Why a body served with `content_type` is refused before parsing, or None."""
    kind = media_type(content_type)
    if not kind:
        return None
    major, _, minor = kind.partition("/")
    if major in _NEVER_MAJOR:
        return f"content type {kind} is not a feed"
    if major != "application" or minor.endswith(("+xml", "+json")):
        return None
    if minor in _NEVER_APPLICATION:
        return f"content type {kind} is not a feed"
    if minor in _BINARY_GENERIC and not _looks_textual(body):
        return f"content type {kind} with bytes that are neither XML nor JSON is not a feed"
    return None


def newest_entries(entries: Sequence[Article], limit: int) -> tuple[tuple[Article, ...], int]:
    """(the kept entries in document order, how many were dropped)."""
    if limit < 1:
        raise ValueError("limit must be >= 1")
    if len(entries) <= limit:
        return tuple(entries), 0
    dated = [(i, a) for i, a in enumerate(entries) if a.published is not None and not a.published_is_guess]
    undated = [(i, a) for i, a in enumerate(entries) if a.published is None or a.published_is_guess]
    # newest first; equal dates keep document order (sorted is stable)
    ranked = sorted(dated, key=lambda ia: ia[1].published, reverse=True) + undated  # type: ignore[arg-type,return-value]
    kept = sorted(ranked[:limit], key=lambda ia: ia[0])
    return tuple(a for _, a in kept), len(entries) - limit
