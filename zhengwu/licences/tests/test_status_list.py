"""W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025): the bitstring and its
encoding (the spec's own example), random index allocation, the signed list credential, and
the verifier's `status_of`, which fails closed on a stale or foreign list."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.licences.canonical import canonical_loads, canonicalize
from zhengwu.licences.credential import (
    STATUS_LIST_CREDENTIAL,
    STATUS_LIST_MAX_VALIDITY,
    CredentialError,
    SignedCredential,
    credential_check,
    credential_sign,
)
from zhengwu.licences.signing import KeyFileSigner, KeyRing, PublicKey, keyfile_create
from zhengwu.licences.status_list import (
    MIN_LENGTH,
    Allocation,
    Bitstring,
    ListFill,
    ListFull,
    StatusListError,
    index_allocate,
    index_draw,
    licence_status,
    status_list_credential,
    status_list_sign,
    status_list_verify,
    status_of,
)

ISSUER = "11430481MB489016X0"  # 耒阳市市场监督管理局 (demo pack)
OTHER_ISSUER = "11430400MB15236989"
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 6, 9, 0, tzinfo=CST)
URL_R = "https://zw.example/licences/status/revocation/1"
URL_S = "https://zw.example/licences/status/suspension/1"

# The example BitstringStatusListCredential of the Recommendation (§2.2, Example 3): a list
# of 131,072 bits, none set.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> KeyFileSigner:
    return keyfile_create(tmp_path_factory.mktemp("keys") / "scjgj.key", issuer=ISSUER)


@pytest.fixture(scope="module")
def keys(signer: KeyFileSigner) -> KeyRing:
    return KeyRing([PublicKey(signer.kid, signer.public_key, ISSUER)])


def entry(purpose: str = "revocation", index: int = 94567, url: str = URL_R) -> dict[str, str]:
    return {"type": "BitstringStatusListEntry", "statusPurpose": purpose,
            "statusListIndex": str(index), "statusListCredential": url}


def signed_list(signer: KeyFileSigner, *, set_bits: tuple[int, ...] = (), purpose: str =
                "revocation", url: str = URL_R, now: dt.datetime = NOW) -> SignedCredential:
    return status_list_sign(url=url, purpose=purpose, bits=Bitstring.from_indices(set_bits),
                            issuer=ISSUER, signer=signer, now=now)


# --- the bitstring -----------------------------------------------------------------------------


def test_the_spec_example_decodes_to_an_empty_list_of_the_minimum_length() -> None:
    bits = Bitstring.decode(SPEC_EXAMPLE)
    assert bits.length == MIN_LENGTH == 131_072 == 16 * 1024 * 8
    assert list(bits.set_indices()) == []


def test_an_empty_list_encodes_exactly_as_the_spec_example() -> None:
    # Same GZIP header (no name, mtime 0, OS 3) and deflate output as the Recommendation.
    assert Bitstring().encode() == SPEC_EXAMPLE


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    # §2.2 encodedList and §7.1 Bitstring Encoding: index 0 is the left-most bit, index
    # length - 1 the right-most: big-endian bit order inside each byte.
    bits = Bitstring.from_indices([0, 9, MIN_LENGTH - 1])
    raw = gzip.decompress(_unbase64url(bits.encode()[1:]))
    assert len(raw) == 16_384
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001
    assert raw[2:-1] == bytes(len(raw) - 3)


def test_the_encoding_is_multibase_base64url_without_padding() -> None:
    encoded = Bitstring.from_indices(range(0, MIN_LENGTH, 7)).encode()
    assert encoded.startswith("u")
    assert set(encoded[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789-_")


def _unbase64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_LENGTH - 1), max_size=300))
def test_round_trip(indices: set[int]) -> None:
    bits = Bitstring.from_indices(indices)
    again = Bitstring.decode(bits.encode())
    assert set(again.set_indices()) == indices
    assert all(again[i] for i in indices)
    assert again == bits


def test_set_and_clear() -> None:
    bits = Bitstring()
    bits.set(42, True)
    assert bits[42] and not bits[41] and not bits[43]
    bits.set(42, False)
    assert not bits[42]
    with pytest.raises(IndexError):
        bits.set(MIN_LENGTH, True)
    with pytest.raises(IndexError):
        bits[-1]


def test_a_list_shorter_than_16_kb_is_refused() -> None:
    with pytest.raises(ValueError, match="131072"):
        Bitstring(MIN_LENGTH - 8)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1024))).decode().rstrip("=")
    with pytest.raises(StatusListError) as error:
        Bitstring.decode(short)
    assert error.value.code == "too_short"


@pytest.mark.parametrize("encoded", [
    SPEC_EXAMPLE[1:],                      # no multibase prefix
    "z" + SPEC_EXAMPLE[1:],                # another multibase base
    SPEC_EXAMPLE + "=",                    # padding
    SPEC_EXAMPLE[:-6],                     # truncated GZIP
    "u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="),
    "u" + base64.urlsafe_b64encode(gzip.compress(bytes(16_384)) + b"x").decode().rstrip("="),
])
def test_malformed_encodings_are_refused(encoded: str) -> None:
    with pytest.raises(StatusListError) as error:
        Bitstring.decode(encoded)
    assert error.value.code == "malformed"


def test_a_compression_bomb_is_refused_before_it_is_expanded() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(4 * 1024 * 1024))).decode()
    with pytest.raises(StatusListError) as error:
        Bitstring.decode(bomb.rstrip("="), limit=1024 * 1024)
    assert error.value.code == "malformed"


# --- random index allocation ---------------------------------------------------------------------


def test_indices_are_random_and_never_reused() -> None:
    used: set[int] = set()
    drawn = []
    for _ in range(2000):
        index = index_draw(used)
        assert 0 <= index < MIN_LENGTH and index not in used
        used.add(index)
        drawn.append(index)
    # Not sequential: a sorted run would mean the position tells the order of issue.
    assert drawn != sorted(drawn)
    # Spread over the whole list: each eighth holds about 250 of 2000 (binomial, sd ≈ 15;
    # the bounds are more than 6 sd away).
    eighths = [0] * 8
    for index in drawn:
        eighths[index * 8 // MIN_LENGTH] += 1
    assert all(150 < count < 350 for count in eighths), eighths


def test_a_nearly_full_list_still_gives_the_free_indices() -> None:
    length = MIN_LENGTH
    free = {5, 70_000, length - 1}
    used = set(range(length)) - free
    got = set()
    for _ in range(3):
        index = index_draw(used, length)
        assert index in free
        used.add(index)
        got.add(index)
    assert got == free
    with pytest.raises(ListFull):
        index_draw(used, length)


def test_allocation_fills_lists_then_opens_a_new_one() -> None:
    full = ListFill(key="1", length=MIN_LENGTH, used=frozenset(range(MIN_LENGTH)))
    open_ = ListFill(key="2", length=MIN_LENGTH, used=frozenset({1, 2, 3}))
    allocation = index_allocate([full, open_])
    assert allocation.key == "2" and allocation.index not in {1, 2, 3}
    new = index_allocate([full])
    assert isinstance(new, Allocation) and new.key is None
    assert 0 <= new.index < MIN_LENGTH
    assert index_allocate([]).key is None


# --- the list credential -----------------------------------------------------------------------


def test_the_list_credential_has_the_spec_shape(signer: KeyFileSigner) -> None:
    bits = Bitstring.from_indices([3])
    value = status_list_credential(url=URL_R, purpose="revocation", bits=bits, issuer=ISSUER,
                                   kid=signer.kid, now=NOW)
    assert value["type"] == ["VerifiableCredential", STATUS_LIST_CREDENTIAL]
    assert value["id"] == URL_R
    assert value["issuer"] == {"id": ISSUER, "kid": signer.kid}
    assert value["credentialSubject"] == {"id": URL_R + "#list", "type": "BitstringStatusList",
                                          "statusPurpose": "revocation",
                                          "encodedList": bits.encode()}
    assert value["validFrom"] == "2026-12-06T09:00:00+08:00"
    assert value["validUntil"] == "2026-12-07T09:00:00+08:00"
    assert "credentialStatus" not in value
    credential_check(value)


def test_signing_gives_canonical_bytes_and_a_valid_signature(signer: KeyFileSigner,
                                                             keys: KeyRing) -> None:
    signed = signed_list(signer, set_bits=(94567,))
    document = canonical_loads(signed.data)
    assert canonicalize(document) == signed.data
    verified = status_list_verify(signed, keys)
    assert verified.url == URL_R and verified.purpose == "revocation"
    assert verified.issuer == ISSUER
    assert verified.bits[94567]


def test_the_shape_check_knows_status_list_credentials(signer: KeyFileSigner) -> None:
    good = status_list_credential(url=URL_R, purpose="suspension", bits=Bitstring(),
                                  issuer=ISSUER, kid=signer.kid, now=NOW)
    credential_check(good)

    def broken(change: Any) -> dict[str, Any]:
        value = copy.deepcopy(good)
        change(value)
        return value

    cases: list[tuple[Any, str]] = [
        (lambda v: v.update(id="1.2.156.3005.2.x"), "id"),
        (lambda v: v.update(validUntil="2026-12-07T09:00:01+08:00"), "24"),
        (lambda v: v.pop("validUntil"), "validUntil"),
        (lambda v: v["credentialSubject"].update(type="StatusList2021"), "BitstringStatusList"),
        (lambda v: v["credentialSubject"].update(statusPurpose="message"), "statusPurpose"),
        (lambda v: v["credentialSubject"].update(encodedList="H4sI"), "encodedList"),
        (lambda v: v["credentialSubject"].pop("encodedList"), "encodedList"),
        (lambda v: v["issuer"].update(id="11430481MB489016X1"), "issuer"),
        (lambda v: v.update(credentialStatus=[entry()]), "credentialStatus"),
    ]
    for change, needle in cases:
        with pytest.raises(CredentialError, match=needle):
            credential_check(broken(change))


def test_a_list_may_not_be_valid_for_more_than_24_hours(signer: KeyFileSigner) -> None:
    assert dt.timedelta(hours=24) == STATUS_LIST_MAX_VALIDITY
    with pytest.raises(CredentialError, match="24"):
        status_list_sign(url=URL_R, purpose="revocation", bits=Bitstring(), issuer=ISSUER,
                         signer=signer, now=NOW, validity=dt.timedelta(hours=25))
    short = status_list_sign(url=URL_R, purpose="revocation", bits=Bitstring(), issuer=ISSUER,
                             signer=signer, now=NOW, validity=dt.timedelta(hours=1))
    assert canonical_loads(short.data)["validUntil"] == "2026-12-06T10:00:00+08:00"


# --- the verifier --------------------------------------------------------------------------------


def test_status_of_reads_the_bit(signer: KeyFileSigner, keys: KeyRing) -> None:
    signed = signed_list(signer, set_bits=(94567,))
    revoked = status_of(entry(index=94567), signed, NOW, keys, issuer=ISSUER)
    assert (revoked.ok, revoked.code, revoked.purpose) == (False, "set", "revocation")
    assert revoked.reason == "证照已被撤销"
    fine = status_of(entry(index=94568), signed, NOW, keys, issuer=ISSUER)
    assert (fine.ok, fine.code) == (True, "unset")
    assert "未被撤销" in fine.reason


def test_suspension_has_its_own_list(signer: KeyFileSigner, keys: KeyRing) -> None:
    suspended = signed_list(signer, set_bits=(23452,), purpose="suspension", url=URL_S)
    result = status_of(entry("suspension", 23452, URL_S), suspended, NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "set")
    assert "暂停" in result.reason


def test_a_stale_list_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    signed = signed_list(signer)  # valid 2026-12-06 09:00 – 2026-12-07 09:00
    on_the_edge = status_of(entry(), signed, NOW + STATUS_LIST_MAX_VALIDITY, keys, issuer=ISSUER)
    assert on_the_edge.ok
    stale = status_of(entry(), signed, NOW + STATUS_LIST_MAX_VALIDITY + dt.timedelta(seconds=1),
                      keys, issuer=ISSUER)
    assert (stale.ok, stale.code) == (False, "stale")
    assert "2026-12-07 09:00:00" in stale.reason and "过期" in stale.reason
    early = status_of(entry(), signed, NOW - dt.timedelta(hours=1), keys, issuer=ISSUER)
    assert (early.ok, early.code) == (False, "not_yet_valid")


def test_a_verified_list_kept_in_memory_still_goes_stale(signer: KeyFileSigner,
                                                         keys: KeyRing) -> None:
    verified = status_list_verify(signed_list(signer), keys)
    assert status_of(entry(), verified, NOW, keys, issuer=ISSUER).ok
    late = status_of(entry(), verified, NOW + dt.timedelta(days=2), keys, issuer=ISSUER)
    assert late.code == "stale"


def test_the_wrong_purpose_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    suspension_list = signed_list(signer, purpose="suspension", url=URL_R)
    result = status_of(entry("revocation"), suspension_list, NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "wrong_purpose")
    assert "suspension" in result.reason and "revocation" in result.reason


def test_another_list_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    # A clean list of the same issuer and purpose must not stand in for the one named.
    other = signed_list(signer, url="https://zw.example/licences/status/revocation/2")
    result = status_of(entry(), other, NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "wrong_list")


def test_a_list_by_another_issuer_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    result = status_of(entry(), signed_list(signer), NOW, keys, issuer=OTHER_ISSUER)
    assert (result.ok, result.code) == (False, "wrong_issuer")


def test_a_tampered_list_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    signed = signed_list(signer, set_bits=(94567,))
    for position in (0, len(signed.data) // 2, len(signed.data) - 1):
        data = bytearray(signed.data)
        data[position] ^= 0x01
        forged = SignedCredential(bytes(data), signed.signature, signed.kid)
        result = status_of(entry(), forged, NOW, keys, issuer=ISSUER)
        # A broken first byte is no JSON: the key ring cannot even find the kid.
        assert not result.ok and result.code in ("bad_signature", "malformed"), position
    data = bytearray(signed.data)
    data[signed.data.index(b'"encodedList":"u') + 30] ^= 0x01  # a bit of the list itself
    result = status_of(entry(), SignedCredential(bytes(data), signed.signature, signed.kid),
                       NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "bad_signature")


def test_every_single_byte_change_fails(signer: KeyFileSigner, keys: KeyRing) -> None:
    signed = signed_list(signer)
    for position in range(len(signed.data)):
        data = bytearray(signed.data)
        data[position] ^= 0x20
        forged = SignedCredential(bytes(data), signed.signature, signed.kid)
        assert not status_of(entry(), forged, NOW, keys, issuer=ISSUER).ok, position


def test_an_unknown_key_sends_the_verifier_online(tmp_path: Path, keys: KeyRing) -> None:
    stranger = keyfile_create(tmp_path / "x.key", issuer=ISSUER)
    result = status_of(entry(), signed_list(stranger), NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "unknown_key")
    assert "请向颁证地区在线核验" in result.reason


def test_a_licence_is_not_a_status_list(signer: KeyFileSigner, keys: KeyRing) -> None:
    from zhengwu.licences.tests.test_credential import credential

    licence = credential_sign(credential(signer), signer)
    result = status_of(entry(), licence, NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "not_a_status_list")


def test_an_index_outside_the_list_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    result = status_of(entry(index=MIN_LENGTH), signed_list(signer), NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "out_of_range")


def test_a_malformed_entry_is_rejected(signer: KeyFileSigner, keys: KeyRing) -> None:
    bad = entry() | {"statusListIndex": "-1"}
    result = status_of(bad, signed_list(signer), NOW, keys, issuer=ISSUER)
    assert (result.ok, result.code) == (False, "malformed")


def test_a_naive_time_is_a_programming_error(signer: KeyFileSigner, keys: KeyRing) -> None:
    with pytest.raises(ValueError, match="时区"):
        status_of(entry(), signed_list(signer), NOW.replace(tzinfo=None), keys)


def test_licence_status_needs_every_list(signer: KeyFileSigner, keys: KeyRing) -> None:
    from zhengwu.licences.tests.test_credential import credential

    licence = credential(signer)  # entries: revocation 94567 on …/r/1, suspension 23452 on …/s/1
    r_url = licence["credentialStatus"][0]["statusListCredential"]
    s_url = licence["credentialStatus"][1]["statusListCredential"]
    lists = {r_url: signed_list(signer, url=r_url),
             s_url: signed_list(signer, purpose="suspension", url=s_url)}
    assert licence_status(licence, lists, NOW, keys).ok
    missing = licence_status(licence, {r_url: lists[r_url]}, NOW, keys)
    assert (missing.ok, missing.code) == (False, "missing_list")
    lists[s_url] = signed_list(signer, purpose="suspension", url=s_url, set_bits=(23452,))
    suspended = licence_status(licence, lists, NOW, keys)
    assert (suspended.ok, suspended.code, suspended.purpose) == (False, "set", "suspension")
