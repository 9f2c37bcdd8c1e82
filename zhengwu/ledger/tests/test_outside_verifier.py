"""An outside verifier for the transparency log (issue 15 §2), written from RFC 9162, not from
the project's code.

Everything below that hashes, builds a tree or checks a proof was written from the text of
RFC 9162 (Certificate Transparency 2.0) §2.1 with SM3 (`hashlib.new("sm3")`) as HASH:

- §2.1.1 the Merkle Tree Hash: MTH({}) = HASH(), leaf = HASH(0x00 ‖ d), node =
  HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])) with k the largest power of two smaller than n;
- §2.1.3.1 PATH and §2.1.3.2 verifying an inclusion proof;
- §2.1.4.1 PROOF / SUBPROOF and §2.1.4.2 verifying a consistency proof.

Signed checkpoints are checked with the `openssl` command line (SM2, SM3, distinguishing ID
from the public-key endpoint) against the PEM the log publishes. The project is used only as an
outsider would use it — `ledger_append` to write entries, `checkpoint_sign` to sign a tree head —
and read only through the public HTTP API (/api/v1/ledger/…). It never imports the log's own
Merkle, verification or SM2 code, so a mistake shared by the log and its own verifier cannot
hide here.

What it proves, for many tree sizes (1…70 one by one, and 127…129, 255…257): every signed
checkpoint's SM2 signature verifies over the documented bytes and its root is the RFC's MTH of
the entries the log serves; every entry's inclusion proof verifies against the roots recorded
at several sizes and equals the RFC's PATH exactly; every consistency proof between recorded
sizes verifies and equals the RFC's PROOF exactly; a tampered proof, a wrong index, a wrong
size or a wrong root is refused by this verifier (so the checks can fail); requests out of range
answer 4xx JSON with "code" and "detail".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from zhengwu.ledger.services import checkpoint_sign, ledger_append

API = "/api/v1/ledger"
CHECKPOINT_HEADER = "zhengwu-ledger-checkpoint/v1"

# Sizes at which a checkpoint is signed and recorded: every size up to 70 (all shapes of small
# trees, powers of two and their neighbours), then around 128 and 256.
CHECKPOINT_SIZES = [*range(1, 71), 127, 128, 129, 255, 256, 257]
# Sizes at which the inclusion proof of every index is fetched and checked.
INCLUSION_SIZES = [*range(1, 34), 47, 63, 64, 65, 70, 127, 128, 129, 256, 257]
# Sizes between every pair of which a consistency proof is fetched and checked.
CONSISTENCY_SIZES = [*range(1, 18), 31, 32, 33, 47, 63, 64, 65, 70, 127, 128, 129, 255, 256, 257]


# --- RFC 9162 §2.1 with SM3, written from the RFC --------------------------------------------


def sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def leaf_hash(entry: bytes) -> bytes:
    """§2.1.1: MTH({d(0)}) = HASH(0x00 || d(0))."""
    return sm3(b"\x00" + entry)


def node_hash(left: bytes, right: bytes) -> bytes:
    """§2.1.1: HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    return sm3(b"\x01" + left + right)


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    assert n > 1
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """The list of leaf hashes D[0:n] with MTH, PATH and PROOF exactly as §2.1 defines them
    (recursive definitions, subtree hashes memoised; leaves are only appended, so a memoised
    MTH(D[lo:hi]) never changes)."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self._memo: dict[tuple[int, int], bytes] = {}

    def append(self, entry: bytes) -> None:
        self.leaves.append(leaf_hash(entry))

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi])."""
        n = hi - lo
        if n == 0:
            return sm3(b"")  # MTH({}) = HASH(), the hash of an empty string
        if n == 1:
            return self.leaves[lo]
        found = self._memo.get((lo, hi))
        if found is None:
            k = split(n)
            found = node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))
            self._memo[(lo, hi)] = found
        return found

    def root(self, n: int) -> bytes:
        assert 0 <= n <= len(self.leaves)
        return self.mth(0, n)

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        """§2.1.3.1 PATH(m, D[lo:hi]), m relative to lo."""
        n = hi - lo
        if n == 1:
            return []
        k = split(n)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        """§2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m ≤ n."""
        return self._subproof(m, 0, n, True)

    def _subproof(self, m: int, lo: int, hi: int, b: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if b else [self.mth(lo, hi)]
        k = split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, b), self.mth(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]


def verify_inclusion(leaf_index: int, tree_size: int, leaf: bytes, inclusion_path: list[bytes],
                     root_hash: bytes) -> bool:
    """§2.1.3.2, step by step."""
    # 1. leaf_index must be smaller than tree_size.
    if leaf_index >= tree_size or leaf_index < 0:
        return False
    # 2. fn = leaf_index, sn = tree_size - 1; 3. r = hash.
    fn, sn = leaf_index, tree_size - 1
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            # If LSB(fn) is not set, right-shift both until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        # c. Right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal root_hash.
    return sn == 0 and r == root_hash


def verify_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes,
                       consistency_path: list[bytes]) -> bool:
    """§2.1.4.2, step by step (for 0 < first < second; equal sizes are consistent when their
    roots are equal and the proof is empty, §2.1.4.1 SUBPROOF(m, D[m], true) = {})."""
    if first == second:
        return not consistency_path and first_hash == second_hash
    if not 0 < first < second:
        return False
    # 1. An empty consistency_path fails.
    if not consistency_path:
        return False
    path = list(consistency_path)
    # 2. If first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift both until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        # If sn is 0, stop and fail.
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # If LSB(fn) is not set, right-shift both until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        # Finally right-shift both one time.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr second_hash, and sn be 0.
    return fr == first_hash and sr == second_hash and sn == 0


# --- SM2 by the openssl command line ---------------------------------------------------------


def openssl_has_sm2() -> bool:
    if shutil.which("openssl") is None:
        return False
    made = subprocess.run(["openssl", "genpkey", "-algorithm", "SM2"], capture_output=True,
                          check=False)
    return made.returncode == 0 and b"PRIVATE KEY" in made.stdout


def openssl_sm2_verify(pem: str, distid: str, message: bytes, signature_der: bytes) -> bool:
    """SM2 with SM3 and the distinguishing ID (GB/T 32918.2 Z value), by OpenSSL 3."""
    with tempfile.TemporaryDirectory() as tmp:
        key, msg, sig = Path(tmp, "key.pem"), Path(tmp, "msg"), Path(tmp, "sig")
        key.write_text(pem)
        msg.write_bytes(message)
        sig.write_bytes(signature_der)
        done = subprocess.run(
            ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(key), "-rawin",
             "-digest", "sm3", "-pkeyopt", f"distid:{distid}", "-in", str(msg),
             "-sigfile", str(sig)],
            capture_output=True, check=False)
        return done.returncode == 0 and b"Signature Verified Successfully" in done.stdout


# --- the log, seen from outside --------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    size: int
    root: bytes
    time: str


def get(client: Client, url: str) -> Any:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code, answer.content[:300])
    return answer.json()


def refused(client: Client, url: str) -> tuple[int, dict[str, Any]]:
    answer = client.get(url)
    assert 400 <= answer.status_code < 500, (url, answer.status_code, answer.content[:300])
    assert answer["Content-Type"].startswith("application/json"), url
    body = answer.json()
    assert isinstance(body.get("code"), str) and body["code"], (url, body)
    assert isinstance(body.get("detail"), str) and body["detail"], (url, body)
    return answer.status_code, body


def entry_of(client: Client, index: int, size: int) -> tuple[bytes, list[bytes]]:
    body = get(client, f"{API}/entries/{index}?size={size}")
    assert (body["index"], body["size"]) == (index, size)
    return base64.b64decode(body["entry"], validate=True), [bytes.fromhex(p) for p in body["proof"]]


def consistency_of(client: Client, first: int, second: int) -> list[bytes]:
    body = get(client, f"{API}/proof/consistency?first={first}&second={second}")
    assert (body["first"], body["second"]) == (first, second)
    return [bytes.fromhex(p) for p in body["proof"]]


def checkpoint_check(client: Client, key: dict[str, Any], tree: Tree, *, sm2: bool) -> Checkpoint:
    """Sign a checkpoint now, read it back over the API and check it from outside."""
    made = checkpoint_sign()
    body = get(client, f"{API}/checkpoint")
    assert body["size"] == made.size
    size, root_hex, time = body["size"], body["root"], body["time"]
    assert body["key_id"] == key["key_id"]
    # The time is RFC 3339 in UTC.
    assert dt.datetime.fromisoformat(time).utcoffset() == dt.timedelta(0), time
    # Its root is the RFC's MTH of the entries the log serves.
    assert bytes.fromhex(root_hex) == tree.root(size), f"root of the {size}-entry tree"
    if sm2:
        signed = (f"{CHECKPOINT_HEADER}\n{key['origin']}\n{size}\n{root_hex}\n{time}\n").encode()
        signature = bytes.fromhex(body["signature"])
        assert openssl_sm2_verify(key["pem"], key["signer_id"], signed, signature), (
            f"SM2 signature of the {size}-entry checkpoint")
    return Checkpoint(size, bytes.fromhex(root_hex), time)


# --- tests -----------------------------------------------------------------------------------


def test_the_outside_verifier_knows_sm3_and_can_fail() -> None:
    """The verifier's own ground: SM3's published test vector (GB/T 32905 A.1), and proofs
    built by its own PATH/PROOF accepted while every kind of tampering is refused."""
    assert sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    tree = Tree()
    for i in range(40):
        tree.append(f"entry {i}".encode())
    for n in range(1, 41):
        root = tree.root(n)
        for m in range(n):
            path = tree.path(m, 0, n)
            assert verify_inclusion(m, n, tree.leaves[m], path, root)
            assert not verify_inclusion(m, n, tree.leaves[m], path, tree.root(n - 1) if n > 1
                                        else sm3(b"x"))
            if n > 1:
                assert not verify_inclusion((m + 1) % n, n, tree.leaves[m], path, root)
                assert not verify_inclusion(m, n, tree.leaves[(m + 1) % n], path, root)
            for j in range(len(path)):
                bad = list(path)
                bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
                assert not verify_inclusion(m, n, tree.leaves[m], bad, root)
            assert not verify_inclusion(m, n, tree.leaves[m], [*path, root], root)
        for m in range(1, n):
            proof = tree.proof(m, n)
            assert verify_consistency(m, n, tree.root(m), root, proof)
            assert not verify_consistency(m, n, tree.root(m), root, proof[:-1])
            assert not verify_consistency(m, n, tree.root(m), sm3(b"x"), proof)
            assert not verify_consistency(m, n, sm3(b"x"), root, proof)
            for j in range(len(proof)):
                bad = list(proof)
                bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
                assert not verify_consistency(m, n, tree.root(m), root, bad)


def test_an_outside_verifier_checks_the_logs_proofs_and_signed_checkpoints(db: Any) -> None:
    client = Client()
    sm2 = openssl_has_sm2()
    key = get(client, f"{API}/public-key")
    assert (key["algorithm"], key["hash"]) == ("SM2", "SM3")
    assert len(bytes.fromhex(key["public_key"])) == 64  # x ‖ y
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert key["signer_id"] == "1234567812345678"  # GB/T 35276 default ID
    if sm2:
        # The PEM and the hex x ‖ y are the same key (openssl prints 04 ‖ x ‖ y).
        shown = subprocess.run(["openssl", "pkey", "-pubin", "-noout", "-text"],
                               input=key["pem"].encode(), capture_output=True, check=True)
        text = shown.stdout.decode()
        hex_lines = "".join(line.strip() for line in text.split("pub:")[1].split("ASN1")[0]
                            .splitlines())
        assert hex_lines.replace(":", "") == "04" + key["public_key"]

    # The log may hold entries already (the demo pack's credit events): read them as they are.
    tree = Tree()
    recorded: dict[int, Checkpoint] = {}
    start = checkpoint_sign().size
    if start == 0:
        # The empty tree's root is HASH() (§2.1.1).
        recorded[0] = checkpoint_check(client, key, tree, sm2=sm2)
        assert recorded[0].root == sm3(b"")
    for i in range(start):
        entry, _ = entry_of(client, i, start)
        tree.append(entry)
    recorded[start] = checkpoint_check(client, key, tree, sm2=sm2)

    # Append one by one; after each, the new entry is read back (its bytes are what we
    # appended) and proven against the RFC's root of the new size, and the new tree is
    # consistent with the one before it.
    target = max(CHECKPOINT_SIZES)
    while len(tree.leaves) < target:
        n = len(tree.leaves)
        appended = ledger_append(kind="test.outside_verifier", data={"n": n, "note": "外部验证"})
        entry, path = entry_of(client, n, n + 1)
        assert entry == bytes(appended.entry)
        tree.append(entry)
        assert path == tree.path(n, 0, n + 1), f"PATH({n}, D[{n + 1}])"
        assert verify_inclusion(n, n + 1, tree.leaves[n], path, tree.root(n + 1))
        if n > 0:
            proof = consistency_of(client, n, n + 1)
            assert proof == tree.proof(n, n + 1), f"PROOF({n}, D[{n + 1}])"
            assert verify_consistency(n, n + 1, tree.root(n), tree.root(n + 1), proof)
        if n + 1 in CHECKPOINT_SIZES:
            recorded[n + 1] = checkpoint_check(client, key, tree, sm2=sm2)
    assert len(recorded) >= len([s for s in CHECKPOINT_SIZES if s > start])

    # Without ?size the proof is against the latest checkpoint's tree.
    body = get(client, f"{API}/entries/0")
    assert body["size"] == target
    assert verify_inclusion(0, target, leaf_hash(base64.b64decode(body["entry"])),
                            [bytes.fromhex(p) for p in body["proof"]], recorded[target].root)

    # Inclusion of every index at several recorded sizes, against the signed roots.
    for n in INCLUSION_SIZES:
        if n not in recorded:
            continue
        root = recorded[n].root
        for m in range(n):
            entry, path = entry_of(client, m, n)
            assert leaf_hash(entry) == tree.leaves[m], f"entry {m} changed"
            assert path == tree.path(m, 0, n), f"PATH({m}, D[{n}])"
            assert verify_inclusion(m, n, leaf_hash(entry), path, root), f"inclusion {m} in {n}"

    # Consistency between every pair of recorded sizes, against the signed roots.
    sizes = sorted(s for s in CONSISTENCY_SIZES if s in recorded)
    for a, first in enumerate(sizes):
        for second in sizes[a:]:
            proof = consistency_of(client, first, second)
            expected = tree.proof(first, second) if first else []
            assert proof == expected, f"PROOF({first}, D[{second}])"
            if first:
                assert verify_consistency(first, second, recorded[first].root,
                                          recorded[second].root, proof), (first, second)

    # The checks can fail: real proofs from the log, tampered, are refused by this verifier.
    for m, n in [(0, 1), (0, 2), (5, 7), (31, 32), (32, 33), (64, 69), (127, 128), (200, 256)]:
        entry, path = entry_of(client, m, n)
        leaf, root = leaf_hash(entry), recorded[n].root
        assert verify_inclusion(m, n, leaf, path, root)
        for j in range(len(path)):
            bad = list(path)
            bad[j] = bytes([bad[j][0] ^ 0x80]) + bad[j][1:]
            assert not verify_inclusion(m, n, leaf, bad, root), ("tampered", m, n, j)
        if n > 1:
            assert not verify_inclusion((m + 1) % n, n, leaf, path, root), ("index", m, n)
            assert not verify_inclusion(m, n, tree.leaves[(m + 1) % n], path, root), ("leaf", m)
        assert not verify_inclusion(m, n + 1, leaf, path, recorded[n + 1].root), ("size", m, n)
        assert not verify_inclusion(m, n, leaf, path, recorded[n - 1].root if n > 1
                                    else sm3(b"")), ("root", m, n)
        assert not verify_inclusion(m, n, leaf_hash(entry + b" "), path, root), ("entry", m)
    for first, second in [(1, 2), (3, 7), (32, 64), (33, 70), (64, 129), (129, 257)]:
        proof = consistency_of(client, first, second)
        one, two = recorded[first].root, recorded[second].root
        assert verify_consistency(first, second, one, two, proof)
        for j in range(len(proof)):
            bad = list(proof)
            bad[j] = bytes([bad[j][0] ^ 0x80]) + bad[j][1:]
            assert not verify_consistency(first, second, one, two, bad), ("tampered", first, j)
        assert not verify_consistency(first, second, recorded[first - 1].root if first > 1
                                      else sm3(b""), two, proof), ("first root", first, second)
        assert not verify_consistency(first, second, one, recorded[second - 1].root, proof)
        assert not verify_consistency(first + 1, second, one, two, proof), ("size", first)
        assert not verify_consistency(first, second, one, two, proof[:-1])

    # A signed checkpoint whose bytes are changed no longer verifies (SM2 by openssl).
    if sm2:
        cp = recorded[target]
        body = get(client, f"{API}/checkpoint")
        signature = bytes.fromhex(body["signature"])
        good = f"{CHECKPOINT_HEADER}\n{key['origin']}\n{cp.size}\n{cp.root.hex()}\n{cp.time}\n"
        assert openssl_sm2_verify(key["pem"], key["signer_id"], good.encode(), signature)
        for forged in [good.replace(f"\n{cp.size}\n", f"\n{cp.size + 1}\n"),
                       good.replace(cp.root.hex(), recorded[cp.size - 1].root.hex()),
                       good.replace(key["origin"], key["origin"] + "x")]:
            assert forged != good
            assert not openssl_sm2_verify(key["pem"], key["signer_id"], forged.encode(),
                                          signature)
        assert not openssl_sm2_verify(key["pem"], "1234567812345679", good.encode(), signature)
    else:
        pytest.skip("openssl here has no SM2: the Merkle proofs were checked, the signatures not")


def test_out_of_range_requests_are_refused_as_json(db: Any) -> None:
    client = Client()
    for i in range(3):
        ledger_append(kind="test.outside_verifier", data={"n": i})
    size = checkpoint_sign().size
    assert size >= 3
    status, body = refused(client, f"{API}/entries/{size}?size={size}")
    assert status == 422, body
    status, body = refused(client, f"{API}/entries/{size}")  # index ≥ the checkpoint's size
    assert status == 422, body
    status, body = refused(client, f"{API}/entries/2?size=2")  # index = size
    assert status == 422, body
    status, body = refused(client, f"{API}/entries/0?size={size + 1}")  # beyond the log
    assert status == 422, body
    status, body = refused(client, f"{API}/entries/-1?size={size}")
    assert status == 422, body
    status, body = refused(client, f"{API}/proof/consistency?first=3&second=2")
    assert status == 422, body
    status, body = refused(client, f"{API}/proof/consistency?first=1&second={size + 1}")
    assert status == 422, body
    status, body = refused(client, f"{API}/proof/consistency?first=-1&second=2")
    assert status == 422, body
    refused(client, f"{API}/entries/x")
    refused(client, f"{API}/proof/consistency?first=1")
