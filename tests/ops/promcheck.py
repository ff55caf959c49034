"""Checking a Prometheus exposition: prometheus_client's own parser always, promtool when installed.

promtool (Debian package `prometheus`; `.ci/run` installs it when it runs as root) is the
strict checker the operators use. Without it, `parse` still reads the text with
`prometheus_client.parser` and checks the rules promtool would complain about most.
"""

from __future__ import annotations

import math
import shutil
import subprocess

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

PROMTOOL = shutil.which("promtool")
NO_PROMTOOL = (
    "promtool not installed (Debian package `prometheus`; .ci/run installs it when root): "
    "the exposition was checked with prometheus_client's text parser only"
)


class Families(dict):
    """{family name: (type, help, samples)}; counters are named without `_total`."""

    def value(self, sample_name: str, **labels: str) -> float:
        for _, _, samples in self.values():
            for s in samples:
                if s.name == sample_name and s.labels == labels:
                    return s.value
        raise KeyError(f"{sample_name}{labels or ''} not in the exposition")

    def samples(self, family: str) -> list[Sample]:
        return self[family][2]


def parse(text: str) -> Families:
    """Parse with prometheus_client, and check types, names, help and histogram buckets."""
    assert text.endswith("\n")
    out = Families()
    for fam in text_string_to_metric_families(text):
        assert fam.name not in out, f"family {fam.name} declared twice"
        assert fam.type in ("counter", "gauge", "histogram", "summary"), (fam.name, fam.type)
        assert fam.documentation, f"{fam.name} has no HELP"
        for s in fam.samples:
            if fam.type == "counter":
                assert s.name == fam.name + "_total", f"counter sample {s.name} must end in _total"
            if fam.type != "summary":
                assert "quantile" not in s.labels, f"{fam.name} is a {fam.type} with a quantile label"
            if fam.type == "gauge":
                assert s.name == fam.name
        if fam.type == "histogram":
            _check_histogram(fam.name, fam.samples)
        out[fam.name] = (fam.type, fam.documentation, list(fam.samples))
    return out


def _check_histogram(name: str, samples: list[Sample]) -> None:
    buckets = [(float(s.labels["le"]), s.value) for s in samples if s.name == name + "_bucket"]
    assert buckets and buckets[-1][0] == math.inf, f"{name}: no +Inf bucket"
    assert [le for le, _ in buckets] == sorted(le for le, _ in buckets)
    counts = [n for _, n in buckets]
    assert counts == sorted(counts), f"{name}: buckets are not cumulative: {counts}"
    (count,) = [s.value for s in samples if s.name == name + "_count"]
    (total,) = [s.value for s in samples if s.name == name + "_sum"]
    assert counts[-1] == count and total >= 0


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    """`promtool check metrics` on the text (PROMTOOL must be set)."""
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
