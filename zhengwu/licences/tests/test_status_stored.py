"""Status lists stored and served, the trust list accepted, and `zhengwu licences verify`:
positions unique per list (a clash draws again), a status change re-signs the list in its own
transaction, the sweep re-signs lists before they go stale, a rollback of the trust list is
refused, and the offline verifier refuses a stale list."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import cbor2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from zhengwu.core import sweeps
from zhengwu.core.audit import SYSTEM
from zhengwu.core.models import AuditEvent
from zhengwu.licences import compact, status, status_list
from zhengwu.licences.canonical import canonical_loads
from zhengwu.licences.credential import SignedCredential, credential_sign
from zhengwu.licences.export import licence_export_bytes
from zhengwu.licences.identifier import licence_id_build
from zhengwu.licences.models import (
    AcceptedTrustList,
    Licence,
    LicenceStatus,
    StatusEntry,
    StatusList,
)
from zhengwu.licences.presentation import compact_of, licence_compact_code
from zhengwu.licences.services import licence_revoke, licence_supersede, licence_suspend
from zhengwu.licences.signing import KeyFileSigner, keyfile_create, signer_get
from zhengwu.licences.status_list import (
    Bitstring,
    status_list_sign,
    status_list_verify,
    status_of,
)
from zhengwu.licences.tests.test_services import BIRTH, MOMENT, _birth
from zhengwu.licences.trust import trust_list_in_force
from zhengwu.licences.trust_list import trust_list_dumps, trust_list_sign

pytestmark = pytest.mark.django_db

AUTHORITY = "11430000006122244L"
OTHER = "11430400MB15236989"  # an issuer in nobody's trust list


def _entries(licence: Licence) -> dict[str, Any]:
    return {entry["statusPurpose"]: entry
            for entry in canonical_loads(licence.data)["credentialStatus"]}


def _served(client: Any, licence: Licence, purpose: str) -> SignedCredential:
    row = StatusEntry.objects.select_related("status_list").get(licence=licence,
                                                                purpose=purpose).status_list
    path = reverse("licences:status_list",
                   kwargs={"issuer": row.issuer, "purpose": purpose, "number": row.number})
    response = client.get(path)
    assert response.status_code == 200
    assert "public, max-age=" in response["Cache-Control"]
    return status.status_list_loads(response.content)


def _keys() -> Any:
    from django.conf import settings

    from zhengwu.licences.signing import KeyRing
    return KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)


# --- allocation ---------------------------------------------------------------------------------


def test_issuing_allocates_one_entry_per_purpose_in_the_signed_lists() -> None:
    first, second = _birth(), _birth()
    for licence in (first, second):
        entries = _entries(licence)
        for purpose in ("revocation", "suspension"):
            row = StatusEntry.objects.select_related("status_list").get(licence=licence,
                                                                        purpose=purpose)
            assert entries[purpose]["statusListCredential"] == row.status_list.url
            assert entries[purpose]["statusListIndex"] == str(row.index)
            assert row.status_list.url.endswith(
                f"/licences/status/{licence.issuer_department.uscc}/{purpose}/1/")
    assert StatusList.objects.filter(issuer=first.issuer_department.uscc).count() == 2


def test_a_clash_on_a_position_draws_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _birth()
    taken = StatusEntry.objects.get(licence=first, purpose="revocation").index
    real = status_list.index_draw
    draws: list[int] = []

    def clashing(used: Any, length: int) -> int:
        # The first draw returns a taken position, as a concurrent issue would have.
        index = taken if not draws else real(used, length)
        draws.append(index)
        return index

    monkeypatch.setattr("zhengwu.licences.status.index_draw", clashing)
    second = _birth()
    assert draws[0] == taken
    index = StatusEntry.objects.get(licence=second, purpose="revocation").index
    assert index != taken
    assert _entries(second)["revocation"]["statusListIndex"] == str(index)


def test_issuing_does_not_re_sign_the_list() -> None:
    _birth()
    before = {row.pk: bytes(row.signature) for row in StatusList.objects.all()}
    _birth()
    assert {row.pk: bytes(row.signature) for row in StatusList.objects.all()} == before


# --- status changes -----------------------------------------------------------------------------


def test_revoking_sets_the_bit_in_the_served_list(client: Any) -> None:
    licence = _birth()
    now = MOMENT + dt.timedelta(hours=1)
    entry = _entries(licence)["revocation"]
    assert status_of(entry, _served(client, licence, "revocation"), now, _keys()).code == "unset"
    licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="以欺骗手段取得", now=now)
    served = _served(client, licence, "revocation")
    result = status_of(entry, served, now, _keys(), issuer=licence.issuer_department.uscc)
    assert (result.ok, result.code) == (False, "set")
    assert status_list_verify(served, _keys()).valid_from == now.replace(microsecond=0)


def test_suspending_and_superseding_set_their_bits(client: Any) -> None:
    now = MOMENT + dt.timedelta(hours=1)
    suspended = _birth()
    licence_suspend(licence_id=suspended.pk, actor=SYSTEM, reason="核查中", now=now)
    assert status_of(_entries(suspended)["suspension"],
                     _served(client, suspended, "suspension"), now, _keys()).code == "set"
    old = _birth()
    licence_supersede(licence_id=old.pk, payload=BIRTH, actor=SYSTEM, reason="更正", now=now)
    assert status_of(_entries(old)["revocation"], _served(client, old, "revocation"), now,
                     _keys()).code == "set"


def test_a_failure_to_sign_the_list_rolls_the_revocation_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    licence = _birth()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("签名服务不可用")

    monkeypatch.setattr(status, "status_list_sign", broken)
    with pytest.raises(RuntimeError):
        licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="撤销", now=MOMENT)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    assert not AuditEvent.objects.filter(action="licences.revoke",
                                         object_id=str(licence.pk)).exists()


def test_the_sweep_re_signs_lists_before_they_go_stale() -> None:
    _birth()
    later = MOMENT + dt.timedelta(hours=13)  # within REFRESH_AHEAD of the 24 hours
    assert "licences.status_lists" in sweeps.SWEEPS
    assert sweeps.SWEEPS["licences.status_lists"](later) == "证照状态列表重新签发 2 份"
    for row in StatusList.objects.all():
        assert row.valid_until == later.replace(microsecond=0) + dt.timedelta(hours=24)
    assert status.status_lists_refresh(later) == (0, [])  # nothing due any more


def test_a_list_that_cannot_be_signed_does_not_stop_the_sweep(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _birth()

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("签名服务不可用")

    monkeypatch.setattr(status, "status_list_sign", broken)
    done, failed = status.status_lists_refresh(MOMENT + dt.timedelta(hours=13))
    assert (done, len(failed)) == (0, 2)


def test_an_unknown_list_is_404(client: Any) -> None:
    assert client.get(reverse("licences:status_list", kwargs={
        "issuer": "11430481MB489016X0", "purpose": "revocation", "number": 9})).status_code \
        == 404


# --- the offline verifier ----------------------------------------------------------------------


def _files(tmp_path: Path, client: Any, licence: Licence) -> list[str]:
    path = tmp_path / "licence.json"
    path.write_bytes(licence_export_bytes(licence))
    args = [str(path)]
    for purpose in ("revocation", "suspension"):
        served = _served(client, licence, purpose)
        list_path = tmp_path / f"{purpose}.json"
        list_path.write_text(json.dumps({
            "format": status.FORMAT, "kid": served.kid,
            "credential": base64.b64encode(served.data).decode(),
            "signature": base64.b64encode(served.signature).decode()}))
        args += ["--status-list", str(list_path)]
    return args


def _verify(args: list[str], at: dt.datetime, capsys: pytest.CaptureFixture[str]) \
        -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        call_command("licences", "verify", *args, "--at", at.isoformat())
    return int(exit_.value.code or 0), capsys.readouterr().out


def test_the_cli_says_valid_then_revoked(tmp_path: Path, client: Any,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    licence = _birth()
    now = MOMENT + dt.timedelta(hours=1)
    code, out = _verify(_files(tmp_path, client, licence), now, capsys)
    assert code == 0, out
    assert out.startswith("有效")
    licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="撤销", now=now)
    code, out = _verify(_files(tmp_path, client, licence), now, capsys)
    assert (code, out.startswith("无效：证照已被撤销")) == (1, True), out


def test_the_cli_refuses_a_stale_list(tmp_path: Path, client: Any,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    licence = _birth()
    args = _files(tmp_path, client, licence)
    code, out = _verify(args, MOMENT + dt.timedelta(hours=25), capsys)
    assert code == 2
    assert "过期" in out


def test_the_cli_uses_the_stored_lists_on_the_server(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    licence = _birth()
    path = tmp_path / "licence.json"
    path.write_bytes(licence_export_bytes(licence))
    code, out = _verify([str(path)], MOMENT + dt.timedelta(hours=1), capsys)
    assert code == 0, out


def test_the_cli_sends_an_unknown_issuer_online(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    other = keyfile_create(tmp_path / "other.key", issuer=OTHER)
    credential = canonical_loads(_birth().data)
    credential["issuer"] = {"id": OTHER, "kid": other.kid}
    credential["id"] = str(licence_id_build(
        credential["credentialSubject"]["licenceType"]["code"], OTHER, "20260000042", 1))
    signed = credential_sign(credential, other)
    path = tmp_path / "licence.json"
    path.write_text(json.dumps({"format": "zhengwu-licence/1", "identifier": credential["id"],
                                "kid": other.kid,
                                "credential": base64.b64encode(signed.data).decode(),
                                "signature": base64.b64encode(signed.signature).decode()}))
    code, out = _verify([str(path)], MOMENT, capsys)
    assert code == 1
    assert "请向颁证地区在线核验" in out


def test_the_cli_says_2_for_a_file_that_is_not_a_licence(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    assert _verify([str(path)], MOMENT, capsys)[0] == 2


# --- the trust list -----------------------------------------------------------------------------


def _trust_file(tmp_path: Path, authority: KeyFileSigner, sequence: str,
                next_update: dt.datetime | None = None) -> Path:
    document = {
        "type": "LicenceTrustList", "sequence": sequence,
        "issued": "2026-12-06T08:00:00+08:00",
        # Judged against the real clock when accepted: a month from today, whenever it runs.
        "nextUpdate": (next_update or dt.datetime.now(status_list.CST) + dt.timedelta(
            days=30)).replace(microsecond=0).isoformat(),
        "authority": {"id": AUTHORITY, "name": "湖南省政务服务和大数据中心", "kid": authority.kid},
        "issuers": [{"id": OTHER, "name": "衡阳市市场监督管理局", "region": "430400",
                     "keys": [{"kid": authority.kid, "publicKey": authority.public_key.hex(),
                               "validFrom": "2026-01-01T00:00:00+08:00",
                               "validUntil": "2027-12-31T23:59:59+08:00"}],
                     "licenceTypes": ["11100000000013338W011"]}]}
    path = tmp_path / f"trust-{sequence}.json"
    path.write_bytes(trust_list_dumps(trust_list_sign(document, authority)))
    return path


def test_a_trust_list_is_accepted_and_a_rollback_refused(tmp_path: Path) -> None:
    authority = keyfile_create(tmp_path / "authority.key", issuer=AUTHORITY)
    with override_settings(ZHENGWU_LICENCE_TRUST_AUTHORITY=str(tmp_path / "authority.pub")):
        assert trust_list_in_force() is None
        call_command("licence_trust_list", "accept", str(_trust_file(tmp_path, authority, "3")))
        with pytest.raises(CommandError, match="不大于已接受的 3"):
            call_command("licence_trust_list", "accept",
                         str(_trust_file(tmp_path, authority, "2")))
        in_force = trust_list_in_force()
        assert in_force is not None and in_force.sequence == 3
        assert OTHER in in_force.issuers
    assert AcceptedTrustList.objects.count() == 1
    assert AuditEvent.objects.filter(action="licences.trust_list_accept").count() == 1


def test_a_stale_edition_is_not_accepted(tmp_path: Path) -> None:
    authority = keyfile_create(tmp_path / "authority.key", issuer=AUTHORITY)
    ended = dt.datetime(2026, 12, 6, 9, tzinfo=status_list.CST)  # before today
    with override_settings(ZHENGWU_LICENCE_TRUST_AUTHORITY=str(tmp_path / "authority.pub")), \
            pytest.raises(CommandError, match="已于 2026-12-06 09:00:00 过期"):
        call_command("licence_trust_list", "accept",
                     str(_trust_file(tmp_path, authority, "1", ended)))
    assert not AcceptedTrustList.objects.exists()


def test_without_the_authority_key_nothing_is_accepted(tmp_path: Path) -> None:
    authority = keyfile_create(tmp_path / "authority.key", issuer=AUTHORITY)
    with override_settings(ZHENGWU_LICENCE_TRUST_AUTHORITY=""), \
            pytest.raises(CommandError, match="ZHENGWU_LICENCE_TRUST_AUTHORITY"):
        call_command("licence_trust_list", "accept", str(_trust_file(tmp_path, authority, "1")))


def test_the_cli_accepts_a_trusted_issuers_licence_with_its_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 跨域互认: a licence and status lists signed by another region's key in the trust list.
    other = keyfile_create(tmp_path / "authority.key", issuer=AUTHORITY)
    credential = canonical_loads(_birth().data)
    business = "11100000000013338W011"
    credential["id"] = str(licence_id_build(business, OTHER, "20260000042", 1))
    credential["issuer"] = {"id": OTHER, "kid": other.kid}
    credential["credentialSubject"]["licenceType"]["code"] = business
    args = []
    for entry in credential["credentialStatus"]:
        url = f"https://hengyang.example.cn/licences/status/{entry['statusPurpose']}/1/"
        entry["statusListCredential"] = url
        served = status_list_sign(url=url, purpose=entry["statusPurpose"], bits=Bitstring(),
                                  issuer=OTHER, signer=other, now=MOMENT)
        list_path = tmp_path / f"{entry['statusPurpose']}.json"
        list_path.write_text(json.dumps({
            "format": status.FORMAT, "kid": served.kid,
            "credential": base64.b64encode(served.data).decode(),
            "signature": base64.b64encode(served.signature).decode()}))
        args += ["--status-list", str(list_path)]
    signed = credential_sign(credential, other)
    path = tmp_path / "licence.json"
    path.write_text(json.dumps({"format": "zhengwu-licence/1", "identifier": credential["id"],
                                "kid": other.kid,
                                "credential": base64.b64encode(signed.data).decode(),
                                "signature": base64.b64encode(signed.signature).decode()}))
    with override_settings(ZHENGWU_LICENCE_TRUST_AUTHORITY=str(tmp_path / "authority.pub")):
        call_command("licence_trust_list", "accept", str(_trust_file(tmp_path, other, "1")))
        code, out = _verify([str(path), *args], MOMENT + dt.timedelta(hours=1), capsys)
    assert code == 0, out
    assert "跨域互认" in out


# --- the offline compact QR against the status lists -----------------------------------------


def _compact_files(tmp_path: Path, client: Any, licence: Licence) -> list[str]:
    """The compact code's text in a file, with the lists as _files gives them."""
    path = tmp_path / "code.txt"
    path.write_text(licence_compact_code(licence) + "\n")
    return [str(path), *_files(tmp_path, client, licence)[1:]]


def test_the_compact_code_names_its_lists_and_fails_offline_once_revoked(
        tmp_path: Path, client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    licence = _birth()
    decoded, _, _ = compact.compact_decode(licence_compact_code(licence))
    numbers = dict(licence.status_entries.values_list("purpose", "status_list__number"))
    assert (decoded.revocation_list, decoded.suspension_list) == (
        numbers["revocation"], numbers["suspension"])
    now = MOMENT + dt.timedelta(hours=1)
    code, out = _verify(_compact_files(tmp_path, client, licence), now, capsys)
    assert (code, out.startswith("有效：离线核验码签名有效")) == (0, True), out
    licence_revoke(licence_id=licence.pk, actor=SYSTEM, reason="撤销", now=now)
    # Once the verifier has refreshed its lists, the revoked licence fails offline …
    code, out = _verify(_compact_files(tmp_path, client, licence), now, capsys)
    assert (code, out.startswith("无效：证照已被撤销")) == (1, True), out
    # … and a stale list is no answer.
    code, out = _verify(_compact_files(tmp_path, client, licence),
                        now + dt.timedelta(hours=25), capsys)
    assert code == 2 and "过期" in out, out


def test_a_format_1_code_is_read_but_its_status_is_unknown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    licence = _birth()
    body = cbor2.loads(compact.compact_payload(compact_of(licence)))
    body[1], body[11] = 1, [licence.revocation_index, licence.suspension_index]
    payload = bytes(cbor2.dumps(body, canonical=True))
    signer = signer_get(licence.issuer_department.uscc)
    text = compact.PREFIX + compact.b45encode(bytes(cbor2.dumps(
        [payload, signer.sign(payload)], canonical=True)))
    read, _, _ = compact.compact_decode(text)
    assert (read.revocation_list, read.suspension_list) == (0, 0)
    path = tmp_path / "old.txt"
    path.write_text(text)
    code, out = _verify([str(path)], MOMENT + dt.timedelta(hours=1), capsys)
    assert code == 2 and "早期格式" in out, out
