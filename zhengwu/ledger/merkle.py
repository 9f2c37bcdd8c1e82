"""The Merkle tree of a transparency log as RFC 9162 (Certificate Transparency 2.0) §2.1 defines
it, with SM3 (GB/T 32905-2016) as the hash (issue 15 §2). Pure: no Django, no database.

- leaf hash = SM3(0x00 ‖ entry), node hash = SM3(0x01 ‖ left ‖ right), the empty tree's root
  SM3("") (§2.1.1);
- MTH(D[n]) splits at k, the largest power of two smaller than n (§2.1.1), so every subtree
  the proofs name is made of *perfect* subtrees aligned on their size: the hash of leaves
  [i·2^l, (i+1)·2^l) is the node (l, i). A log stores those nodes as they complete (at most
  2n − 1 of them) and answers any root or proof from O(log n) of them (`*_keys` say which,
  so a database fetches them in one query);
- inclusion proofs PATH(m, D[n]) (§2.1.3.1) and consistency proofs PROOF(m, D[n])
  (§2.1.4.1), and their verification exactly as §2.1.3.2 and §2.1.4.2 state it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

Key = tuple[int, int]  # (level, index): the perfect subtree of leaves [index·2^level, …)
Range = tuple[int, int]  # leaves [start, end)

__all__ = ["EMPTY_ROOT", "MerkleLog", "consistency_keys", "consistency_proof", "inclusion_keys",
           "inclusion_proof", "leaf_hash", "node_hash", "root", "root_keys", "sm3",
           "verify_consistency", "verify_inclusion"]


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


EMPTY_ROOT = sm3(b"")


def leaf_hash(entry: bytes) -> bytes:
    return sm3(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sm3(b"\x01" + left + right)


def _split(n: int) -> int:
    """k: the largest power of two smaller than n (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _pieces(start: int, end: int) -> list[Key]:
    """The aligned perfect subtrees [start, end) is made of, largest first, as MTH splits it."""
    keys: list[Key] = []
    while start < end:
        size = 1 << ((end - start).bit_length() - 1)
        while start % size:  # never for the ranges MTH and the proofs name
            size >>= 1
        keys.append((size.bit_length() - 1, start // size))
        start += size
    return keys


def _range_hash(start: int, end: int, nodes: Mapping[Key, bytes]) -> bytes:
    if start == end:
        return EMPTY_ROOT
    pieces = [nodes[key] for key in _pieces(start, end)]
    value = pieces[-1]
    for piece in reversed(pieces[:-1]):
        value = node_hash(piece, value)
    return value


def _path(m: int, start: int, end: int) -> list[Range]:
    """PATH(m, D[start:end]) as the ranges whose MTH it lists, in order (§2.1.3.1)."""
    ranges: list[Range] = []
    while end - start > 1:
        k = _split(end - start)
        if m < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def _subproof(m: int, start: int, end: int) -> list[Range]:
    """PROOF(m, D[start:end]) = SUBPROOF(m, D[n], true) as ranges, in order (§2.1.4.1)."""
    ranges: list[Range] = []
    complete = True
    while m != end:
        k = _split(end - start)
        if m <= start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            complete = False
    if not complete:
        ranges.append((start, end))
    return ranges[::-1]


def _keys(ranges: Iterable[Range]) -> set[Key]:
    return {key for start, end in ranges for key in _pieces(start, end)}


def root_keys(size: int) -> set[Key]:
    return _keys([(0, size)])


def inclusion_keys(index: int, size: int) -> set[Key]:
    return _keys(_path(index, 0, size))


def consistency_keys(first: int, second: int) -> set[Key]:
    if not 0 < first < second:
        return set()
    return _keys(_subproof(first, 0, second))


def root(size: int, nodes: Mapping[Key, bytes]) -> bytes:
    """MTH of the first `size` leaves (§2.1.1)."""
    return _range_hash(0, size, nodes)


def inclusion_proof(index: int, size: int, nodes: Mapping[Key, bytes]) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `size` leaves (§2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    return [_range_hash(start, end, nodes) for start, end in _path(index, 0, size)]


def consistency_proof(first: int, second: int, nodes: Mapping[Key, bytes]) -> list[bytes]:
    """PROOF(first, D[second]) (§2.1.4.1); empty when first is 0 or equals second."""
    if not 0 <= first <= second:
        raise ValueError("first must be between 0 and second")
    if first in (0, second):
        return []
    return [_range_hash(start, end, nodes) for start, end in _subproof(first, 0, second)]


# --- verification, as §2.1.3.2 and §2.1.4.2 state it ---------------------------------------


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes],
                     root_hash: bytes) -> bool:
    """Whether `path` proves the leaf hash `leaf` at `index` in the tree `root_hash` of
    `size` leaves (§2.1.3.2)."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root_hash


def verify_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes,
                       path: Sequence[bytes]) -> bool:
    """Whether `path` proves the tree (`second`, `second_hash`) extends (`first`,
    `first_hash`) (§2.1.4.2; equal sizes need equal roots and an empty proof, an empty first
    tree an empty proof)."""
    if first < 0 or first > second:
        return False
    if first == second:
        return not path and first_hash == second_hash
    if first == 0:
        return not path
    if not path:
        return False
    nodes = list(path)
    if first & (first - 1) == 0:
        nodes.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


# --- a log held in memory (tests, benchmarks, `zhengwu ledger verify`) ---------------------


def new_nodes(index: int, leaf: bytes, sibling: Callable[[Key], bytes]) -> list[tuple[Key, bytes]]:
    """The nodes that appending leaf `index` (hash `leaf`) completes: the leaf itself, then
    each parent whose left half was waiting — `sibling(key)` gives that left half's hash."""
    made = [((0, index), leaf)]
    level, at, value = 0, index, leaf
    while at & 1:
        value = node_hash(sibling((level, at - 1)), value)
        level, at = level + 1, at >> 1
        made.append(((level, at), value))
    return made


def siblings_needed(index: int) -> list[Key]:
    """The left halves appending leaf `index` combines with (new_nodes' `sibling` calls)."""
    keys, level, at = [], 0, index
    while at & 1:
        keys.append((level, at - 1))
        level, at = level + 1, at >> 1
    return keys


class MerkleLog:
    """Every perfect node of a log in memory: append, roots and proofs of any size so far."""

    def __init__(self) -> None:
        self.nodes: dict[Key, bytes] = {}
        self.size = 0

    def append(self, entry: bytes) -> int:
        index = self.size
        for key, value in new_nodes(index, leaf_hash(entry), self.nodes.__getitem__):
            self.nodes[key] = value
        self.size += 1
        return index

    def root(self, size: int | None = None) -> bytes:
        return root(self.size if size is None else size, self.nodes)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.nodes)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, self.size if second is None else second, self.nodes)
