"""URL canonicalisation: table of variants plus property tests (idempotent, never raises)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.stories import canonical as canonical_module
from monitor.stories.canonical import _canonical, canonical_url

STORY = "https://example.com/world/asia/kim-putin-summit"

SAME_ARTICLE = [
    "https://example.com/world/asia/kim-putin-summit",
    "HTTPS://Example.COM/world/asia/kim-putin-summit",
    "https://www.example.com/world/asia/kim-putin-summit/",
    "https://example.com:443/world/asia/kim-putin-summit",
    "https://example.com/world/asia/kim-putin-summit#comments",
    "https://example.com/world/asia/kim-putin-summit?utm_source=twitter&utm_medium=social",
    "https://example.com/world/asia/kim-putin-summit?fbclid=IwAR0abc&gclid=xyz",
    "https://example.com/world/asia/kim-putin-summit?mc_cid=1&mc_eid=2&igshid=3&_ga=4",
    "https://example.com/world/asia/kim-putin-summit?ref=homepage&cmpid=rss&yclid=9",
    "https://m.example.com/world/asia/kim-putin-summit",
    "https://mobile.example.com/world/asia/kim-putin-summit",
    "https://amp.example.com/world/asia/kim-putin-summit",
    "https://example.com/world/asia/kim-putin-summit/amp",
    "https://example.com/world/asia/kim-putin-summit/amp/",
    "https://example.com/amp/world/asia/kim-putin-summit",
    "https://example.com/world/asia/kim-putin-summit?amp=1",
    "https://example.com/world/asia/kim-putin-summit?outputType=amp",
    "https://example.com/world/./asia/extra/../kim-putin-summit",
    "  https://example.com/world/asia/kim-putin-summit \n",
    "https://example.com/world/%61sia/kim-putin-summit",
]


@pytest.mark.parametrize("variant", SAME_ARTICLE)
def test_variants_of_one_article_share_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == STORY


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # remaining parameters are kept, sorted by name then value
        ("https://example.com/a?b=2&a=1&utm_campaign=x", "https://example.com/a?a=1&b=2"),
        ("https://example.com/search?q=kim+jong+un", "https://example.com/search?q=kim%20jong%20un"),
        # non-default ports are kept, default ports dropped
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        # root keeps its slash
        ("https://example.com", "https://example.com/"),
        ("https://www.example.com/", "https://example.com/"),
        # IDNA host, percent-encoding normalised
        ("https://bücher.de/Bücher", "https://xn--bcher-kva.de/B%C3%BCcher"),
        ("https://example.com/%7euser/%e4", "https://example.com/~user/%E4"),
        ("https://example.com/path with space", "https://example.com/path%20with%20space"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        # credentials never end up in a key that is stored and shown
        ("https://user:secret@example.com/x", "https://example.com/x"),
        # trailing dot of a fully qualified host name
        ("https://example.com./x", "https://example.com/x"),
        # a host that is only "m.something" keeps its name
        ("https://m.com/x", "https://m.com/x"),
        ("https://www.m.example.org/x", "https://example.org/x"),
    ],
)
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_scheme_is_kept_distinct() -> None:
    # http and https are separate URLs; dedup treats them as one article on its own.
    assert canonical_url("http://example.com/a") == "http://example.com/a"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "not a url",
        "mailto:news@example.com",
        "ftp://example.com/a",
        "http://",
        "https://example.com:99999/x",
        "https://exa mple.com/",
        "javascript:alert(1)",
        "//x/y",
        "https://[::1/x",
        "https://\udcff.com/",
        "https://" + "ü" * 70 + ".com/",
    ],
)
def test_junk_comes_back_stripped(junk: str) -> None:
    assert canonical_url(f"  {junk}  ") == junk.strip()


URL_PARTS = st.fixed_dictionaries(
    {
        "scheme": st.sampled_from(["http", "https", "HTTP", "Https", "ftp", ""]),
        "host": st.sampled_from(
            [
                "example.com",
                "WWW.Example.com",
                "m.news.example",
                "amp.x.org",
                "bücher.de",
                "127.0.0.1",
                "[::1]",
                "localhost",
                "a.b.c.d",
                "xn--bcher-kva.de",
                "",
            ]
        ),
        "port": st.sampled_from(["", ":80", ":443", ":8080", ":0", ":abc"]),
        "path": st.lists(
            st.sampled_from(
                [
                    "a",
                    "amp",
                    ".",
                    "..",
                    "",
                    "%7E",
                    "%2f",
                    "x.amp.html",
                    "ü",
                    " ",
                    "%zz",
                    "%41",
                    "b c",
                    "index.amp",
                    "AMP",
                ]
            ),
            max_size=5,
        ).map("/".join),
        "query": st.lists(
            st.tuples(
                st.sampled_from(["utm_source", "a", "B", "amp", "ref", "q", "fbclid", "x%20y", "outputType", ""]),
                st.sampled_from(["", "1", "amp", "%zz", "a+b", "ü", "x=y", "%26"]),
            ),
            max_size=4,
        ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
        "fragment": st.sampled_from(["", "#top", "#", "#a?b"]),
    }
)


@settings(max_examples=400)
@given(URL_PARTS)
def test_canonical_url_is_idempotent_on_url_like_input(parts: dict[str, str]) -> None:
    url = f"{parts['scheme']}://{parts['host']}{parts['port']}/{parts['path']}"
    if parts["query"]:
        url += "?" + parts["query"]
    url += parts["fragment"]
    once = canonical_url(url)
    assert canonical_url(once) == once
    if once != url.strip():  # it was understood as a web URL: it has no fragment any more
        assert "#" not in once


@settings(max_examples=400)
@given(st.text())
def test_canonical_url_never_raises_and_is_idempotent_on_any_text(text: str) -> None:
    once = canonical_url(text)
    assert isinstance(once, str)
    assert canonical_url(once) == once


@settings(max_examples=200)
@given(
    st.sampled_from(["utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "mc_cid"]),
    st.text(alphabet="abcXYZ019-_", max_size=12),
)
def test_tracking_parameters_never_change_the_key(name: str, value: str) -> None:
    assert canonical_url(f"{STORY}?{name}={value}") == STORY
    assert canonical_url(f"{STORY}?id=7&{name}={value}") == canonical_url(f"{STORY}?id=7")


# The fast path (`_PLAIN`) returns a URL unchanged: it must only accept URLs the full
# canonicaliser also leaves unchanged.
PLAIN_LOOKING = st.builds(
    "{}://{}{}{}".format,
    st.sampled_from(["http", "https"]),
    st.sampled_from(["", "www.", "m.", "mobile.", "amp.", "news."]),
    st.from_regex(r"[a-z0-9-]{1,8}(\.[a-z0-9-]{1,6}){1,2}", fullmatch=True),
    st.lists(
        st.sampled_from(["a", "Story", ".", "..", ".x", "amp", "x.amp", "p.amp.html", "a_b~c", "@:", "2024", "%7E"]),
        max_size=4,
    ).map(lambda segs: "/" + "/".join(segs)),
)


@given(PLAIN_LOOKING)
def test_fast_path_agrees_with_the_full_canonicaliser(url: str) -> None:
    assert canonical_url(url) == _canonical(url.strip())


@given(st.from_regex(canonical_module._PLAIN, fullmatch=True))
def test_urls_the_fast_path_accepts_are_canonical_already(url: str) -> None:
    assert _canonical(url) == url or canonical_module._AMP_PATH.search(url)


def test_fast_path_leaves_plain_links_alone_and_still_folds_variants() -> None:
    assert canonical_url("https://example.com/news/2024/kim-putin") == "https://example.com/news/2024/kim-putin"
    assert canonical_url("https://example.com/") == "https://example.com/"
    assert canonical_url("https://www.example.com/a") == "https://example.com/a"
    assert canonical_url("https://example.com/a/amp") == "https://example.com/a"
    assert canonical_url("https://example.com/a/AMP/b") == "https://example.com/a/b"
    assert canonical_url("https://example.com/a.amp.html") == "https://example.com/a.html"
    assert canonical_url("https://example.com/a.amp") == "https://example.com/a"
    assert canonical_url("https://example.com/a/") == "https://example.com/a"
    assert canonical_url("https://example.com/a/./b/../c") == "https://example.com/a/c"
