"""One exception tree for the whole project.

    MonitorError
    ├── ConfigError        config file invalid (carries every Problem found)
    ├── RulesError         rule / lexicon files invalid (carries every Problem found)
    ├── FetchError         a feed or page could not be fetched (names the URL)
    ├── ParseError         a fetched body could not be parsed as a feed (names the feed)
    ├── StoreError         the SQLite state could not be read or written
    ├── ModelError         a classifier could not be trained or loaded
    └── DeliveryError      a channel refused or failed a send (secrets redacted)

Expected per-feed and per-alert errors are recorded and the run goes on; anything
outside this tree is a bug and is logged loudly and re-raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in a file (line/column are 1-based, 0 = unknown)."""

    file: str
    message: str
    line: int = 0
    column: int = 0
    path: str = ""  # dotted key path inside the document, e.g. "feeds[2].interval"

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class MonitorError(Exception):
    """Base of every error this project raises on purpose."""


class _ProblemsError(MonitorError):
    def __init__(self, problems: list[Problem] | tuple[Problem, ...], summary: str = "") -> None:
        self.problems = tuple(problems)
        head = self.summary = summary or f"{len(self.problems)} problem(s)"
        super().__init__(head + "".join(f"\n  {p}" for p in self.problems))


class ConfigError(_ProblemsError):
    """The configuration is invalid; `.problems` lists every problem with file and line."""


class RulesError(_ProblemsError):
    """Rule or lexicon files are invalid; `.problems` lists every problem with file and line."""


class FetchError(MonitorError):
    def __init__(self, url: str, message: str, *, retry_after: float | None = None) -> None:
        self.url = url
        self.retry_after = retry_after
        super().__init__(f"{url}: {message}")


class ParseError(MonitorError):
    def __init__(self, feed: str, message: str) -> None:
        self.feed = feed
        super().__init__(f"{feed}: {message}")


class StoreError(MonitorError):
    pass


class ModelError(MonitorError):
    pass


class DeliveryError(MonitorError):
    def __init__(self, channel: str, message: str, *, retry_after: float | None = None) -> None:
        self.channel = channel
        self.retry_after = retry_after
        super().__init__(f"channel {channel}: {message}")
