"""URL canonicalisation: one key per article whatever tracking, AMP or mobile variant links to it.

Pure: no I/O, no clock. `canonical_url` is idempotent and never raises; input it cannot read
as an http(s) URL comes back stripped of surrounding whitespace and otherwise unchanged.

Decisions (see docs/stories.md):
- scheme and host lower-cased, trailing dot dropped, host IDNA-encoded (punycode);
- `www.`, `m.`, `mobile.` and `amp.` host prefixes dropped (when a registrable-looking name
  of at least two labels remains): outlets serve the same article on all of them;
- default ports (80 for http, 443 for https), user info and fragments dropped;
- tracking parameters dropped (`utm_*`, click ids, mailing-list ids, `ref`, ...), the rest
  sorted by name then value; `amp=…` and `outputType=amp` dropped;
- AMP paths folded: a trailing `/amp` segment, an `/amp/` segment, `.amp.html` and `.amp`;
- percent-encoding normalised: escapes of unreserved characters decoded, other escapes
  upper-cased, raw spaces and non-ASCII characters encoded as UTF-8;
- `.` and `..` path segments resolved, trailing slash dropped except for the root path.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")

# Exact names (compared lower-cased) of parameters that only track the click or the campaign.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "yclid",
        "msclkid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "igshid",
        "igsh",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "smid",
        "sr_share",
        "ito",
        "xtor",
        "wt_mc",
        "wt.mc_id",
        "s_cid",
        "spm",
        "ncid",
        "cmp",
        "amp",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "__twitter_impression",
    }
)
# Name prefixes (lower-cased) of tracking parameter families.
_TRACKING_PREFIXES = ("utm_", "at_", "ns_", "pk_", "mtm_", "hmb_")

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are in a path (RFC 3986 pchar plus "/" and existing escapes).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


# A URL that is canonical already: lower-case dotted host without a dropped prefix or a port,
# a path of plain segments (none empty, none starting with "."), no query, no fragment, no
# escapes. Most feed links look like this; `_canonical` would return them unchanged, at ~20x
# the cost. AMP paths (an `amp` segment, `.amp`, `.amp.html`) are left to `_canonical`.
_PLAIN = re.compile(
    r"https?://(?!(?:www|m|mobile|amp)\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"(?:/|(?:/[A-Za-z0-9_~:@!$&'()*+,;=-][A-Za-z0-9_.~:@!$&'()*+,;=-]*)+)"
)
_AMP_PATH = re.compile(r"/amp(?:/|$)|\.amp(?:\.html)?$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """Return the canonical form of `url`; junk comes back stripped, never an exception."""
    if not isinstance(url, str):
        return url
    if _PLAIN.fullmatch(url) and not _AMP_PATH.search(url):
        return url
    raw = url.strip()
    try:
        return _canonical(raw)
    except (ValueError, UnicodeError):
        return raw


def _canonical(raw: str) -> str:
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return raw
    if any(ch.isspace() for ch in parts.netloc):
        return raw
    host = _canonical_host(parts.hostname)
    if not host:
        return raw
    port = parts.port  # raises ValueError on a malformed port: caller returns raw
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    query = _canonical_query(parts.query)
    path = _canonical_path(parts.path)
    return urlunsplit((scheme, netloc, path, query, ""))


def _canonical_host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if not host or ":" in host:  # IPv6 literal: keep as lower-cased
        return host
    labels = host.split(".")
    if all(label.isascii() for label in labels):
        ascii_host = host
    else:
        ascii_host = ".".join(
            label if label.isascii() else label.encode("idna").decode("ascii") for label in labels
        ).lower()
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            rest = ascii_host[len(prefix) :]
            if ascii_host.startswith(prefix) and rest.count(".") >= 1:
                ascii_host = rest
                changed = True
    return ascii_host


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    kept: list[tuple[str, str]] = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        lowered = name.lower()
        if lowered == "amp" or (lowered == "outputtype" and value.lower() == "amp"):
            continue
        if lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES):
            continue
        kept.append((name, value))
    kept.sort()
    return urlencode(kept, quote_via=quote, safe="-._~")


def _canonical_path(path: str) -> str:
    path = _normalise_escapes(path)
    path = quote(path, safe=_PATH_SAFE)
    segments = _remove_dot_segments(path.split("/"))
    segments = [seg for seg in segments if seg and seg.lower() != "amp"]
    if segments:
        last = segments[-1]
        lowered = last.lower()
        if lowered.endswith(".amp.html"):
            segments[-1] = last[: -len(".amp.html")] + ".html"
        elif lowered.endswith(".amp") and len(last) > len(".amp"):
            segments[-1] = last[: -len(".amp")]
    return "/" + "/".join(seg for seg in segments if seg)  # no trailing slash


def _normalise_escapes(text: str) -> str:
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _ESCAPE.sub(fix, text)


def _remove_dot_segments(segments: list[str]) -> list[str]:
    out: list[str] = []
    for seg in segments:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    return out
