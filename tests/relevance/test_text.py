"""monitor.relevance.text: normalisation, offsets map, hashing, scripts, sentences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.relevance.text import (
    content_hash,
    is_cjk,
    is_word_char,
    normalize,
    normalize_with_map,
    scan_form,
    sentences,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kim Jong-un", "kim jong un"),
        ("Kim Jong Un", "kim jong un"),
        ("Kim Jong\u2011un", "kim jong un"),  # non-breaking hyphen
        ("Kim Jong\u2013un", "kim jong un"),  # en dash
        ("Kim\u00a0Jong—un", "kim jong un"),  # nbsp + em dash
        ("ＫＩＭ　ＪＯＮＧ－ＵＮ", "kim jong un"),  # full width (NFKC)
        ("North\u200bKorea", "northkorea"),  # zero-width space removed
        ("sen\u00adjata", "senjata"),  # soft hyphen removed
        ("Kim\u200d Jong\ufeff", "kim jong"),
        ("people\u2019s  republic", "people's republic"),
        ("Straße", "strasse"),  # casefold
        ("Объём поставок", "объем поставок"),  # ё -> е
        ("  a \t b  ", "a b"),
        ("line one\r\n\r\n  line two\n", "line one\nline two"),
        ("a\x00b\x07c", "a b c"),
        ("", ""),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Corée du Nord", "coree du nord"),
        ("Pjöngjang", "pjongjang"),
        ("Ελλάδα", "ελλαδα"),
        ("مُحَمَّد", "محمد"),
        ("йод и ёж", "йод и еж"),  # й is a letter of its own, kept
        ("ガ が", "ガ が"),  # kana voicing marks are kept
    ],
)
def test_fold_accents(raw: str, expected: str) -> None:
    assert normalize(raw, fold_accents=True) == expected


def test_kim_jong_un_variants_are_equal() -> None:
    variants = ["Kim Jong-un", "Kim Jong Un", "Kim Jong\u2011un", "KIM  JONG–UN", "kim jong‐un"]
    assert len({normalize(v) for v in variants}) == 1


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60
) | st.sampled_from(
    ["Kim Jong-un", "Corée\u0301 e\u0301", "북한과 러시아", "𠀋😀 x", "a\u200b\u0301b", "ΐ Ϊ́", "İstanbul"]
)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.booleans())
def test_normalize_is_idempotent(s: str, fold: bool) -> None:
    once = normalize(s, fold_accents=fold)
    assert normalize(once, fold_accents=fold) == once


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_scan_form_keeps_length(s: str) -> None:
    norm = normalize(s)
    assert len(scan_form(norm)) == len(norm)


@pytest.mark.parametrize(
    "raw",
    ["Kim Jong-un meets Putin", "  Ｐｙｏｎｇｙａｎｇ — «КНДР»\n\nnext", "북한과\u200b러시아", "x 𠀋 😀 y"],
)
def test_normalize_with_map_agrees_and_maps_back(raw: str) -> None:
    norm, offsets = normalize_with_map(raw)
    assert norm == normalize(raw)
    assert len(offsets) == len(norm) + 1
    assert offsets == sorted(offsets)
    for i, ch in enumerate(norm):
        if ch.isalpha() and raw[offsets[i]].isascii():
            assert raw[offsets[i]].lower() == ch


def test_normalize_with_map_finds_original_span() -> None:
    raw = "Rencana Pertemuan Kim Jong-un–Putin"
    norm, offsets = normalize_with_map(raw)
    start = norm.index("kim jong un")
    end = start + len("kim jong un")
    assert raw[offsets[start] : offsets[end - 1] + 1] == "Kim Jong-un"


def test_content_hash_ignores_cosmetic_differences() -> None:
    a = content_hash("Kim Jong-un", "Meets  Putin.")
    assert a == content_hash("KIM JONG‑UN", "meets putin.")
    assert a != content_hash("Kim Jong-un", "Meets Biden.")
    assert len(a) == 40 and int(a, 16) >= 0


@pytest.mark.parametrize(
    ("term", "expected"),
    [("朝鲜", True), ("ロシア", True), ("북한", True), ("𠀋", True), ("russia", False),
     ("россия", False), ("روسيا", False), ("", False)],
)
def test_is_cjk(term: str, expected: bool) -> None:
    assert is_cjk(term) is expected


def test_word_chars() -> None:
    assert is_word_char("a") and is_word_char("й") and is_word_char("7")
    assert not is_word_char(" ") and not is_word_char("-") and not is_word_char("北")
    assert is_word_char("\u0301")  # a combining mark continues a word


def test_sentences() -> None:
    text = "Kim met Putin. They talked! Arms? 北朝鮮。ロシア\nnext line 3.5 km"
    spans = [text[a:b].strip() for a, b in sentences(text)]
    assert spans == ["Kim met Putin.", "They talked!", "Arms?", "北朝鮮。", "ロシア", "next line 3.5 km"]


_DISPLAY_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ -—‑'’\n\t\u200b.,éЁё북한朝鲜😀𠀋") + ["\u00a0"]), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_DISPLAY_TEXT)
def test_normalize_with_map_property(s: str) -> None:
    norm, offsets = normalize_with_map(s)
    assert norm == normalize(s)
    assert len(offsets) == len(norm) + 1 and offsets == sorted(offsets)
    assert all(0 <= o <= len(s) for o in offsets)
