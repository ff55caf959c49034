"""Vectorised text signatures: token hashing, shingles, MinHash, LSH band keys.

Pure and deterministic across processes (no use of Python's salted `hash`). Everything after
normalisation runs in numpy on the whole text at once; there is no per-word Python loop.

- Text is NFKC-normalised and case-folded, then read as an array of code points.
- Tokens are runs of letters/digits; each Chinese/Japanese ideograph or kana is a token of
  its own (those scripts have no spaces), so CJK text gets character shingles and other
  scripts word shingles. Punctuation and spacing never matter.
- A token's hash is a polynomial hash mod 2**64 computed for all tokens at once from prefix
  sums; `shingle_size` consecutive token hashes combine into one shingle hash.
- `MinHasher.sign_many` signs many texts with the same results as `sign`, in one set of
  numpy calls per chunk of ~32k characters (texts joined by a non-word separator) instead
  of ~25 calls per text.
- The signature is one-permutation MinHash (one hash, `num_perm` bins, empty bins filled by
  rotation from the next non-empty bin): O(shingles) instead of O(shingles * num_perm).
  The share of equal positions of two signatures estimates the Jaccard similarity of their
  shingle sets.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_CHARS = 50_000  # longer texts are signed on their first MAX_CHARS characters
# `sign_many` works on chunks of about this many characters: arrays that stay in the CPU
# cache and in reused memory cost less than one big pass over a whole batch (measured:
# 32k-character chunks are ~1.5x faster than 2M-character ones).
BATCH_CHARS = 32_768

_U64 = np.uint64
_BASE = 0x100000001B3  # odd, so invertible mod 2**64


def _powers(base: int, count: int) -> np.ndarray:
    out = np.empty(count, dtype=_U64)
    out[0] = 1
    out[1:] = base
    return np.cumprod(out, dtype=_U64)  # wraps mod 2**64 by design


_TABLE = max(MAX_CHARS, BATCH_CHARS) + 2  # one text of MAX_CHARS plus its separator
_POW = _powers(_BASE, _TABLE)
_INV_POW = _powers(pow(_BASE, -1, 2**64), _TABLE)


def _char_table(predicate) -> np.ndarray:
    # Code points above the BMP are clipped onto U+FFFF by `take(mode="clip")`.
    table = np.fromiter((predicate(i) for i in range(0x10000)), dtype=bool, count=0x10000)
    return table


def _is_cjk_char(cp: int) -> bool:
    return (
        0x3040 <= cp <= 0x30FF  # hiragana, katakana
        or 0x3400 <= cp <= 0x4DBF  # CJK extension A
        or 0x4E00 <= cp <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
    )


_IS_WORD = _char_table(lambda cp: cp == 0xFFFF or chr(cp).isalnum())
_IS_CJK = _char_table(_is_cjk_char)
# Both in one table (bit 0: word character, bit 1: CJK): one lookup pass instead of two.
_CLASS = _IS_WORD.astype(np.uint8) | (_IS_CJK.astype(np.uint8) << 1)


def _classify(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """(word-character mask, CJK mask or None when there is no CJK character)."""
    classes = _CLASS.take(cps, mode="clip")
    if classes.max(initial=0) <= 1:
        return classes.view(bool), None
    return (classes & 1).view(bool), classes > 1

# Fixed odd multipliers: shingle combination and band keys. Changing them changes every
# stored signature, so they are constants, not random at start-up.
_SHINGLE_MULT = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=_U64,
)
_M1 = _U64(0xBF58476D1CE4E5B9)
_M2 = _U64(0x94D049BB133111EB)
_S30, _S27, _S31 = _U64(30), _U64(27), _U64(31)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, element-wise (arrays only: numpy scalars would warn on wrap)."""
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return x ^ (x >> _S31)


@dataclass(frozen=True)
class TextSignature:
    """What dedup keeps of a text: a content fingerprint and a MinHash signature."""

    tokens: int  # number of tokens seen
    fingerprint: bytes  # 16-byte digest of the normalised token sequence
    minhash: np.ndarray | None  # uint32[num_perm]; None when the text has too few shingles
    bands: np.ndarray | None = None  # uint64 LSH key per band, with the minhash


def token_hashes(text: str) -> np.ndarray:
    """uint64 hash of every token of `text` (normalised), in order."""
    norm = unicodedata.normalize("NFKC", text).casefold()
    # surrogatepass: a lone surrogate (broken feed encoding) is a non-word character, not an error.
    cps = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[:MAX_CHARS]
    if cps.size == 0:
        return np.empty(0, dtype=_U64)
    word, cjk = _classify(cps)
    if cjk is not None:
        prev_word = np.concatenate(([False], word[:-1]))
        next_word = np.concatenate((word[1:], [False]))
        prev_cjk = np.concatenate(([False], cjk[:-1]))
        next_cjk = np.concatenate((cjk[1:], [False]))
        starts = np.flatnonzero(word & (~prev_word | cjk | prev_cjk))
        ends = np.flatnonzero(word & (~next_word | cjk | next_cjk)) + 1
    else:
        padded = np.zeros(cps.size + 2, dtype=np.int8)
        padded[1:-1] = word
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        starts, ends = edges[0::2], edges[1::2]
    if starts.size == 0:
        return np.empty(0, dtype=_U64)
    prefix = np.zeros(cps.size + 1, dtype=_U64)
    np.cumsum(cps.astype(_U64) * _POW[: cps.size], out=prefix[1:])
    # Position-independent polynomial hash of each token: (P[end] - P[start]) / BASE**start.
    return (prefix[ends] - prefix[starts]) * _INV_POW[starts]


def batch_token_hashes(norms: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`token_hashes` of several normalised texts (at most `BATCH_CHARS` characters in all,
    separators included) at once: (hashes, text of each token, offsets), the tokens of text
    i being hashes[offsets[i]:offsets[i + 1]]."""
    # "\x00" after each text: a non-word character, so no token spans two texts.
    cps = np.frombuffer(("\x00".join(norms) + "\x00").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if cps.size > _POW.size - 1:
        raise ValueError("batch too long: split it into chunks of at most BATCH_CHARS characters")
    text_start = np.zeros(len(norms) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, norms), dtype=np.int64, count=len(norms)) + 1, out=text_start[1:])
    word, cjk = _classify(cps)
    prev_word = np.concatenate(([False], word[:-1]))
    next_word = np.concatenate((word[1:], [False]))
    if cjk is not None:
        prev_cjk = np.concatenate(([False], cjk[:-1]))
        next_cjk = np.concatenate((cjk[1:], [False]))
        starts = np.flatnonzero(word & (~prev_word | cjk | prev_cjk))
        ends = np.flatnonzero(word & (~next_word | cjk | next_cjk)) + 1
    else:
        starts = np.flatnonzero(word & ~prev_word)
        ends = np.flatnonzero(word & ~next_word) + 1
    prefix = np.zeros(cps.size + 1, dtype=_U64)
    np.cumsum(cps.astype(_U64) * _POW[: cps.size], out=prefix[1:])
    # The hash is position-independent, so positions in the joined text give the same
    # values as positions in each text alone.
    hashes = (prefix[ends] - prefix[starts]) * _INV_POW[starts]
    token_text = np.searchsorted(text_start, starts, side="right") - 1
    offsets = np.searchsorted(starts, text_start)
    return hashes, token_text, offsets


def _chunks(norms: list[str]) -> list[tuple[int, int]]:
    """[start, stop) ranges of `norms` of at most BATCH_CHARS characters (one text at least)."""
    out, start, used = [], 0, 0
    for i, norm in enumerate(norms):
        size = len(norm) + 1
        if used + size > BATCH_CHARS and i > start:
            out.append((start, i))
            start, used = i, 0
        used += size
    out.append((start, len(norms)))
    return out


def shingle_hashes(tokens: np.ndarray, size: int) -> np.ndarray:
    """Mixed uint64 hash of every run of `size` consecutive tokens (fewer tokens: one run)."""
    n = tokens.size
    if n == 0:
        return np.empty(0, dtype=_U64)
    width = min(size, n)
    count = n - width + 1
    acc = tokens[:count] * _SHINGLE_MULT[0]
    for offset in range(1, width):
        acc = acc + tokens[offset : offset + count] * _SHINGLE_MULT[offset]
    return _mix(acc)


class MinHasher:
    """One-permutation MinHash with rotation densification and banded LSH keys."""

    def __init__(self, num_perm: int = 128, bands: int = 16, shingle_size: int = 3) -> None:
        if num_perm < 8 or num_perm > 1024 or num_perm & (num_perm - 1):
            raise ValueError("num_perm must be a power of two between 8 and 1024")
        if bands < 1 or num_perm % bands:
            raise ValueError("bands must divide num_perm")
        if not 1 <= shingle_size <= len(_SHINGLE_MULT):
            raise ValueError(f"shingle_size must be between 1 and {len(_SHINGLE_MULT)}")
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.shingle_size = shingle_size
        self._bin_shift = _U64(64 - num_perm.bit_length() + 1)
        self._bins = np.arange(num_perm, dtype=np.int64)
        self._empty = np.full(num_perm, np.iinfo(np.uint64).max, dtype=_U64)
        low_bits = 64 - (num_perm.bit_length() - 1)
        self._value_shift = _U64(max(low_bits - 32, 0))
        self._value_mask = _U64((1 << low_bits) - 1)
        self._rotation = _U64(0x9E3779B1)
        self._row_mult = _SHINGLE_MULT[: self.rows] if self.rows <= 8 else _powers(0x9E3779B97F4A7C15, self.rows)
        self._band_salt = _mix(np.arange(1, bands + 1, dtype=_U64))

    def sign(self, text: str, min_shingles: int = 5) -> TextSignature:
        tokens = token_hashes(text)
        digest = hashlib.blake2b(tokens.tobytes(), digest_size=16).digest()
        shingles = shingle_hashes(tokens, self.shingle_size)
        if shingles.size < max(min_shingles, 1):
            return TextSignature(int(tokens.size), digest, None)
        minhash = self.minhash(shingles)
        return TextSignature(int(tokens.size), digest, minhash, self.band_keys(minhash))

    def sign_many(self, texts: Sequence[str], min_shingles: int = 5) -> list[TextSignature]:
        """`sign` for each of `texts` (same results), a few numpy calls per chunk of texts."""
        norms = [unicodedata.normalize("NFKC", text).casefold()[:MAX_CHARS] for text in texts]
        out: list[TextSignature] = []
        if norms:
            for start, stop in _chunks(norms):
                out.extend(self._sign_chunk(norms[start:stop], max(min_shingles, 1)))
        return out

    def _sign_chunk(self, norms: list[str], min_shingles: int) -> list[TextSignature]:
        tokens, token_text, offsets = batch_token_hashes(norms)
        count = len(norms)
        shingles, shingle_text = self._batch_shingles(tokens, token_text, offsets)
        signed = np.bincount(shingle_text, minlength=count) >= min_shingles
        minhashes = bands = None
        if signed.any():
            minhashes = self._batch_minhash(shingles, shingle_text, count)
            bands = self._batch_band_keys(minhashes)
        bounds = offsets.tolist()
        out = []
        for i, is_signed in enumerate(signed.tolist()):
            text_tokens = tokens[bounds[i] : bounds[i + 1]]
            digest = hashlib.blake2b(text_tokens.tobytes(), digest_size=16).digest()
            if is_signed and minhashes is not None and bands is not None:
                out.append(TextSignature(int(text_tokens.size), digest, minhashes[i], bands[i]))
            else:
                out.append(TextSignature(int(text_tokens.size), digest, None))
        return out

    def _batch_shingles(
        self, tokens: np.ndarray, token_text: np.ndarray, offsets: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Shingle hashes of all texts and the text each belongs to (a window that spans two
        texts is dropped; a text with fewer tokens than a shingle gets one short shingle)."""
        size = self.shingle_size
        parts, owners = [], []
        if tokens.size >= size:
            count = tokens.size - size + 1
            acc = tokens[:count] * _SHINGLE_MULT[0]
            for offset in range(1, size):
                acc = acc + tokens[offset : offset + count] * _SHINGLE_MULT[offset]
            inside = token_text[:count] == token_text[size - 1 :]
            parts.append(_mix(acc[inside]))
            owners.append(token_text[:count][inside])
        lengths = np.diff(offsets)
        for i in np.flatnonzero((lengths > 0) & (lengths < size)).tolist():  # rare: very short texts
            parts.append(shingle_hashes(tokens[offsets[i] : offsets[i + 1]], size))
            owners.append(np.array([i], dtype=np.int64))
        if not parts:
            return np.empty(0, dtype=_U64), np.empty(0, dtype=np.int64)
        return np.concatenate(parts), np.concatenate(owners)

    def _batch_minhash(self, shingles: np.ndarray, shingle_text: np.ndarray, count: int) -> np.ndarray:
        """uint32[count, num_perm] signatures (rows of texts without shingles are meaningless)."""
        num_perm = self.num_perm
        mins = np.full(count * num_perm, np.iinfo(np.uint64).max, dtype=_U64)
        cells = shingle_text * num_perm + (shingles >> self._bin_shift).astype(np.int64)
        np.minimum.at(mins, cells, shingles)
        mins = mins.reshape(count, num_perm)
        values = (mins & self._value_mask) >> self._value_shift
        empty = mins == self._empty
        rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
        if rows.size:
            # Densify as `minhash` does: the next non-empty bin, circularly, found with a
            # running minimum over each row laid out twice (index j and j + num_perm).
            bins = self._bins
            filled_at = np.where(empty[rows], 3 * num_perm, bins)
            doubled = np.concatenate((filled_at, filled_at + num_perm), axis=1)
            doubled[doubled >= 3 * num_perm] = 3 * num_perm
            nearest = np.minimum.accumulate(doubled[:, ::-1], axis=1)[:, ::-1][:, :num_perm]
            source = nearest % num_perm
            distance = (nearest - bins).astype(_U64)
            values[rows] = np.take_along_axis(values[rows], source, axis=1) + distance * self._rotation
        return (values & _U64(0xFFFFFFFF)).astype(np.uint32)

    def _batch_band_keys(self, minhashes: np.ndarray) -> np.ndarray:
        rows = minhashes.astype(_U64).reshape(minhashes.shape[0], self.bands, self.rows)
        return _mix((rows * self._row_mult).sum(axis=2, dtype=_U64) + self._band_salt)

    def minhash(self, shingles: np.ndarray) -> np.ndarray:
        """uint32[num_perm] signature of a non-empty array of shingle hashes."""
        # Bin = top bits of the shingle hash; within a bin the smallest hash is the minimum.
        mins = self._empty.copy()
        np.minimum.at(mins, (shingles >> self._bin_shift).astype(np.intp), shingles)
        values = (mins & self._value_mask) >> self._value_shift
        empty = mins == self._empty
        if not empty.any():
            return values.astype(np.uint32)
        # Densify: an empty bin takes the next non-empty bin's value (circularly), shifted by
        # the distance so that two documents agree on it only when they agree on the source.
        filled = np.flatnonzero(~empty)
        source = filled[np.searchsorted(filled, self._bins) % filled.size]
        distance = ((source - self._bins) % self.num_perm).astype(_U64)
        out = values[source] + distance * self._rotation
        return (out & _U64(0xFFFFFFFF)).astype(np.uint32)

    def band_keys(self, minhash: np.ndarray) -> np.ndarray:
        """One uint64 LSH key per band (band number mixed in, so one table serves all)."""
        rows = minhash.astype(_U64).reshape(self.bands, self.rows)
        return _mix((rows * self._row_mult).sum(axis=1, dtype=_U64) + self._band_salt)
