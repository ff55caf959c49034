"""Event time and merges: arrival order does not decide stories; a merge moves articles and
alerts and never re-alerts (real SQLite file)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.models import Article, DedupDecision
from monitor.state.store import Store
from monitor.stories.grouping import DedupInput, StoryIndex

T0 = datetime(2024, 6, 19, 6, 0, tzinfo=UTC)
TREATY = frozenset({"north_korea", "russia", "treaty", "mutual_defence", "summit"})
ENTITIES = frozenset({"north_korea", "russia"})

# One event (a treaty signed in Pyongyang) told in four languages, plus an unrelated event.
VERSIONS = [
    ("en", "Putin and Kim sign mutual defence treaty in Pyongyang",
     "Vladimir Putin and Kim Jong Un signed a treaty on Wednesday pledging mutual assistance "
     "if either is attacked, at a summit in Pyongyang that lasted about 12 hours."),
    ("ru", "Путин и Ким подписали договор о взаимной обороне",
     "Владимир Путин и Ким Чен Ын в среду подписали в Пхеньяне договор о взаимной помощи в "
     "случае нападения на одну из сторон; переговоры длились около 12 часов."),
    ("ko", "푸틴·김정은, 평양서 상호방위 조약 서명",
     "블라디미르 푸틴 러시아 대통령과 김정은 국무위원장이 수요일 평양에서 12시간 가까이 "
     "회담한 뒤 한쪽이 공격받으면 서로 돕는다는 조약에 서명했다."),
    ("de", "Putin und Kim unterzeichnen Beistandspakt in Pjöngjang",
     "Wladimir Putin und Kim Jong Un haben am Mittwoch in Pjöngjang einen Vertrag über "
     "gegenseitigen Beistand im Fall eines Angriffs unterzeichnet; der Gipfel dauerte 12 Stunden."),
]
OTHER = ("en", "Flooding closes roads across the region",
         "Heavy rain flooded roads and farms on Wednesday, officials said.")


def item(n: int, version: tuple[str, str, str], hours: float, features: frozenset[str]) -> DedupInput:
    language, title, text = version
    return DedupInput(article_id=f"a{n}", url=f"https://outlet{n}.example/{n}", guid=None, title=title,
                      text=text, source=f"Outlet{n}", language=language,
                      published=T0 + timedelta(hours=hours), features=features)


def stories(items: list[DedupInput]) -> dict[str, str]:
    """Story of each article, observed in the given order with the wall clock at the end."""
    index = StoryIndex(entity_features=ENTITIES)
    now = T0 + timedelta(days=2)
    return {it.article_id: index.observe(it, now).story for it in items}


def partition(assigned: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article, story in assigned.items():
        groups.setdefault(story, set()).add(article)
    return {frozenset(g) for g in groups.values()}


def test_any_arrival_order_gives_the_same_stories() -> None:
    items = [item(n, v, hours=n * 3, features=TREATY) for n, v in enumerate(VERSIONS)]
    items.append(item(9, OTHER, hours=1, features=frozenset({"weather"})))
    expected = {frozenset({"a0", "a1", "a2", "a3"}), frozenset({"a9"})}
    rng = random.Random(7)
    for _ in range(6):
        order = list(items)
        rng.shuffle(order)
        assert partition(stories(order)) == expected


def test_a_late_article_meets_the_story_of_its_own_time() -> None:
    index = StoryIndex(entity_features=ENTITIES, window=timedelta(hours=72))
    first = item(0, VERSIONS[0], hours=0, features=TREATY)
    index.observe(first, first.published)
    # Two days of other news move the newest time on, then the Korean version arrives late.
    for n in range(30):
        filler = DedupInput(f"f{n}", f"https://x.example/{n}", None, f"Market report {n}", f"Shares moved {n}.",
                            "X", "en", T0 + timedelta(hours=48 + n), frozenset())
        index.observe(filler, filler.published)
    late = item(2, VERSIONS[2], hours=2, features=TREATY)
    decision = index.observe(late, T0 + timedelta(hours=80))
    assert (decision.kind, decision.story) == ("story", "a0")


def test_an_article_linking_two_stories_merges_them_into_the_older() -> None:
    index = StoryIndex(entity_features=ENTITIES)
    # Two reports of one event that share too little to link...
    en = item(0, VERSIONS[0], hours=0, features=frozenset({"north_korea", "russia", "treaty", "summit"}))
    ko = item(2, VERSIONS[2], hours=1, features=frozenset({"north_korea", "russia", "mutual_defence", "signing"}))
    assert index.observe(en, en.published).story == "a0"
    assert index.observe(ko, ko.published).story == "a2"
    # ...and one that carries the evidence of both.
    ru = item(1, VERSIONS[1], hours=2, features=TREATY | {"signing"})
    decision = index.observe(ru, ru.published)
    assert (decision.kind, decision.story, decision.merged) == ("story", "a0", ("a2",))
    stats = index.story_stats("a2")  # the absorbed id leads to the merged story
    assert stats is not None and stats.story == "a0"
    assert (stats.articles, stats.languages) == (3, ("en", "ko", "ru"))
    later = item(3, VERSIONS[3], hours=3, features=TREATY)
    assert index.observe(later, later.published).story == "a0"


def article(article_id: str, story: str) -> tuple[Article, DedupDecision]:
    a = Article(id=article_id, feed="f", url=f"https://x.example/{article_id}", guid=None, title=article_id,
                summary="", content="", language="en", published=T0, fetched=T0, content_hash=article_id)
    return a, DedupDecision(article_id=article_id, duplicate_of=None, story=story, kind="new")


def test_a_merge_moves_articles_and_alerts_and_never_realerts(tmp_path: Path) -> None:
    store = Store(tmp_path / "monitor.db")
    try:
        for article_id, story in (("a0", "a0"), ("a2", "a2")):
            store.save_article(*article(article_id, story))
            store.touch_story(story, article_id, T0)

        def alert(story: str, topic: str) -> int | None:
            return store.enqueue_alert(dedup_key=f"{story}|{topic}|slack|article", story=story, topic=topic,
                                       channel="slack", article_id=story, score=0.9, now=T0)

        assert alert("a0", "dprk-russia") is not None
        assert alert("a2", "dprk-russia") is not None  # both stories alerted this topic
        assert alert("a2", "arms-transfers") is not None  # only the absorbed one this topic
        store.merge_story("a2", "a0")
        rows = list(store.db.query("SELECT story, dedup_key FROM alerts ORDER BY id"))
        assert [r["story"] for r in rows] == ["a0", "a0", "a0"]
        keys = [r["dedup_key"] for r in rows]
        assert keys[0] == "a0|dprk-russia|slack|article"
        assert keys[1] == "a2|dprk-russia|slack|article"  # a sent alert keeps its own key
        assert keys[2] == "a0|arms-transfers|slack|article"  # now the merged story's first alert
        # A later article of the merged story alerts nobody again, on either topic.
        assert alert("a0", "dprk-russia") is None
        assert alert("a0", "arms-transfers") is None
        assert [r["story"] for r in store.db.query("SELECT story FROM articles ORDER BY id")] == ["a0", "a0"]
        assert [r["id"] for r in store.db.query("SELECT id FROM stories")] == ["a0"]
    finally:
        store.close()
