"""Training data and model lifecycle: seeds + analyst labels -> models in the state dir.

Models are retrained when the seeds or labels change (their fingerprint differs from
the stored one) or when the stored file was written by another scikit-learn version.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from monitor.config import Config
from monitor.relevance.classify import LabeledForTopic, LabeledText, ModelSet, compare_models, fingerprint_training
from monitor.relevance.modelfile import load_models, read_training_file, save_models
from monitor.relevance.topics import RuleSet
from monitor.state.store import Store

log = logging.getLogger(__name__)

FEEDBACK_WEIGHT = 2.0  # an analyst's judgment counts more than one seed line
SHADOW_LABELS = 500  # most recent analyst labels the shadow comparison uses
REJECTED_KEY = "models.rejected_fingerprint"


def training_file(config: Config, topic_name: str, training: str | None) -> Path:
    if training:
        return config.resolve_path(training)
    return config.resolve_path(config.model.classifier.training_dir) / f"{topic_name}.jsonl"


def load_examples(config: Config, ruleset: RuleSet, store: Store | None) -> dict[str, list[LabeledText]]:
    """Seeds for every topic whose mode uses a model, plus the analysts' labels."""
    examples: dict[str, list[LabeledText]] = {}
    for topic in ruleset.topics:
        if topic.classifier.mode == "keyword":
            continue
        path = training_file(config, topic.name, topic.classifier.training)
        if not path.is_file():
            log.warning("topic %s: no training data at %s; keyword stage only", topic.name, path)
            continue
        examples[topic.name] = read_training_file(path)
        if store is not None:
            for row in store.labels(topic.name):
                examples[topic.name].append(LabeledText(
                    title=row["title"] or "", text=row["content"] or row["summary"] or "", label=int(row["label"]),
                    language=row["language"] or "", id=f"label:{row['article_id']}", weight=FEEDBACK_WEIGHT))
    return examples


def models_dir(config: Config) -> Path:
    return config.state_dir / "models"


def base_models_dir(config: Config) -> Path:
    return config.resolve_path(config.model.classifier.base_models)


def shipped_models(config: Config, fingerprint: str) -> ModelSet | None:
    """The shipped models, when they stand for exactly these training examples: they were
    trained on the same seeds plus real-text labels whose text is not shipped, and carry
    the fingerprint of the seeds alone. Plain arrays, so any scikit-learn may load them."""
    directory = base_models_dir(config)
    if not directory.is_dir():
        return None
    return load_models(directory, fingerprint, check_versions=False)


def ensure_models(config: Config, ruleset: RuleSet, store: Store | None, *, train: bool = True,
                  force: bool = False) -> ModelSet | None:
    """The models to score with: stored ones while seeds and labels are unchanged, else
    retrained. A retrain caused by new analyst labels runs in shadow first: it replaces
    the current models only if it is not worse on the labels (F1), else the current
    models stay and that training set is not retried until the labels change again."""
    examples = load_examples(config, ruleset, store)
    if not examples:
        return None
    fingerprint = fingerprint_training(examples)
    directory = models_dir(config)
    current = load_models(directory, None)  # any fingerprint; None on version mismatch
    if current is not None and not force:
        if current.fingerprint == fingerprint:
            return current
        if store is not None and store.get_meta(REJECTED_KEY) == fingerprint:
            return current
    if not force:
        shipped = shipped_models(config, fingerprint)
        if shipped is not None:
            log.info("using the shipped models from %s (seeds plus real-text labels)", base_models_dir(config))
            save_models(shipped, directory)
            return shipped
    if not train:
        return current if current is not None and current.fingerprint == fingerprint else None
    started = time.perf_counter()
    models = ModelSet.train(examples, fingerprint)
    log.info("trained models for %s in %.1f s", ", ".join(models.topics) or "no topic", time.perf_counter() - started)
    for topic, why in models.skipped.items():
        log.warning("topic %s: no model (%s)", topic, why)
    if current is not None and store is not None and not force:
        labeled = [LabeledForTopic(r["topic"], r["title"] or "", r["content"] or r["summary"] or "", int(r["label"]))
                   for r in store.labels()[-SHADOW_LABELS:]]
        if labeled:
            thresholds = {t.name: t.classifier.threshold for t in ruleset.topics}
            shadow = compare_models(current, models, labeled, thresholds)
            log.info("shadow evaluation on %d analyst labels: current F1 %s, retrained F1 %.3f",
                     len(labeled), "n/a" if shadow.old_f1 is None else f"{shadow.old_f1:.3f}", shadow.new_f1)
            if not shadow.switch:
                log.warning("retrained models are worse on analyst labels: keeping the current models")
                store.set_meta(REJECTED_KEY, fingerprint)
                return current
    save_models(models, directory)
    return models
