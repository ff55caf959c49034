"""Assemble a runnable system from config and rules (shared by the CLI and the daemon)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from monitor.config import (
    Config,
    channel_url_lines,
    check_topics,
    default_config,
    find_config_path,
    load_config,
    validate,
)
from monitor.errors import ConfigError, MonitorError, Problem, RulesError
from monitor.pipeline import Pipeline, Scorer
from monitor.relevance.rules import load_rules
from monitor.relevance.topics import RuleSet
from monitor.state.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    config: Config
    ruleset: RuleSet
    store: Store
    scorer: Scorer
    pipeline: Pipeline

    def close(self) -> None:
        self.store.close()


def load_checked(config_path: str | None, rules_dir: str | None = None) -> tuple[Config, RuleSet]:
    """Config and rules validated as `monitor check` does (`validate(strict=True)`: schema,
    secrets, feed URLs, channel URLs, rules, routes); raise one ConfigError listing every
    problem of both, each with file and line.

    The daemon's start and its SIGHUP reload come through here, so a reload accepts
    exactly what `monitor check` accepts."""
    result = validate(config_path, rules_dir, strict=True)
    if result.problems or result.config is None or result.ruleset is None:
        raise result.error()
    return result.config, result.ruleset


def load_config_and_rules(config_path: str | None, rules_dir: str | None = None) -> tuple[Config, RuleSet]:
    """Validate both, except the feed URLs; raise one ConfigError listing every problem of either.

    For `monitor once` and library callers: a channel URL apprise cannot load is refused
    the same way as a bad rule file. Problems in the config file stop before the rules
    are read; `load_checked` reports both.
    """
    path = find_config_path(config_path)
    config = load_config(path) if path else default_config()
    problems: list[Problem] = check_channels(config)
    rdir = Path(rules_dir) if rules_dir else config.rules_dir
    try:
        ruleset = load_rules(rdir)
    except RulesError as e:
        summary = f"{len(e.problems)} problem(s) in rules under {rdir}"
        if problems:
            summary = f"{config.source}: invalid configuration; {summary}"
        raise ConfigError([*problems, *e.problems], summary) from None
    problems += check_topics(config, {t.name for t in ruleset.topics})
    if problems:
        raise ConfigError(problems, f"{config.source}: invalid configuration")
    return config, ruleset


def check_channels(config: Config) -> list[Problem]:
    """Channels whose URL apprise cannot load, with file and line."""
    if all(spec.kind == "console" for spec in config.channels.values()):
        return []  # no need to load apprise (a third of a second) for the console
    from monitor.delivery.deliver import validate_channels

    return validate_channels(config.channels.values(), config.source, channel_url_lines(config))


def load_models(config: Config, ruleset: RuleSet, store: Store, *, train: bool = True) -> object | None:
    """The topic models: loaded from the state dir, or retrained when seeds or labels changed."""
    if not config.model.classifier.enabled:
        return None
    try:
        from monitor.relevance.training import ensure_models
    except ImportError:  # classifier stage not installed in this build
        return None
    try:
        return ensure_models(config, ruleset, store, train=train)
    except MonitorError as e:
        log.warning("classifier unavailable, keyword stage only: %s", e)
        return None


def open_runtime(config: Config, ruleset: RuleSet, *, db_path: str | Path | None = None, train: bool = True) -> Runtime:
    store = Store(db_path if db_path is not None else config.db_path)
    models = load_models(config, ruleset, store, train=train)
    scorer = Scorer(ruleset, models)
    return Runtime(config, ruleset, store, scorer, Pipeline(config, scorer, store))
