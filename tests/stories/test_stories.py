"""Story clustering: translations join one story, different events with the same vocabulary
stay apart; story growth figures and the escalation signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.stories.grouping import DedupInput, StoryIndex

T0 = datetime(2023, 9, 13, 6, 0, tzinfo=UTC)

SUMMIT = frozenset({"north_korea", "russia", "kim_jong_un", "putin", "summit", "weapons"})

# One event (Kim–Putin talks at Vostochny), written separately in five languages.
SUMMIT_VERSIONS = [
    (
        "en",
        "Reuters",
        "Kim Jong Un and Putin meet at Vostochny cosmodrome",
        "North Korean leader Kim Jong Un met Russian President Vladimir Putin at the Vostochny "
        "cosmodrome on Wednesday. The talks lasted about 5 hours and touched on weapons supplies "
        "and help with satellites, officials said.",
    ),
    (
        "id",
        "Kompas",
        "Kim Jong Un bertemu Putin di kosmodrom Vostochny",
        "Pemimpin Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di kosmodrom "
        "Vostochny pada Rabu. Pembicaraan berlangsung sekitar 5 jam dan membahas pasokan senjata "
        "serta bantuan satelit.",
    ),
    (
        "ru",
        "RIA",
        "Ким Чен Ын и Путин провели переговоры на Восточном",
        "Лидер КНДР Ким Чен Ын и президент России Владимир Путин провели переговоры на "
        "космодроме Восточный в среду. Встреча продлилась около 5 часов, обсуждались поставки "
        "оружия и спутники.",
    ),
    (
        "ko",
        "Yonhap",
        "김정은·푸틴, 보스토치니 우주기지서 정상회담",
        "김정은 북한 국무위원장이 수요일 보스토치니 우주기지에서 블라디미르 푸틴 러시아 대통령과 "
        "약 5시간 동안 회담했다. 양측은 무기 공급과 위성 기술 협력을 논의한 것으로 알려졌다.",
    ),
    (
        "zh",
        "Xinhua",
        "金正恩与普京在东方航天发射场会晤",
        "朝鲜最高领导人金正恩周三在东方航天发射场与俄罗斯总统普京举行会谈，会谈持续约5小时，"
        "双方讨论了武器供应和卫星合作。",
    ),
]


def item(
    article_id: str,
    title: str,
    text: str,
    features: set[str] | frozenset[str],
    *,
    hours: float = 0.0,
    source: str = "Wire",
    language: str = "en",
) -> DedupInput:
    return DedupInput(
        article_id=article_id,
        url=f"https://{source.lower()}.example/{article_id}",
        guid=None,
        title=title,
        text=text,
        source=source,
        language=language,
        published=T0 + timedelta(hours=hours),
        features=frozenset(features),
    )


def observe(index: StoryIndex, article: DedupInput):
    return index.observe(article, article.published)


def test_translations_of_one_event_join_one_story() -> None:
    index = StoryIndex()
    decisions = []
    for n, (language, source, title, text) in enumerate(SUMMIT_VERSIONS):
        features = SUMMIT if language != "zh" else SUMMIT - {"summit"}  # one group missed
        decisions.append(
            observe(index, item(f"s{n}", title, text, features, hours=n, source=source, language=language))
        )
    assert decisions[0].kind == "new"
    assert [d.kind for d in decisions[1:]] == ["story"] * 4
    assert {d.story for d in decisions} == {"s0"}
    assert all(d.duplicate_of is None for d in decisions)
    stats = index.story_stats("s0")
    assert stats is not None
    assert stats.articles == 5
    assert stats.outlets == ("Kompas", "RIA", "Reuters", "Xinhua", "Yonhap")
    assert stats.languages == ("en", "id", "ko", "ru", "zh")
    assert stats.first_seen == T0 and stats.last_seen == T0 + timedelta(hours=4)


MISSILE = frozenset({"north_korea", "ballistic_missile", "missile_launch", "japan", "east_sea"})


def test_two_missile_tests_a_week_apart_stay_apart() -> None:
    index = StoryIndex(window=timedelta(days=10))
    first = observe(
        index,
        item(
            "m1",
            "North Korea fires ballistic missile into sea off Japan",
            "North Korea launched a ballistic missile that fell into the sea east of the Korean "
            "peninsula on Monday, Japan's coast guard said.",
            MISSILE,
        ),
    )
    follow_up = observe(
        index,
        item(
            "m2",
            "Japan protests North Korean missile launch",
            "Tokyo lodged a protest through diplomatic channels after the missile flew for about "
            "40 minutes before landing in the sea.",
            MISSILE,
            hours=20,
            source="NHK",
        ),
    )
    week_later = observe(
        index,
        item(
            "m3",
            "North Korea fires another ballistic missile",
            "North Korea fired a ballistic missile toward the sea off its east coast on Monday, "
            "a week after its previous launch, Japan's defence ministry said.",
            MISSILE,
            hours=24 * 7,
            source="Kyodo",
        ),
    )
    assert first.story == "m1"
    assert (follow_up.kind, follow_up.story) == ("story", "m1")
    assert (week_later.kind, week_later.story) == ("new", "m3")


POLAND_K2 = {"poland", "south_korea", "tanks", "arms_deal"}
EGYPT_RAFALE = {"egypt", "france", "fighter_jets", "arms_deal"}


def test_two_arms_deals_on_the_same_day_stay_apart() -> None:
    index = StoryIndex()
    poland = observe(
        index,
        item(
            "d1",
            "Poland signs deal for 180 K2 tanks",
            "Poland signed a contract with Hyundai Rotem for 180 K2 tanks, the defence ministry "
            "in Warsaw said on Friday.",
            POLAND_K2,
        ),
    )
    egypt = observe(
        index,
        item(
            "d2",
            "Egypt orders 30 more Rafale jets",
            "Egypt has ordered 30 additional Rafale fighter jets from Dassault Aviation, the French "
            "defence ministry said on Friday.",
            EGYPT_RAFALE,
            hours=2,
            source="AFP",
        ),
    )
    poland_ko = observe(
        index,
        item(
            "d3",
            "폴란드, K2 전차 180대 계약 체결",
            "폴란드가 금요일 현대로템과 K2 전차 180대 구매 계약을 체결했다고 국방부가 밝혔다.",
            POLAND_K2,
            hours=3,
            source="Yonhap",
            language="ko",
        ),
    )
    egypt_fr = observe(
        index,
        item(
            "d4",
            "L'Egypte commande 30 Rafale supplémentaires",
            "L'Egypte a commandé 30 avions de combat Rafale supplémentaires, a annoncé vendredi le "
            "ministère des Armées.",
            EGYPT_RAFALE,
            hours=4,
            source="LeMonde",
            language="fr",
        ),
    )
    assert poland.story == "d1" and egypt.story == "d2"
    assert (poland_ko.kind, poland_ko.story) == ("story", "d1")
    assert (egypt_fr.kind, egypt_fr.story) == ("story", "d2")


def test_conflicting_designators_split_otherwise_similar_deals() -> None:
    index = StoryIndex()
    observe(
        index,
        item(
            "k2",
            "Poland orders 180 K2 tanks",
            "Poland signed a deal for 180 K2 tanks with South Korea.",
            {"poland", "south_korea", "arms_deal", "armour"},
        ),
    )
    k9 = observe(
        index,
        item(
            "k9",
            "Poland orders 152 K9 howitzers",
            "Poland signed a deal for 152 K9 howitzers with South Korea.",
            {"poland", "south_korea", "arms_deal", "armour"},
            hours=1,
            source="PAP",
        ),
    )
    assert (k9.kind, k9.story) == ("new", "k9")


def test_one_shared_group_is_not_a_story() -> None:
    index = StoryIndex()
    observe(
        index,
        item(
            "r1",
            "Russia and China hold naval drills",
            "Russian and Chinese warships began joint drills.",
            {"russia", "china", "navy", "exercise"},
        ),
    )
    other = observe(
        index,
        item(
            "r2",
            "Russia hosts North Korean delegation",
            "A North Korean delegation arrived in Moscow.",
            {"russia", "north_korea", "delegation", "visit"},
            hours=1,
            source="TASS",
        ),
    )
    assert other.kind == "new"


def test_entity_features_require_a_shared_entity_and_a_shared_action() -> None:
    entities = frozenset({"north_korea", "russia", "kim_jong_un", "putin", "china"})
    strict = StoryIndex(entity_features=entities)
    loose = StoryIndex()
    first = item(
        "e1",
        "Kim and Putin meet",
        "Kim Jong Un met Putin in Russia.",
        {"north_korea", "russia", "kim_jong_un", "putin"},
    )
    # Only entities shared, no event feature at all: a different event about the same actors.
    second = item(
        "e2",
        "Putin praises Kim",
        "Putin praised Kim Jong Un in a letter to Russia's ally North Korea.",
        {"north_korea", "russia", "kim_jong_un", "putin"},
        hours=1,
        source="TASS",
    )
    for index in (strict, loose):
        observe(index, first)
    assert observe(loose, second).kind == "story"
    assert observe(strict, second).kind == "new"


def test_story_window_limits_the_gap_to_members() -> None:
    index = StoryIndex(story_window=timedelta(hours=12))
    observe(index, item("w1", "Kim meets Putin", "Kim met Putin.", SUMMIT))
    late = observe(
        index, item("w2", "Kim and Putin talk weapons", "Kim and Putin talked.", SUMMIT, hours=13, source="AP")
    )
    assert late.kind == "new"


def test_copies_count_towards_the_story_and_its_outlets() -> None:
    index = StoryIndex()
    _language, source, title, text = SUMMIT_VERSIONS[0]
    observe(index, item("c1", title, text, SUMMIT, source=source))
    observe(index, item("c2", title, text, SUMMIT, hours=1, source="Yahoo"))
    observe(index, item("c3", title, text, SUMMIT, hours=2, source="Yahoo"))
    stats = index.story_stats("c1")
    assert stats is not None
    assert (stats.articles, stats.outlets, stats.languages) == (3, ("Reuters", "Yahoo"), ("en",))


def test_escalation_counts_new_outlets_within_the_interval() -> None:
    index = StoryIndex()
    _language, _source, title, text = SUMMIT_VERSIONS[0]
    observe(index, item("x0", title, text, SUMMIT, source="Reuters"))
    start = T0 + timedelta(hours=5)
    for n in range(4):
        copy = item(f"x{n + 1}", title, text, SUMMIT, source=f"Outlet{n}")
        index.observe(copy, start + timedelta(minutes=10 * n))
    now = start + timedelta(minutes=30)
    assert index.escalation("x0", now, new_outlets=4, within=45)
    assert not index.escalation("x0", now, new_outlets=5, within=45)  # Reuters came hours ago
    assert not index.escalation("x0", now, new_outlets=4, within=15)  # only 2 in 15 minutes
    assert not index.escalation("missing", now)
    # Articles from outlets already in the story do not count as new outlets.
    index.observe(item("x9", title, text, SUMMIT, source="Outlet0"), now)
    assert not index.escalation("x0", now, new_outlets=3, within=5)


# --- candidate lookup vs. comparing with every article ----------------------------------
# The index finds candidates through posting lists (an article's heaviest words and its
# concepts). While no list is longer than the tail it reads, that must decide exactly as
# comparing the article with every live article of the story window.

GROUPS = ["north_korea", "russia", "kim_jong_un", "putin", "artillery", "missile", "summit", "tanks"]
ENTITIES = frozenset({"north_korea", "russia", "kim_jong_un", "putin"})
WORDS = ["shells", "train", "border", "treaty", "drones", "talks", "ports", "Vostochny", "Rason"]

article_specs = st.lists(
    st.tuples(
        st.frozensets(st.sampled_from(GROUPS), min_size=0, max_size=6),
        st.lists(st.sampled_from(["2023", "K2", "K9", "Su-57", "155", "1500"]), max_size=3),
        st.lists(st.sampled_from(WORDS), max_size=5),
        st.sampled_from(["en", "ru", "ko"]),
        st.integers(min_value=0, max_value=120),  # published, hours after T0
    ),
    min_size=1,
    max_size=30,
)


class ScanEverything(StoryIndex):
    """The same decisions, with every live article of the story window that shares two
    posting keys with the article as a candidate, found by comparing with each one."""

    def _candidates(self, mine, stamp):  # type: ignore[no-untyped-def]
        import numpy as np

        wanted = set(mine.posting)
        slots = [row.slot for row in self._rows.values()
                 if abs(row.stamp - stamp) <= self._story_s and len(wanted & set(row.posted)) >= 2]
        return np.array(sorted(slots), dtype=np.int64)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article_specs, st.booleans(), st.randoms(use_true_random=False))
def test_candidate_lookup_decides_like_comparing_with_every_article(specs, with_entities: bool, rnd) -> None:
    entities = ENTITIES if with_entities else None
    fast, full = StoryIndex(entity_features=entities), ScanEverything(entity_features=entities)
    fast.candidate_budget = 10**6  # every posting key is read, as the scan does
    rnd.shuffle(specs)  # any arrival order
    for n, (features, numbers, words, language, hours) in enumerate(specs):
        text = " ".join([*words, *(f"w{n}x{i}" for i in range(6))])
        article = item(f"a{n}", f"headline {' '.join(numbers)} {' '.join(words[:2])}", text, features,
                       hours=hours, language=language, source=f"S{n % 4}")
        got, want = observe(fast, article), observe(full, article)
        assert (got.kind, got.story, got.merged) == (want.kind, want.story, want.merged)
