"""Exact and near-duplicate decisions, identity churn, expiry and restore of `StoryIndex`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.stories.evidence import text_features
from monitor.stories.grouping import DedupInput, StoryIndex

T0 = datetime(2023, 9, 13, 6, 0, tzinfo=UTC)

WIRE = (
    "North Korean leader Kim Jong Un arrived at the Vostochny cosmodrome in Russia's Amur "
    "region on Wednesday for talks with President Vladimir Putin, the Kremlin said, in a visit "
    "that Western governments fear will lead to a deal on artillery ammunition for Moscow's "
    "war in Ukraine. Kim travelled by armoured train from Pyongyang, a journey of more than "
    "two days, accompanied by senior military officials including the head of the munitions "
    "industry department. Putin showed his guest the launch pad of the new Angara rocket "
    "before the two leaders sat down for several hours of talks, first with their "
    "delegations and then one on one. Asked whether Russia would help North Korea build "
    "satellites, Putin told reporters that this was why they had come to the cosmodrome. "
    "Officials in Seoul and Washington said any arms transfer would breach United Nations "
    "Security Council resolutions that Russia itself had voted for."
)
FEATURES = frozenset({"north_korea", "russia", "kim_jong_un", "putin", "summit", "artillery"})


def article(
    article_id: str,
    *,
    url: str = "",
    guid: str | None = None,
    title: str = "Kim Jong Un meets Putin at Russian space centre",
    text: str = WIRE,
    source: str = "Wire",
    language: str = "en",
    hours: float = 0.0,
    features: frozenset[str] = FEATURES,
) -> DedupInput:
    return DedupInput(
        article_id=article_id,
        url=url or f"https://{source.lower()}.example/{article_id}",
        guid=guid,
        title=title,
        text=text,
        source=source,
        language=language,
        published=T0 + timedelta(hours=hours),
        features=features,
    )


def observe(index: StoryIndex, item: DedupInput):
    return index.observe(item, item.published)


def edit_words(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


# -- exact duplicates ---------------------------------------------------------------------


def test_first_article_opens_its_own_story() -> None:
    decision = observe(StoryIndex(), article("a1"))
    assert (decision.kind, decision.duplicate_of, decision.story) == ("new", None, "a1")
    assert decision.article_id == "a1" and not decision.updated


def test_same_canonical_url_with_tracking_params_is_one_article() -> None:
    index = StoryIndex()
    observe(index, article("a1", url="https://www.wire.example/asia/kim-putin"))
    again = observe(
        index,
        article(
            "a2",
            url="https://wire.example/asia/kim-putin/?utm_source=rss&fbclid=Q#top",
            hours=1,
            text="Completely different body text, short.",
        ),
    )
    assert (again.kind, again.duplicate_of, again.story) == ("exact", "a1", "a1")
    assert again.updated  # the body changed: an edit of the same article


def test_http_and_https_copies_are_one_article() -> None:
    index = StoryIndex()
    observe(index, article("a1", url="http://wire.example/x"))
    assert observe(index, article("a2", url="https://wire.example/x")).kind == "exact"


def test_exact_copy_on_another_outlet_by_content_fingerprint() -> None:
    index = StoryIndex()
    observe(index, article("a1", source="Wire"))
    # Same title and text, other URL, other punctuation and case: same fingerprint.
    copy = article("a2", source="Daily", text=WIRE.upper().replace(",", " ,"), hours=2)
    decision = observe(index, copy)
    assert (decision.kind, decision.duplicate_of, decision.story) == ("exact", "a1", "a1")
    assert not decision.updated


def test_edited_headline_of_seen_article_updates_it_and_keeps_its_story() -> None:
    index = StoryIndex()
    url = "https://wire.example/asia/kim-putin"
    observe(index, article("a1", url=url, guid="urn:wire:1"))
    edited = article(
        "a1", url=url, guid="urn:wire:1", hours=1, title="UPDATE 2-Kim Jong Un meets Putin, tours launch pad"
    )
    decision = observe(index, edited)
    assert (decision.kind, decision.updated, decision.story) == ("exact", True, "a1")
    assert decision.duplicate_of is None  # the same article, not a copy of another one
    # Seen again unchanged: exact, not updated.
    decision = observe(index, edited)
    assert (decision.kind, decision.updated) == ("exact", False)


def test_guid_churn_same_url_new_guid_stays_one_article() -> None:
    index = StoryIndex()
    url = "https://wire.example/asia/kim-putin"
    observe(index, article("a1", url=url, guid="urn:wire:1"))
    decision = observe(index, article("a1b", url=url, guid="urn:wire:1-rev2", hours=1))
    assert (decision.kind, decision.duplicate_of, decision.story) == ("exact", "a1", "a1")


def test_url_churn_same_guid_new_url_stays_one_article() -> None:
    index = StoryIndex()
    observe(index, article("a1", url="https://wire.example/a/kim-putin", guid="urn:wire:1"))
    decision = observe(
        index,
        article(
            "a1b",
            url="https://wire.example/b/kim-putin-talks",
            guid="urn:wire:1",
            hours=1,
            title="Kim and Putin hold talks",
        ),
    )
    assert (decision.kind, decision.duplicate_of, decision.updated) == ("exact", "a1", True)
    # The new URL now belongs to the article too.
    decision = observe(index, article("a1c", url="https://wire.example/b/kim-putin-talks", hours=2))
    assert (decision.kind, decision.duplicate_of) == ("exact", "a1")


def test_bare_guids_are_unique_per_outlet_only() -> None:
    index = StoryIndex()
    observe(index, article("a1", guid="12345", source="Wire"))
    other = article(
        "b1",
        guid="12345",
        source="Daily",
        title="Poland orders tanks",
        text="Poland signed a contract for 180 K2 tanks on Friday in Warsaw.",
        features=frozenset({"poland", "tanks"}),
    )
    assert observe(index, other).kind == "new"


def test_short_identical_titles_are_not_fingerprint_duplicates() -> None:
    index = StoryIndex()
    observe(index, article("a1", title="Live updates", text="", features=frozenset()))
    decision = observe(index, article("b1", source="Daily", title="Live updates", text="", features=frozenset()))
    assert decision.kind == "new"


# -- near duplicates ----------------------------------------------------------------------


def test_wire_copies_with_small_edits_are_near_duplicates() -> None:
    index = StoryIndex()
    observe(index, article("a1", source="Wire"))
    copy = edit_words(
        WIRE, {"on Wednesday": "on Wednesday morning", "several": "three", "senior military": "top military"}
    )
    decision = observe(
        index, article("a2", source="Herald", text=copy, hours=3, url="https://herald.example/kim?utm_medium=email")
    )
    assert (decision.kind, decision.duplicate_of, decision.story) == ("near", "a1", "a1")


def test_retitled_copy_is_a_near_duplicate() -> None:
    index = StoryIndex()
    observe(index, article("a1"))
    decision = observe(
        index, article("a2", source="Post", hours=1, title="Putin shows Kim rocket site as arms deal fears grow")
    )
    assert (decision.kind, decision.duplicate_of) == ("near", "a1")


def test_near_duplicate_without_story_features_still_joins_the_story() -> None:
    index = StoryIndex()
    observe(index, article("a1"))
    copy = edit_words(WIRE, {"armoured": "armored"})
    decision = observe(index, article("a2", source="Gazette", text=copy, hours=1, features=frozenset()))
    assert (decision.kind, decision.story) == ("near", "a1")


def test_different_text_is_not_a_near_duplicate() -> None:
    index = StoryIndex()
    observe(index, article("a1"))
    other = (
        "Poland's defence ministry signed a contract on Friday for a second batch of K2 "
        "main battle tanks built by Hyundai Rotem, with part of the production moving to "
        "the Bumar-Labedy plant in Gliwice from 2026. The deal covers 180 tanks, support "
        "vehicles, training and ammunition, officials in Warsaw said."
    )
    decision = observe(
        index,
        article(
            "b1",
            text=other,
            title="Poland orders more K2 tanks",
            features=frozenset({"poland", "south_korea", "tanks"}),
        ),
    )
    assert decision.kind == "new" and decision.duplicate_of is None


def test_chinese_near_copy_uses_character_bigrams() -> None:
    text = (
        "朝鲜领导人金正恩周三抵达俄罗斯阿穆尔州的东方航天发射场，与俄罗斯总统普京举行会谈。"
        "西方国家担心双方将就向俄罗斯提供炮弹达成协议。金正恩乘坐专列从平壤出发，"
        "随行人员包括多名军方高级官员。普京带领客人参观了新型火箭的发射台，随后双方举行了数小时会谈。"
    )
    index = StoryIndex()
    observe(index, article("z1", text=text, title="金正恩与普京会晤", language="zh"))
    copy = text.replace("数小时", "约五个小时")
    decision = observe(index, article("z2", source="Sina", text=copy, title="金正恩与普京会晤", language="zh", hours=1))
    assert (decision.kind, decision.duplicate_of) == ("near", "z1")


# -- window, memory, restart ---------------------------------------------------------------


def test_expiry_frees_rows_keys_and_stories() -> None:
    index = StoryIndex(window=timedelta(hours=10), late_keep=0)
    for i in range(30):
        observe(index, article(f"a{i}", source=f"Outlet{i}", hours=i * 0.1, text=f"{WIRE} Item {i} of {i * 7}."))
    before = index.sizes()
    assert before["articles"] == 30 and before["keys"] >= 60
    index.expire(T0 + timedelta(hours=11.45))  # articles published before 1.45 h go
    after = index.sizes()
    assert after["articles"] == 15
    assert after["keys"] < before["keys"]
    index.expire(T0 + timedelta(days=30))
    empty = index.sizes()
    assert empty["articles"] == empty["keys"] == empty["stories"] == empty["merged"] == 0
    assert index.story_stats("a0") is None


def test_late_keep_holds_the_latest_arrivals_behind_the_window() -> None:
    index = StoryIndex(window=timedelta(hours=10), late_keep=5)
    for i in range(20):
        observe(index, article(f"a{i}", source=f"Outlet{i}", hours=i, text=f"{WIRE} Item {i} of {i * 7}."))
    index.expire(T0 + timedelta(days=30))
    assert index.sizes()["articles"] == 5  # the last five arrivals, though all are old


def test_expired_article_is_new_again_after_the_window() -> None:
    index = StoryIndex(window=timedelta(hours=24), late_keep=0)
    observe(index, article("a1", url="https://wire.example/x"))
    decision = observe(index, article("a2", url="https://wire.example/x", hours=30))
    assert decision.kind == "new"


def test_reobserved_article_stays_for_another_window() -> None:
    index = StoryIndex(window=timedelta(hours=24))
    observe(index, article("a1", url="https://wire.example/x"))
    observe(index, article("a1", url="https://wire.example/x", hours=20))
    assert observe(index, article("a1", url="https://wire.example/x", hours=40)).kind == "exact"


def test_posting_lists_compact_and_drop_expired_rows() -> None:
    index = StoryIndex(window=timedelta(hours=1), late_keep=0)
    rng = np.random.default_rng(3)
    vocab = np.array([f"w{i}" for i in range(3000)])
    for i in range(2600):
        text = " ".join(rng.choice(vocab, 40).tolist())
        item = article(f"r{i}", text=text, source=f"S{i}", features=frozenset(), hours=i * 3 / 3600)
        index.observe(item, item.published)
    sizes = index.sizes()
    # 2,600 articles over 130 minutes with a 60 minute window: about 1,200 live.
    assert 1150 <= sizes["articles"] <= 1250
    # Entries of forgotten rows are dropped once they are as many as the live ones.
    assert sizes["posting_entries"] <= 2 * sizes["live_posting_entries"] + 4096
    assert sizes["live_posting_entries"] <= sizes["articles"] * (8 + 32)
    assert sizes["slots"] <= 2048  # freed slots are reused


def test_restore_rebuilds_decisions_after_restart() -> None:
    first = StoryIndex()
    items = [
        article("a1"),
        article("a2", source="Post", hours=1, title="Putin shows Kim rocket site"),
        article(
            "a3",
            source="Kompas",
            language="id",
            hours=2,
            title="Kim bertemu Putin",
            text="Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin.",
        ),
    ]
    stories = [observe(first, item).story for item in items]
    restarted = StoryIndex()
    for item, story in zip(items, stories, strict=True):
        restarted.restore(item, story, item.published)
    batch_restarted = StoryIndex()
    batch_restarted.restore_batch(items, stories, [item.published for item in items])
    later = article("a4", source="Tribune", hours=3, title="Kim and Putin talk arms")
    expected = observe(first, later)
    assert observe(restarted, later) == expected and observe(batch_restarted, later) == expected
    assert restarted.story_stats("a1") == first.story_stats("a1") == batch_restarted.story_stats("a1")


def test_decisions_are_deterministic() -> None:
    items = [article(f"a{i}", source=f"S{i % 3}", hours=i, text=WIRE[: 300 + 40 * i]) for i in range(8)]
    runs = []
    for _ in range(2):
        index = StoryIndex()
        runs.append([observe(index, item) for item in items])
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    "kwargs",
    [{"window": timedelta(0)}, {"near_threshold": 0.0}, {"text_threshold": 1.5}, {"min_shared": 0},
     {"late_keep": -1}, {"top_terms": 2}],
)
def test_invalid_parameters_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        StoryIndex(**kwargs)


# -- building blocks ------------------------------------------------------------------------


def test_text_features_numbers_and_designators() -> None:
    features = text_features(
        "Poland orders 180 K2 tanks and KN-23 parts",
        "Worth $6.5 billion; Су-57 jets; 화성-18형 missiles; 1,000 troops.",
    )
    assert {"#180", "~k-2", "~kn-23", "#65", "~su-57", "#1000", "#18"} <= features
    assert not any(f.startswith("~") and not f[1:2].isascii() for f in features)


def test_years_are_not_story_features_but_year_like_amounts_and_designators_are() -> None:
    features = text_features("In 2024 Poland ordered 1,950 shells", "Deliveries start in 2026. The F-2000 radar; 1999.")
    assert "#2024" not in features and "#2026" not in features and "#1999" not in features
    assert {"#1950", "~f-2000"} <= features


# -- batches --------------------------------------------------------------------------------

# Texts in several scripts (words, CJK character bigrams, Hangul words) for batches.
BASES = [
    WIRE,
    "朝鲜领导人金正恩周三抵达俄罗斯阿穆尔州的东方航天发射场，与俄罗斯总统普京举行会谈。"
    "西方国家担心双方将就向俄罗斯提供炮弹达成协议。金正恩乘坐专列从平壤出发，随行人员包括多名军方高级官员。",
    "북한 김정은 국무위원장이 수요일 러시아 아무르주 보스토치니 우주기지에 도착해 블라디미르 푸틴 대통령과 "
    "정상회담을 가졌다. 서방은 포탄 거래 가능성을 우려하고 있다. 김 위원장은 전용 열차로 평양을 출발했다.",
    "Лидер КНДР Ким Чен Ын прибыл в среду на космодром Восточный в Амурской области, где провёл "
    "переговоры с президентом России Владимиром Путиным. На Западе опасаются сделки по поставкам "
    "артиллерийских снарядов для войны на Украине.",
    "Poland's defence ministry signed a contract on Friday for a second batch of 180 K2 main battle "
    "tanks built by Hyundai Rotem, with part of the production moving to the Bumar-Labedy plant in "
    "Gliwice from 2026, officials in Warsaw said.",
    "Egypt has ordered 30 additional Rafale fighter jets from Dassault Aviation, the French defence "
    "ministry said on Friday, in a deal worth about 4 billion euros financed by a loan.",
]
BASE_FEATURES = [
    FEATURES,
    FEATURES,
    FEATURES,
    FEATURES,
    frozenset({"poland", "south_korea", "tanks", "arms_deal"}),
    frozenset({"egypt", "france", "fighter_jets", "arms_deal"}),
]


def _variant(kind: int, n: int, earlier: list[DedupInput], pick: int) -> DedupInput:
    """Article n of a mixed stream: new texts, copies, near copies, story siblings, churn."""
    hours = n * 0.5
    if kind == 0 or not earlier:  # a new article on one of the base texts
        b = pick % len(BASES)
        return article(f"n{n}", text=f"{BASES[b]} ({n})", source=f"S{n % 4}", hours=hours, features=BASE_FEATURES[b])
    base = earlier[pick % len(earlier)]
    if kind == 1:  # exact copy on another outlet
        return article(f"n{n}", title=base.title, text=base.text, source=f"C{n}", hours=hours, features=base.features)
    if kind == 2:  # near copy: one word edited (one character of a text without spaces)
        words = base.text.split()
        if len(words) > 1:
            words[len(words) // 2] = "edited"
            text = " ".join(words)
        else:
            middle = len(base.text) // 2
            text = base.text[:middle] + "改" + base.text[middle + 1 :]
        return article(f"n{n}", title="Re: " + base.title, text=text, source=f"N{n}", hours=hours)
    if kind == 3:  # story sibling: the same concepts in another language
        return article(
            f"n{n}",
            title=f"Bericht {n}",
            text=f"Beamte bestätigten die Gespräche {n}.",
            hours=hours,
            language="de",
            features=base.features,
        )
    if kind == 4:  # GUID churn: same URL, new GUID
        return article(f"n{n}", url=base.url, guid=f"urn:x:{n}", text=base.text, hours=hours, features=base.features)
    if kind == 5:  # URL churn: same GUID, new URL
        guid = base.guid or f"urn:x:{n}"
        return article(f"n{n}", url=f"https://moved.example/{n}", guid=guid, text=base.text, hours=hours)
    # an edit of an earlier article: same id, URL and GUID, new headline
    return DedupInput(
        base.article_id, base.url, base.guid, base.title + " (updated)", base.text, base.source,
        base.language, base.published, base.features,
    )  # fmt: skip


def _stream(plan: list[tuple[int, int]]) -> list[DedupInput]:
    items: list[DedupInput] = []
    for n, (kind, pick) in enumerate(plan):
        items.append(_variant(kind, n, items, pick))
    return items


def _run_batches(index: StoryIndex, items: list[DedupInput], cuts: list[int]) -> list:
    decisions, start = [], 0
    for stop in [*sorted(set(cuts)), len(items)]:
        chunk = items[start:stop]
        decisions += index.observe_batch(chunk, [T0 + timedelta(hours=i * 0.5) for i in range(start, stop)])
        start = stop
    return decisions


@settings(max_examples=60, deadline=None)
@given(
    plan=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 50)), min_size=1, max_size=30),
    cuts=st.lists(st.integers(0, 30), max_size=4),
    window_hours=st.sampled_from([4, 72]),
)
def test_observe_batch_decides_like_observe_in_order(plan, cuts, window_hours) -> None:
    items = _stream(plan)
    cuts = [c for c in cuts if c <= len(items)]
    sequential, batched = (
        StoryIndex(window=timedelta(hours=window_hours)),
        StoryIndex(window=timedelta(hours=window_hours)),
    )
    expected = [sequential.observe(item, T0 + timedelta(hours=i * 0.5)) for i, item in enumerate(items)]
    assert _run_batches(batched, items, cuts) == expected
    assert batched.sizes() == sequential.sizes()
    for decision in expected:
        assert batched.story_stats(decision.story) == sequential.story_stats(decision.story)


def test_copies_inside_one_batch_are_found() -> None:
    # Every kind of match against an earlier item of the same batch.
    plan = [(0, 0), (0, 1), (0, 4), (1, 0), (2, 1), (3, 2), (4, 0), (5, 6), (6, 0)]
    decisions = _run_batches(StoryIndex(), _stream(plan), [])
    kinds = [(d.kind, d.duplicate_of, d.story) for d in decisions]
    assert kinds[0] == ("new", None, "n0")
    assert kinds[1] == ("story", None, "n0")  # the Chinese version of the same event
    assert kinds[2] == ("new", None, "n2")  # the Poland deal
    assert kinds[3] == ("exact", "n0", "n0")  # copy of item 0 in the same batch
    assert kinds[4] == ("near", "n1", "n0")  # near copy of the Chinese text
    assert kinds[5] == ("story", None, "n2")  # sibling of the Poland deal, in German
    assert kinds[6] == ("exact", "n0", "n0")  # GUID churn on item 0's URL
    assert kinds[7] == ("exact", "n0", "n0")  # URL churn on the GUID item 6 gave item 0
    assert decisions[8].kind == "exact" and decisions[8].updated  # edited headline of item 0


def test_observe_batch_needs_one_time_per_item() -> None:
    with pytest.raises(ValueError):
        StoryIndex().observe_batch([article("a1")], [])
    assert StoryIndex().observe_batch([], []) == []


_SCRIPTS = st.sampled_from(
    ["abc xyz", "Kim Putin", "金正恩普京", "북한 러시아", "Су-57 Ким", "1,500 K2", " .,;\n", "\ud800"]
)


def test_observe_batch_matches_observe_across_compactions() -> None:
    # Enough articles for the LSH arrays to be compacted inside batches (>= 2,048 pending keys
    # and expiry), with near copies of recent articles, some in the same batch.
    rng = np.random.default_rng(5)
    vocab = np.array([f"w{i}" for i in range(3000)])
    items: list[DedupInput] = []
    for i in range(2600):
        if items and rng.random() < 0.25:
            words = items[-int(rng.integers(1, min(len(items), 40) + 1))].text.split()
            words[int(rng.integers(len(words)))] = "changed"
            text = " ".join(words)
        else:
            text = " ".join(rng.choice(vocab, 40).tolist())
        items.append(article(f"r{i}", text=text, source=f"S{i}", features=frozenset()))
    nows = [T0 + timedelta(seconds=i * 3) for i in range(len(items))]
    sequential, batched = StoryIndex(window=timedelta(hours=1)), StoryIndex(window=timedelta(hours=1))
    expected = [sequential.observe(item, now) for item, now in zip(items, nows, strict=True)]
    got = []
    for start in range(0, len(items), 50):
        got += batched.observe_batch(items[start : start + 50], nows[start : start + 50])
    assert got == expected
    assert sum(d.kind == "near" for d in got) > 400
    assert batched.sizes() == sequential.sizes()


