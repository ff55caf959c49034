"""Model lifecycle over a real state directory: train once, reuse, retrain on new labels
in shadow, and never loop on a rejected retrain."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import ROOT

from monitor.config import load_config
from monitor.models import Article, DedupDecision
from monitor.relevance.rules import load_rules
from monitor.relevance.training import REJECTED_KEY, ensure_models
from monitor.state.store import Store

POS = ["Pyongyang ships artillery shells to Moscow by rail", "North Korean troops deployed to Kursk for Russia",
       "Kim and Putin sign mutual defence treaty", "Russia gives North Korea satellite technology",
       "КНДР передала России снаряды", "북한, 러시아에 포탄 수출", "Korea Utara kirim peluru artileri ke Rusia",
       "朝鲜向俄罗斯提供炮弹", "Containers of North Korean munitions arrive at Russian port",
       "Shoigu in Pyongyang to discuss arms supplies"]
NEG = ["Kim Jong Un visits a fertiliser factory", "Putin meets Xi in Beijing on trade",
       "South Korea and Russia discuss fishing quotas", "Ceasefire talks resume in Gaza",
       "Football club completes transfer of striker", "Gencatan senjata di Gaza diperpanjang",
       "Local farms hit by drought", "Russia raises interest rates", "Pyongyang marathon draws tourists",
       "Seoul stock market closes higher"]


def write_seeds(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for topic in ("dprk-russia", "arms-transfers"):
        rows = [{"id": f"{topic}-{i}", "title": t, "text": "", "language": "en", "label": lab}
                for i, (t, lab) in enumerate([(t, 1) for t in POS] + [(t, 0) for t in NEG])]
        (directory / f"{topic}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MONITOR_STATE_DIR", raising=False)
    write_seeds(tmp_path / "seeds")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[monitor]\nstate_dir = "{tmp_path / "state"}"\n'
                   f'[classifier]\ntraining_dir = "{tmp_path / "seeds"}"\n', encoding="utf-8")
    config = load_config(cfg)
    ruleset = load_rules(ROOT / "rules")
    store = Store(config.db_path)
    yield config, ruleset, store
    store.close()


def trained(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for r in caplog.records if r.getMessage().startswith("trained models"))


def test_trains_once_then_reuses_the_stored_models(setup, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    config, ruleset, store = setup
    caplog.set_level(logging.INFO, logger="monitor.relevance.training")
    first = ensure_models(config, ruleset, store)
    assert first is not None and set(first.topics) == {"dprk-russia", "arms-transfers"}
    assert (config.state_dir / "models").is_dir()
    second = ensure_models(config, ruleset, store)
    assert second is not None and second.fingerprint == first.fingerprint
    assert trained(caplog) == 1


def test_new_labels_retrain_and_a_rejected_retrain_is_not_retried(setup, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    config, ruleset, store = setup
    caplog.set_level(logging.INFO, logger="monitor.relevance.training")
    first = ensure_models(config, ruleset, store)
    assert first is not None
    now = datetime.now(UTC)
    art = Article(id="a1", feed="f", url="https://example.org/a1", guid="a1",
                  title="Russia receives North Korean rockets via Rajin port", summary="", content="",
                  language="en", published=now, fetched=now, content_hash="h")
    store.save_article(art, DedupDecision("a1", None, "a1", "new"))
    store.set_label("a1", "dprk-russia", True, now)
    second = ensure_models(config, ruleset, store)
    assert second is not None and second.fingerprint != first.fingerprint
    assert trained(caplog) == 2
    assert any("shadow evaluation" in r.getMessage() for r in caplog.records)

    # pretend the shadow run rejected this training set: it must not be retried
    store.set_meta(REJECTED_KEY, "fingerprint-of-a-rejected-set")
    store.set_label("a1", "dprk-russia", False, now)
    from monitor.relevance.classify import fingerprint_training
    from monitor.relevance.training import load_examples

    rejected = fingerprint_training(load_examples(config, ruleset, store))
    store.set_meta(REJECTED_KEY, rejected)
    kept = ensure_models(config, ruleset, store)
    assert kept is not None and kept.fingerprint == second.fingerprint
    assert trained(caplog) == 2


def test_shipped_models_stand_for_unchanged_seeds_only(setup, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """Models trained elsewhere on the seeds plus data not shipped carry the seeds' fingerprint:
    used while the seeds are unchanged, whatever scikit-learn wrote them; ignored once they change."""
    from monitor.relevance.classify import LabeledText, ModelSet, fingerprint_training
    from monitor.relevance.modelfile import HEADER_FILE, save_models
    from monitor.relevance.training import load_examples

    config, ruleset, store = setup
    seeds = load_examples(config, ruleset, None)
    extra = {t: exs + [LabeledText("Unseen extra text about shells for Moscow", "", 1, id=f"x-{t}")]
             for t, exs in seeds.items()}
    shipped = ModelSet.train(extra, fingerprint=fingerprint_training(seeds))
    base = tmp_path / "seeds" / "models"
    save_models(shipped, base)
    header = json.loads((base / HEADER_FILE).read_text(encoding="utf-8"))
    header["sklearn"] = "0.0-other"  # plain arrays: another scikit-learn may load them
    (base / HEADER_FILE).write_text(json.dumps(header), encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        (tmp_path / "config.toml").read_text(encoding="utf-8") + f'base_models = "{base}"\n', encoding="utf-8")
    config = load_config(tmp_path / "config.toml")
    caplog.set_level(logging.INFO, logger="monitor.relevance.training")
    got = ensure_models(config, ruleset, store)
    assert got is not None and trained(caplog) == 0
    assert got.fingerprint == shipped.fingerprint
    assert got.predict_one("Unseen extra text about shells for Moscow", "", "dprk-russia") == pytest.approx(
        shipped.predict_one("Unseen extra text about shells for Moscow", "", "dprk-russia"))
    # Changed seeds: the shipped models no longer stand for them, so the daemon retrains.
    write_seeds(tmp_path / "seeds")
    extra_line = {"id": "new", "title": "Russia sends tanks", "text": "", "language": "en", "label": 1}
    with (tmp_path / "seeds" / "dprk-russia.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(extra_line) + "\n")
    again = ensure_models(config, ruleset, store)
    assert again is not None and trained(caplog) == 1 and again.fingerprint != shipped.fingerprint
