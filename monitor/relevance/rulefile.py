"""Rule files as documents that know where every value sits (file, line, column).

YAML through PyYAML's node tree, TOML through tomllib plus a scan for key lines; both give
the validator `at(path)`, `key_at(path)` and `query_position(path, error)` for its problems.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml

from monitor.errors import Problem
from monitor.relevance.query import QuerySyntaxError

__all__ = ["Doc", "Path_", "load_doc"]

Path_ = tuple[Any, ...]


class Doc:
    """Parsed data plus a way to find the (line, column) of any key path."""

    def __init__(self, file: str, text: str, data: Any) -> None:
        self.file = file
        self.text = text
        self.data = data
        self.lines = text.splitlines()

    def at(self, path: Path_) -> tuple[int, int]:  # pragma: no cover - overridden
        return (0, 0)

    def key_at(self, path: Path_) -> tuple[int, int]:
        return self.at(path)

    def query_position(self, path: Path_, err: QuerySyntaxError | int) -> tuple[int, int]:
        return self.at(path)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        line, col = self.key_at(path) if key else self.at(path)
        return Problem(self.file, message, line, col, _dotted(path))


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out


class YamlDoc(Doc):
    def __init__(self, file: str, text: str) -> None:
        super().__init__(file, text, None)
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.keymarks: dict[Path_, tuple[int, int]] = {}
        self.nodes: dict[Path_, yaml.Node] = {}

    def at(self, path: Path_) -> tuple[int, int]:
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))

    def key_at(self, path: Path_) -> tuple[int, int]:
        return self.keymarks.get(path) or self.at(path)

    def query_position(self, path: Path_, err: QuerySyntaxError | int) -> tuple[int, int]:
        node = self.nodes.get(path)
        if not isinstance(node, yaml.ScalarNode):
            return self.at(path)
        qline, qcol, offset = _err_coords(node.value, err)
        first = node.start_mark.line  # 0-based
        if node.style in ("|", ">"):
            # YAML takes the block's indentation from its first non-blank line.
            body = self.lines[first + 1 : node.end_mark.line + 1]
            indents = [len(ln) - len(ln.lstrip(" ")) for ln in body if ln.strip()]
            indent = indents[0] if indents else 0
            if node.style == "|":
                return first + 1 + qline, indent + qcol
            segs = [(first + 2 + i, indent + 1, ln[indent:]) for i, ln in enumerate(body)]
        else:
            quote = 1 if node.style in ("'", '"') else 0
            end = min(node.end_mark.line, len(self.lines) - 1)
            segs = [(first + 1, node.start_mark.column + 1 + quote,
                     self.lines[first][node.start_mark.column + quote :])]
            for i in range(first + 1, end + 1):
                raw = self.lines[i]
                stripped = raw.lstrip()
                segs.append((i + 1, len(raw) - len(stripped) + 1, stripped))
        return _walk(segs, offset)


def _err_coords(source: str, err: QuerySyntaxError | int) -> tuple[int, int, int]:
    if isinstance(err, QuerySyntaxError):
        return err.line, err.column, err.offset
    tmp = QuerySyntaxError("", source, err)
    return tmp.line, tmp.column, tmp.offset


def _walk(segs: list[tuple[int, int, str]], offset: int) -> tuple[int, int]:
    """Map an offset in folded text (segments joined by one char) to (line, col)."""
    for line, col, text in segs:
        if offset <= len(text):
            return line, col + offset
        offset -= len(text) + 1
    line, col, text = segs[-1]
    return line, col + len(text)


def _load_yaml(file: str, text: str, problems: list[Problem]) -> Doc | None:
    doc = YamlDoc(file, text)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.append(Problem(file, "empty file", 1, 1))
            return None
        doc.data = _convert(node, (), doc, loader, problems)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problems.append(Problem(file, f"YAML syntax: {e.problem or e}", line, col))
        return None
    except yaml.YAMLError as e:
        problems.append(Problem(file, f"YAML: {e}"))
        return None
    finally:
        loader.dispose()
    return doc


def _convert(node: yaml.Node, path: Path_, doc: YamlDoc, loader: yaml.SafeLoader,
             problems: list[Problem]) -> Any:
    doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    doc.nodes[path] = node
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        first_seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            kl, kc = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(doc.file, "mapping keys must be plain strings", kl, kc,
                                        _dotted(path)))
                continue
            # The raw text, so `no:` (Norwegian) stays a string instead of YAML 1.1 False.
            key = key_node.value
            if key in first_seen:
                problems.append(Problem(
                    doc.file, f"duplicate key {key!r} (first defined at line {first_seen[key]})",
                    kl, kc, _dotted(path + (key,))))
                continue
            first_seen[key] = kl
            doc.keymarks[path + (key,)] = (kl, kc)
            out[key] = _convert(value_node, path + (key,), doc, loader, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), doc, loader, problems)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


class TomlDoc(Doc):
    _HEADER_AOT = re.compile(r"\[\[\s*(.+?)\s*\]\]")
    _HEADER = re.compile(r"\[\s*(.+?)\s*\]")
    _KEY = re.compile(r"""((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")

    def __init__(self, file: str, text: str, data: Any) -> None:
        super().__init__(file, text, data)
        self.index: dict[Path_, tuple[int, int]] = {}
        prefix: Path_ = ()
        counters: dict[Path_, int] = {}
        in_multiline: str | None = None
        for ln, raw in enumerate(self.lines, 1):
            if in_multiline:
                if in_multiline in raw:
                    in_multiline = None
                continue
            s = raw.strip()
            col = len(raw) - len(raw.lstrip()) + 1
            if not s or s.startswith("#"):
                continue
            m = self._HEADER_AOT.match(s)
            if m:
                path = _split_key(m.group(1))
                counters[path] = counters.get(path, -1) + 1
                prefix = path + (counters[path],)
                self.index.setdefault(prefix, (ln, col))
                continue
            m = self._HEADER.match(s)
            if m and not s.startswith("[["):
                prefix = _split_key(m.group(1))
                self.index.setdefault(prefix, (ln, col))
                continue
            m = self._KEY.match(s)
            if m:
                self.index.setdefault(prefix + _split_key(m.group(1)), (ln, col))
                rest = s[m.end():].strip()
                for delim in ('"""', "'''"):
                    if rest.startswith(delim) and rest.count(delim) == 1:
                        in_multiline = delim

    def at(self, path: Path_) -> tuple[int, int]:
        while path and path not in self.index:
            path = path[:-1]
        return self.index.get(path, (1, 1))

    def query_position(self, path: Path_, err: QuerySyntaxError | int) -> tuple[int, int]:
        if path not in self.index:
            return self.at(path)
        value = self.data
        for p in path:
            value = value[p]
        qline, qcol, _ = _err_coords(str(value), err)
        line, _ = self.index[path]
        raw = self.lines[line - 1]
        eq = raw.index("=")
        after = raw[eq + 1 :]
        start_col = eq + 2 + (len(after) - len(after.lstrip()))
        rest = after.lstrip()
        if rest[:3] in ('"""', "'''"):
            if not rest[3:].strip():
                return line + qline, qcol
            start_col += 3
        elif rest[:1] in ('"', "'"):
            start_col += 1
        return line + qline - 1, (start_col + qcol - 1) if qline == 1 else qcol


def _split_key(key: str) -> Path_:
    parts = re.findall(r""""([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+)""", key)
    return tuple(a or b or c for a, b, c in parts)


def _load_toml(file: str, text: str, problems: list[Problem]) -> Doc | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        if m is None:
            m2 = re.search(r"\(at end of document\)", msg)
            if m2:
                line = len(text.splitlines()) or 1
        problems.append(Problem(file, f"TOML syntax: {msg}", line, col))
        return None
    return TomlDoc(file, text, data)


def load_doc(file: str, text: str, problems: list[Problem]) -> Doc | None:
    if file.endswith(".toml"):
        doc = _load_toml(file, text, problems)
    else:
        doc = _load_yaml(file, text, problems)
    if doc is not None and not isinstance(doc.data, dict):
        problems.append(Problem(file, "the file must hold a mapping of keys", 1, 1))
        return None
    return doc
