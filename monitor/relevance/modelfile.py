"""Model files in the state directory, and reading training files.

A trained `ModelSet` is stored as two files in one directory:

    models.npz    the arrays (idf, weights, intercepts, calibration), no pickle
    models.json   header: format, versions, training fingerprint, topics, and the
                  SHA-256 of models.npz; written last, so a crash between the two
                  writes leaves a header that does not match its data

Both are written to a temporary file and renamed into place. `load_models` returns
None whenever the stored model cannot be trusted to be the one the current code and
data would train (missing or corrupt files, another scikit-learn or feature version,
another fingerprint): the caller retrains; it never fails on a stale file.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from monitor.errors import ModelError
from monitor.relevance.classify import (
    FEATURE_VERSION,
    N_FEATURES,
    LabeledText,
    ModelSet,
    TopicInfo,
    labeled_from_record,
)

__all__ = [
    "DATA_FILE",
    "FILE_FORMAT",
    "HEADER_FILE",
    "load_models",
    "read_header",
    "read_training_file",
    "save_models",
]

log = logging.getLogger(__name__)

FILE_FORMAT = 1
DATA_FILE = "models.npz"
HEADER_FILE = "models.json"


def _versions() -> dict[str, str]:
    import sklearn

    return {"sklearn": sklearn.__version__, "numpy": np.__version__}


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_models(models: ModelSet, directory: str | Path) -> Path:
    """Write the model files into `directory` (created if needed); returns the header path."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        np.savez_compressed(
            buf, idf=models.idf, weights=models.weights, intercepts=models.intercepts,
            platt_a=models.platt_a, platt_b=models.platt_b,
        )
        data = buf.getvalue()
        header = {
            "format": FILE_FORMAT,
            "feature_version": FEATURE_VERSION,
            "n_features": N_FEATURES,
            **_versions(),
            "fingerprint": models.fingerprint,
            "topics": list(models.topics),
            "info": [
                {"topic": i.topic, "positives": i.positives, "negatives": i.negatives,
                 "calibrated": i.calibrated, "languages": list(i.languages)}
                for i in models.info
            ],
            "skipped": dict(models.skipped),
            "data_sha256": hashlib.sha256(data).hexdigest(),
        }
        _atomic_write(directory / DATA_FILE, data)
        _atomic_write(directory / HEADER_FILE,
                      json.dumps(header, indent=2, ensure_ascii=False).encode("utf-8"))
    except OSError as e:
        raise ModelError(f"cannot write model files in {directory}: {e}") from e
    return directory / HEADER_FILE


def read_header(directory: str | Path) -> dict[str, Any] | None:
    """The stored header (for `monitor status`), or None when absent or unreadable."""
    try:
        header = json.loads((Path(directory) / HEADER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def _stale(header: Mapping[str, Any], expected_fingerprint: str | None,
           check_versions: bool = True) -> str | None:
    """Why a stored model must not be used, or None when it may."""
    current = _versions()
    if header.get("format") != FILE_FORMAT:
        return f"file format {header.get('format')!r} != {FILE_FORMAT}"
    if header.get("feature_version") != FEATURE_VERSION or header.get("n_features") != N_FEATURES:
        return "trained with other features"
    if check_versions and header.get("sklearn") != current["sklearn"]:
        return f"trained with scikit-learn {header.get('sklearn')}, running {current['sklearn']}"
    if expected_fingerprint is not None and header.get("fingerprint") != expected_fingerprint:
        return "training data or labels changed"
    return None


def load_models(
    directory: str | Path, expected_fingerprint: str | None = None, *, check_versions: bool = True
) -> ModelSet | None:
    """The stored models, or None when they are missing, corrupt or stale (the caller
    retrains). `expected_fingerprint=None` skips the fingerprint check; `check_versions=False`
    accepts a model another scikit-learn trained (the files are plain arrays: shipped models)."""
    directory = Path(directory)
    header = read_header(directory)
    if header is None:
        if (directory / HEADER_FILE).exists():
            log.warning("model header %s unreadable: retraining", directory / HEADER_FILE)
        return None
    why = _stale(header, expected_fingerprint, check_versions)
    if why:
        log.info("stored models in %s not used: %s", directory, why)
        return None
    try:
        models = _read_arrays(directory, header)
    except (OSError, ValueError, KeyError, TypeError, ModelError) as e:
        log.warning("model files in %s unusable (%s): retraining", directory, e)
        return None
    return models


def _read_arrays(directory: Path, header: Mapping[str, Any]) -> ModelSet:
    data = (directory / DATA_FILE).read_bytes()
    if hashlib.sha256(data).hexdigest() != header.get("data_sha256"):
        raise ModelError("data file does not match its header")
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        arrays = {k: z[k] for k in ("idf", "weights", "intercepts", "platt_a", "platt_b")}
    topics = tuple(str(t) for t in header["topics"])
    n = len(topics)
    expected_shapes = {
        "idf": (N_FEATURES,), "weights": (n, N_FEATURES), "intercepts": (n,),
        "platt_a": (n,), "platt_b": (n,),
    }
    for name, shape in expected_shapes.items():
        if arrays[name].shape != shape:
            raise ModelError(f"{name} has shape {arrays[name].shape}, expected {shape}")
    info = tuple(
        TopicInfo(topic=str(i["topic"]), positives=int(i["positives"]),
                  negatives=int(i["negatives"]), calibrated=bool(i["calibrated"]),
                  languages=tuple(str(x) for x in i.get("languages", ())))
        for i in header.get("info", [])
    )
    return ModelSet(
        topics=topics,
        idf=arrays["idf"].astype(np.float32),
        weights=arrays["weights"].astype(np.float32),
        intercepts=arrays["intercepts"].astype(np.float64),
        platt_a=arrays["platt_a"].astype(np.float64),
        platt_b=arrays["platt_b"].astype(np.float64),
        info=info,
        fingerprint=str(header["fingerprint"]),
        skipped={str(k): str(v) for k, v in dict(header.get("skipped", {})).items()},
    )


def read_training_file(path: str | Path) -> list[LabeledText]:
    """Labeled examples from a seed file (`seeds/training/<topic>.jsonl`): one JSON
    object per line with title, text, language and label 0|1. Blank lines are skipped;
    any bad line raises ModelError naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ModelError(f"cannot read training file {path}: {e}") from e
    out: list[LabeledText] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as e:
            problems.append(f"{path}:{number}: invalid JSON: {e}")
            continue
        if not isinstance(record, dict):
            problems.append(f"{path}:{number}: not a JSON object")
            continue
        try:
            out.append(labeled_from_record(record))
        except (ValueError, TypeError, ModelError) as e:
            problems.append(f"{path}:{number}: {e}")
    if problems:
        raise ModelError("bad training data:\n  " + "\n  ".join(problems))
    return out
