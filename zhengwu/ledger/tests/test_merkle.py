"""ledger.merkle against RFC 9162 §2.1 written out as its recursive definitions (MTH, PATH,
SUBPROOF) for every tree size up to 70 and every index and earlier size in it; and the two
verification algorithms refusing what they must."""

from __future__ import annotations

from zhengwu.ledger import merkle as m


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return m.sm3(b"")
    if len(d) == 1:
        return m.sm3(b"\x00" + d[0])
    k = _split(len(d))
    return m.sm3(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(i: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _split(len(d))
    return [*path(i, d[:k]), mth(d[k:])] if i < k else [*path(i - k, d[k:]), mth(d[:k])]


def subproof(i: int, d: list[bytes], b: bool) -> list[bytes]:
    if i == len(d):
        return [] if b else [mth(d)]
    k = _split(len(d))
    if i <= k:
        return [*subproof(i, d[:k], b), mth(d[k:])]
    return [*subproof(i - k, d[k:], False), mth(d[:k])]


def test_roots_and_proofs_are_the_rfcs_for_every_size_to_70() -> None:
    log, entries = m.MerkleLog(), []
    assert log.root() == m.sm3(b"") == m.EMPTY_ROOT
    for n in range(1, 71):
        entries.append(f"条目{n}".encode())
        log.append(entries[-1])
        root = mth(entries)
        assert log.root() == root
        for i in range(n):
            proof = log.inclusion_proof(i)
            assert proof == path(i, entries)
            assert m.verify_inclusion(m.leaf_hash(entries[i]), i, n, proof, root)
            assert not m.verify_inclusion(m.leaf_hash(b"other"), i, n, proof, root)
        for first in range(1, n):
            proof = log.consistency_proof(first)
            assert proof == subproof(first, entries, True)
            old = mth(entries[:first])
            assert m.verify_consistency(first, n, old, root, proof)
            assert not m.verify_consistency(first, n, m.sm3(b"forged"), root, proof)
            assert not m.verify_consistency(first, n, old, root, proof[:-1])


def test_edge_cases_of_the_verifiers() -> None:
    log = m.MerkleLog()
    for i in range(5):
        log.append(bytes([i]))
    root = log.root()
    assert m.verify_consistency(5, 5, root, root, [])
    assert not m.verify_consistency(5, 5, root, m.sm3(b"x"), [])
    assert m.verify_consistency(0, 5, m.EMPTY_ROOT, root, [])
    assert not m.verify_consistency(3, 5, log.root(3), root, [])  # an empty proof proves nothing
    assert not m.verify_inclusion(m.leaf_hash(bytes([4])), 5, 5, [], root)  # index ≥ size


def test_a_proof_needs_only_logarithmically_many_stored_nodes() -> None:
    size = 1_000_003
    assert len(m.inclusion_keys(123_456, size)) <= 2 * size.bit_length()
    assert len(m.consistency_keys(999_999, size)) <= 2 * size.bit_length()
    assert len(m.root_keys(size)) == bin(size).count("1")
