"""Electronic-licence benchmarks (issue 11, "Benchmarks"): `make bench-licences [QUICK=1]`, i.e.
`.venv/bin/python bench/run.py --licences [--quick]`.

Every figure is set against its raw library call measured in the same run, interleaved in
blocks (the machine is shared and noisy: read the ratios first, then the absolute figures).
Phase `licences_prepare` migrates a fresh SQLite database and sets up a small licensing office
through the real services: the county (耒阳市), the 市市场监督管理局 with its USCC, as many
licence key files as the Leiyang pack makes (one per department: 464; the public verification
page reads that folder), the 食品经营许可证 licence type, and licences issued with
`licences.services.licence_issue` (signed, status positions drawn, status lists opened and
signed). Each phase then runs in its own process on its own copy of that data directory (with
--database-url each phase builds the office in its own scratch database).

- licences_offline:
  1. offline envelope verification, as `zhengwu licences verify` does it, per exported licence
     file (licences.export): the file's JSON and base64 (`_licence_read` of the command), the
     signed bytes read strictly as canonical JSON and their shape checked, SM2 verify with the
     key found by kid in the key folder (`trust_list.credential_verify_any` →
     `credential.credential_verify_with`), validity at now, and both status bits
     (`status_list.licence_status`) in lists verified once and kept in memory
     (`VerifiedStatusList`, what a verifier app holds). Against `gmssl_pyx.sm2_verify` of the
     same bytes. Also measured (information): the command as it is, which re-verifies both
     lists (their signatures, JSON and GZIP) for every licence; the offline compact QR
     (`compact.compact_verify` plus the two bits); what a canonical re-check of the bytes
     (`canonicalize(parsed) == bytes`, which the verifier does not do) would add.
  2. credential signing: `credential.credential_sign` (shape check, RFC 8785 bytes, SM2 sign
     through the department's `KeyFileSigner` from `signing.signer_get`) against
     `gmssl_pyx.sm2_sign` of the same canonical bytes with the same key; and, for
     information, whole issues through `services.licence_issue` (rows, positions, audit) and
     raw SM2 verify and sign through the system OpenSSL 3 (`licences.openssl_sm2`, the second
     backend the tests cross-check with), when its libcrypto has SM2.
  3. SM3 over a file-sized buffer: `core.audit.sm3_hex` (hashlib; what `licence_sm3` and the
     sharing service hash signed bytes with) and `core.sm2.sm3` (GmSSL; the notice digest)
     against `hashlib.new("sm3")` on the same buffer; SHA-256 (uploads are hashed with it,
     cases.staging) for information; and `licence_sm3` on a licence's signed bytes.
- licences_status: the department's revocation and suspension lists filled with many
  entries (licence rows and positions bulk-inserted: 100,000 licences, 10,000 with --quick; 3 %
  revoked, 2 % superseded, 1 % suspended), then `status.status_list_resign` — read the set
  positions, build the 16 KB bitstring, GZIP and base64url it, sign the list credential, save
  — timed per list, against a raw `zlib` deflate of the same 16 KB bitstring.
- licences_http: the real server as `make run` starts it (`zhengwu serve`, DEBUG off, its task
  worker and sweeper) with ONE gunicorn worker (`ZHENGWU_WEB_WORKERS=1`: requests/s per core),
  on loopback; wrk (else bench/engine.py's Python load generator), 8 connections, rounds of
  `GET /V/<token>` (the public verification page of the short QR: rate limit, the licence, its
  signature checked with the key folder's key, its status, the page, and the scan logged in the
  holder's hash-chained use log) alternating with `GET /healthz` (a trivial view: `SELECT 1`)
  on the same server.

  The rate limit: the page allows 60 looks per client address per 10 minutes
  (presentation.VERIFY_RULE, unchanged). The bench server runs with
  `ZHENGWU_TRUSTED_PROXIES=1`, as behind one reverse proxy, and every request carries its own
  `X-Forwarded-For` address: each request is a different client, as scans from many phones
  are, and each still takes its counter row (the limiter's cost is measured). Checked at the
  end: 61 looks from one address get 60 pages and then 429.

run.py writes the figures to bench/results/licences.json (summary() below: figures, ratios,
goals with met/missed) and the table to bench/results/latest-licences.md.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cases import say

PREPARE = "licences_prepare"
PHASES = ("licences_offline", "licences_status", "licences_http")

# Goals (issue 11, "Benchmarks").
VERIFY_GOAL = 1000.0  # envelopes/s per core
VERIFY_P99_GOAL_MS = 5.0
HTTP_GOAL = 200.0  # requests/s on one worker (one core)
SIGN_GOAL = 250.0  # credentials/s per core
REBUILD_GOAL_MS = 50.0
SM3_GOAL_MBS = 150.0

# The office: the Leiyang pack's 市市场监督管理局 and its 食品经营许可证 (packs/leiyang).
REGION = ("430481000000", "耒阳市")
DEPARTMENT = ("耒阳市市场监督管理局", "市市场监督管理局", "11430481MB489016X0")
LICENCE_TYPE = {
    "code": "11100000MB0000027F001", "name": "食品经营许可证", "authority_name": "国家市场监督管理总局",
    "holder_kind": "enterprise", "validity_years": 5,
    "fields": [{"key": "operatorName", "label": "经营者名称", "source": "form:operator_name"},
               {"key": "legalRepresentative", "label": "法定代表人（负责人）",
                "source": "answers:legal_rep_name"},
               {"key": "address", "label": "住所", "source": "answers:address"},
               {"key": "premises", "label": "经营场所", "source": "answers:premises_address"},
               {"key": "issuedOn", "label": "发证日期", "source": "decided_on"}]}
KEY_FILES = 464  # the Leiyang pack makes a key for each of its 463 departments (+ ours)

# Full / --quick scale.
ISSUED = (400, 60)  # licences issued through the service in the prepared database
VERIFY_OPS = (10_000, 1_000)
SIGN_OPS = (2_000, 200)
ISSUE_OPS = (200, 20)
SM3_BYTES = (64 * 2**20, 8 * 2**20)
SM3_REPEATS = (5, 3)
SMALL_SM3_OPS = (20_000, 5_000)
LIST_LICENCES = (100_000, 10_000)
REBUILDS = (20, 6)
HTTP_ROUNDS = (3, 2)
HTTP_SECONDS = (10, 2)
HTTP_INPROCESS = (60, 20)
PART_CALLS = (200, 50)  # in-process timings of the page's parts
SEQUENTIAL = (100, 30)  # requests of each kind on one connection, one after another
BLOCKS = 5
SHARE_REVOKED, SHARE_SUPERSEDED, SHARE_SUSPENDED = 0.03, 0.02, 0.01
LIMITER_ADDRESS = "192.0.2.61"  # TEST-NET-1: the limiter check's one client


def _scale(pair: tuple[int, int], args: argparse.Namespace) -> int:
    return pair[1] if args.quick else pair[0]


def _share(total: int, block: int) -> int:
    return total // BLOCKS + (1 if block < total % BLOCKS else 0)


def _rate(samples: list[float]) -> dict[str, float]:
    from run import summary_ms

    figures = summary_ms(samples)
    figures["per_s"] = len(samples) / sum(samples)
    return figures


def interleaved(sides: dict[str, tuple[Callable[[int], object], int]],
                warm: int = 20) -> dict[str, dict[str, float]]:
    """Each side's calls (function of the call number, how many in all), timed one by one,
    in BLOCKS blocks taking turns, so that a noisy minute hits every side alike."""
    for function, _ in sides.values():
        for number in range(warm):
            function(number)
    samples: dict[str, list[float]] = {name: [] for name in sides}
    counters = dict.fromkeys(sides, 0)
    clock = time.perf_counter
    for block in range(BLOCKS):
        for name, (function, count) in sides.items():
            times = samples[name]
            start = counters[name]
            for number in range(start, start + _share(count, block)):
                began = clock()
                function(number)
                times.append(clock() - began)
            counters[name] = start + _share(count, block)
    return {name: _rate(times) for name, times in samples.items()}


# --- the office every phase starts from ----------------------------------------------------------


def _holder(number: int) -> Any:
    from zhengwu.core.codes import make_uscc
    from zhengwu.licences.holder import Holder

    return Holder(kind="enterprise", name=f"耒阳市基准餐饮店{number:05d}",
                  id_number=make_uscc("9", "2", "430481", f"B{number:07d}"))


def _payload(number: int) -> dict[str, str]:
    return {"operatorName": f"耒阳市基准餐饮店{number:05d}", "legalRepresentative": "张三",
            "address": f"耒阳市蔡子池街道五一路{number}号", "premises": f"耒阳市蔡子池街道五一路{number}号一楼",
            "issuedOn": "2026-12-06"}


def office(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate, then (unless a copy already has it) the department, keys, type and licences."""
    from run import _database_facts, _django_setup

    _django_setup()
    from django.conf import settings
    from django.test.utils import override_settings

    from zhengwu.core.audit import SYSTEM
    from zhengwu.core.codes import make_uscc
    from zhengwu.departments.models import Department
    from zhengwu.licences.models import Licence
    from zhengwu.licences.services import department_keys_ensure, licence_issue, licence_type_save
    from zhengwu.licences.signing import keyfile_write, licence_key_path
    from zhengwu.regions.models import Region

    facts: dict[str, Any] = {"facts": _database_facts()}
    if settings.ZHENGWU_LICENCE_SIGNING_SERVICE:
        raise SystemExit("unset ZHENGWU_LICENCE_SIGNING_SERVICE: the benchmark signs with key files")
    if Licence.objects.exists():
        say("  licensing office already prepared")
        return facts
    started = time.perf_counter()
    region = Region.objects.create(code=REGION[0], name=REGION[1], level="county",
                                   prefix=REGION[0][:6], home=True)
    department = Department.objects.create(name=DEPARTMENT[0], short_name=DEPARTMENT[1],
                                           uscc=DEPARTMENT[2], region=region,
                                           kind="政府工作部门")
    department_keys_ensure([department])
    for number in range(KEY_FILES - 1):  # the other departments' keys, as the pack makes them
        uscc = make_uscc("1", "1", "430481", f"MB{number:06d}")
        keyfile_write(licence_key_path(uscc), issuer=uscc)
    spec = dict(LICENCE_TYPE)
    licence_type, _ = licence_type_save(
        code=str(spec["code"]), name=str(spec["name"]), authority_name=str(spec["authority_name"]),
        holder_kind=str(spec["holder_kind"]), issuing_department=department,
        fields=spec["fields"], validity_years=int(str(spec["validity_years"])), actor=SYSTEM,
        authority_illustrative=True)
    issued = _scale(ISSUED, args)
    # No PDF rendering tasks: the server's task worker would render them during the HTTP
    # rounds (benchmark data only; the setting is untouched outside this process).
    with override_settings(ZHENGWU_LICENCE_PDF_PRERENDER=False):
        for number in range(issued):
            licence_issue(licence_type=licence_type, holder=_holder(number),
                          payload=_payload(number), actor=SYSTEM, source_case=f"BENCH{number}")
    seconds = time.perf_counter() - started
    say(f"  office: {KEY_FILES} key files, {issued} licences issued in {seconds:.1f}s")
    facts["office"] = {"key_files": KEY_FILES, "licences": issued, "seconds": seconds}
    return facts


def phase_licences_prepare(args: argparse.Namespace) -> dict[str, Any]:
    return office(args)


def _signer_and_key() -> tuple[Any, bytes, bytes, Any]:
    """The department's signer as production gets it, its raw key pair, and the department."""
    from zhengwu.departments.models import Department
    from zhengwu.licences.services import department_signer
    from zhengwu.licences.signing import licence_key_path

    department = Department.objects.get(uscc=DEPARTMENT[2])
    signer = department_signer(department)
    fields = dict(line.split("=", 1) for line in
                  licence_key_path(DEPARTMENT[2]).read_text(encoding="ascii").split()
                  if "=" in line)
    return signer, bytes.fromhex(fields["private"]), bytes.fromhex(fields["public"]), department


# --- phase 1: offline verification, signing, SM3 -------------------------------------------------


def phase_licences_offline(args: argparse.Namespace) -> dict[str, Any]:
    result = office(args)
    import gmssl_pyx  # type: ignore[import-untyped]
    from django.conf import settings

    from zhengwu.cases.material_licences import licence_sm3
    from zhengwu.core import clock, sm2
    from zhengwu.core.audit import SYSTEM, sm3_hex
    from zhengwu.licences import openssl_sm2, presentation, status
    from zhengwu.licences.canonical import canonical_loads, canonicalize
    from zhengwu.licences.compact import compact_verify
    from zhengwu.licences.credential import credential_sign
    from zhengwu.licences.export import licence_export_bytes
    from zhengwu.licences.management.commands.licences import _licence_read
    from zhengwu.licences.models import Licence, LicenceType
    from zhengwu.licences.services import licence_issue
    from zhengwu.licences.signing import KeyRing
    from zhengwu.licences.status_list import licence_status, status_list_verify
    from zhengwu.licences.trust_list import credential_verify_any

    now = clock.now()
    signer, private, public, _department = _signer_and_key()
    own = KeyRing.from_directory(settings.ZHENGWU_LICENCE_KEY_DIR)
    licences = list(Licence.objects.select_related("licence_type", "issuer_department")
                    .order_by("pk"))
    files = [licence_export_bytes(licence) for licence in licences]
    envelopes = [(licence.data, bytes(licence.signature)) for licence in licences]
    signed_lists = status.stored_lists()
    kept_lists = {url: status_list_verify(signed, own) for url, signed in signed_lists.items()}
    compacts = [presentation.licence_compact_code(licence) for licence in licences]
    lists_by_purpose = {kept.purpose: kept for kept in kept_lists.values()}
    sizes = [len(data) for data, _ in envelopes]
    result["sample"] = {"licences": len(licences), "key_ring": len(list(own)),
                        "credential_bytes_median": statistics.median(sizes),
                        "file_bytes_median": statistics.median(len(f) for f in files),
                        "compact_chars_median": statistics.median(len(c) for c in compacts),
                        "status_lists": len(signed_lists)}
    count = len(licences)

    def envelope(number: int) -> None:
        data, signature = _licence_read(files[number % count])
        checked = credential_verify_any(own, None, data, signature, at=now)
        if not checked.ok or checked.credential is None:
            raise SystemExit(f"licence {number % count} did not verify: {checked.reason}")
        state = licence_status(checked.credential, kept_lists, now, own)
        if not state.ok:
            raise SystemExit(f"licence {number % count}: {state.reason}")

    def envelope_cli(number: int) -> None:
        data, signature = _licence_read(files[number % count])
        checked = credential_verify_any(own, None, data, signature, at=now)
        assert checked.credential is not None
        if not licence_status(checked.credential, signed_lists, now, own).ok:
            raise SystemExit("status")

    def raw_verify(number: int) -> None:
        data, signature = envelopes[number % count]
        if not gmssl_pyx.sm2_verify(public, data, signature, sm2.DEFAULT_ID):
            raise SystemExit("raw verify failed")

    openssl = openssl_sm2.unavailable_reason() is None

    def raw_openssl(number: int) -> None:
        data, signature = envelopes[number % count]
        if not openssl_sm2.verify(public, data, signature):
            raise SystemExit("OpenSSL verify failed")

    def compact(number: int) -> None:
        checked = compact_verify(compacts[number % count], own, at=now)
        if not checked.ok or checked.licence is None:
            raise SystemExit(f"compact {number % count}: {checked.reason}")
        for purpose, index in (("revocation", checked.licence.revocation_index),
                               ("suspension", checked.licence.suspension_index)):
            kept = lists_by_purpose[purpose]
            if not kept.valid_from <= now <= kept.valid_until or kept.bits[index]:
                raise SystemExit("compact status")

    parsed = [canonical_loads(data) for data, _ in envelopes]

    def canonical_recheck(number: int) -> None:
        if canonicalize(parsed[number % count]) != envelopes[number % count][0]:
            raise SystemExit("not canonical")

    ops = _scale(VERIFY_OPS, args)
    say(f"  offline verification: {ops:,} envelopes against {ops:,} raw verifies, "
        f"{BLOCKS} blocks")
    sides: dict[str, tuple[Callable[[int], object], int]] = {
        "envelope": (envelope, ops), "raw": (raw_verify, ops),
        "envelope_cli_lists": (envelope_cli, max(100, ops // 5)),
        "compact": (compact, max(100, ops // 2)),
        "canonical_recheck": (canonical_recheck, ops)}
    if openssl:  # the second backend (licences.openssl_sm2), for information
        sides["raw_openssl"] = (raw_openssl, max(100, ops // 2))
    result["verify"] = interleaved(sides)
    # Where an envelope's time goes (information): the file, the signature and shape, the bits.
    parts: dict[str, list[float]] = {"file": [], "credential": [], "status": []}
    for number in range(max(200, ops // 5)):
        began = time.perf_counter()
        data, signature = _licence_read(files[number % count])
        read = time.perf_counter()
        checked = credential_verify_any(own, None, data, signature, at=now)
        verified = time.perf_counter()
        assert checked.credential is not None
        licence_status(checked.credential, kept_lists, now, own)
        done = time.perf_counter()
        parts["file"].append(read - began)
        parts["credential"].append(verified - read)
        parts["status"].append(done - verified)
    result["verify_parts"] = {name: _rate(times) for name, times in parts.items()}
    figures = result["verify"]
    say(f"  envelope {figures['envelope']['per_s']:,.0f}/s (p99 "
        f"{figures['envelope']['p99_ms']:.2f} ms), raw {figures['raw']['per_s']:,.0f}/s, "
        f"CLI lists {figures['envelope_cli_lists']['per_s']:,.0f}/s, compact "
        f"{figures['compact']['per_s']:,.0f}/s")

    # -- signing ---------------------------------------------------------------------------------
    credentials = [canonical_loads(data) for data, _ in envelopes]
    for credential in credentials:
        credential["issuer"]["kid"] = signer.kid
    to_sign = [canonicalize(credential) for credential in credentials]

    def sign(number: int) -> None:
        credential_sign(credentials[number % count], signer)

    def raw_sign(number: int) -> None:
        gmssl_pyx.sm2_sign(private, public, to_sign[number % count], sm2.DEFAULT_ID)

    def raw_openssl_sign(number: int) -> None:
        openssl_sm2.sign(private, public, to_sign[number % count])

    sign_ops = _scale(SIGN_OPS, args)
    sign_sides: dict[str, tuple[Callable[[int], object], int]] = {
        "credential_sign": (sign, sign_ops), "raw": (raw_sign, sign_ops)}
    if openssl:
        sign_sides["raw_openssl"] = (raw_openssl_sign, sign_ops)
    result["sign"] = interleaved(sign_sides)
    check = credential_sign(credentials[0], signer)
    if not sm2.verify(public, check.data, check.signature) or check.data != to_sign[0]:
        raise SystemExit("credential_sign made bytes that do not verify")
    licence_type = LicenceType.objects.select_related("issuing_department").get(
        code=LICENCE_TYPE["code"])
    issue_times = []
    base = Licence.objects.count() + 1000
    for number in range(_scale(ISSUE_OPS, args)):
        began = time.perf_counter()
        licence_issue(licence_type=licence_type, holder=_holder(base + number),
                      payload=_payload(base + number), actor=SYSTEM)
        issue_times.append(time.perf_counter() - began)
    result["issue"] = _rate(issue_times)
    say(f"  credential_sign {result['sign']['credential_sign']['per_s']:,.0f}/s, raw sign "
        f"{result['sign']['raw']['per_s']:,.0f}/s; licence_issue {result['issue']['per_s']:,.1f}/s")

    # -- SM3 -------------------------------------------------------------------------------------
    size = _scale(SM3_BYTES, args)
    buffer = random.Random(11).randbytes(size)

    def raw_sm3(_: int) -> None:
        digest = hashlib.new("sm3")
        digest.update(buffer)
        digest.digest()

    sm3_sides: dict[str, tuple[Callable[[int], object], int]] = {
        "sm3_hex": (lambda _: sm3_hex(buffer), 1), "core_sm3": (lambda _: sm2.sm3(buffer), 1),
        "raw": (raw_sm3, 1), "sha256": (lambda _: hashlib.sha256(buffer).digest(), 1)}
    expected = hashlib.new("sm3", buffer).hexdigest()
    if sm3_hex(buffer) != expected or sm2.sm3(buffer).hex() != expected:
        raise SystemExit("the SM3 functions disagree with hashlib")
    repeats = _scale(SM3_REPEATS, args)
    samples: dict[str, list[float]] = {name: [] for name in sm3_sides}
    gc.collect()
    for _ in range(repeats):
        for name, (function, _n) in sm3_sides.items():
            began = time.perf_counter()
            function(0)
            samples[name].append(time.perf_counter() - began)
    result["sm3"] = {"bytes": size, "repeats": repeats, **{
        name: {"mb_per_s": size / 1e6 / statistics.median(times),
               "best_mb_per_s": size / 1e6 / min(times), "seconds": times}
        for name, times in samples.items()}}
    small = [licence.data for licence in licences]

    def raw_small(number: int) -> None:
        digest = hashlib.new("sm3")
        digest.update(small[number % count])
        digest.hexdigest()

    small_ops = _scale(SMALL_SM3_OPS, args)
    result["sm3_small"] = interleaved({
        "licence_sm3": (lambda n: licence_sm3(licences[n % count]), small_ops),
        "raw": (raw_small, small_ops)})
    result["sm3_small"]["bytes_median"] = statistics.median(len(s) for s in small)
    say("  SM3 over {:,} MiB: sm3_hex {:,.0f} MB/s, core.sm2.sm3 {:,.0f} MB/s, raw hashlib "
        "{:,.0f} MB/s (SHA-256 {:,.0f} MB/s)".format(
            size // 2**20, *(result["sm3"][k]["mb_per_s"]
                             for k in ("sm3_hex", "core_sm3", "raw", "sha256"))))
    return result


# --- phase 2: status-list rebuild and signing ----------------------------------------------------


def phase_licences_status(args: argparse.Namespace) -> dict[str, Any]:
    result = office(args)
    from django.db import connection, transaction
    from run import summary_ms

    from zhengwu.core import clock
    from zhengwu.licences.credential import SignedCredential
    from zhengwu.licences.identifier import licence_id_build
    from zhengwu.licences.models import (
        Licence,
        LicenceStatus,
        LicenceType,
        StatusEntry,
        StatusList,
    )
    from zhengwu.licences.signing import KeyRing, PublicKey
    from zhengwu.licences.status import SET_WHEN, set_positions, status_list_resign
    from zhengwu.licences.status_list import (
        Bitstring,
        status_list_sign,
        status_list_verify,
    )

    now = clock.now()
    signer, _private, _public, department = _signer_and_key()
    licence_type = LicenceType.objects.get(code=LICENCE_TYPE["code"])
    lists = {row.purpose: row for row in StatusList.objects.filter(issuer=department.uscc,
                                                                   number=1)}
    taken = {purpose: set(StatusEntry.objects.filter(status_list=row)
                          .values_list("index", flat=True)) for purpose, row in lists.items()}
    total = _scale(LIST_LICENCES, args)
    rng = random.Random(5)
    positions = {purpose: rng.sample(sorted(set(range(row.length)) - taken[purpose]), total)
                 for purpose, row in lists.items()}
    statuses = ([LicenceStatus.REVOKED] * round(total * SHARE_REVOKED)
                + [LicenceStatus.SUPERSEDED] * round(total * SHARE_SUPERSEDED)
                + [LicenceStatus.SUSPENDED] * round(total * SHARE_SUSPENDED))
    statuses += [LicenceStatus.VALID] * (total - len(statuses))
    rng.shuffle(statuses)
    say(f"  filling the lists with {total:,} licences ({len(statuses) - statuses.count('valid'):,} "
        "not valid) …")
    started = time.perf_counter()
    batch = 5000
    with transaction.atomic():
        for first in range(0, total, batch):
            rows = []
            for number in range(first, min(total, first + batch)):
                serial = f"2025{number:07d}"
                rows.append(Licence(
                    identifier=str(licence_id_build(licence_type.code, department.uscc, serial,
                                                    1)),
                    licence_type=licence_type, issuer_department=department, serial=serial,
                    version=1, holder_kind="enterprise", holder_ref=f"{number:064d}",
                    holder_name=f"基准企业{number}", holder_id_display="-", payload={},
                    signed_data=b"{}", signature=b"", kid=signer.kid, valid_from=now,
                    status=statuses[number], revocation_index=positions["revocation"][number],
                    suspension_index=positions["suspension"][number], issued_at=now,
                    verify_token=None))
            made = Licence.objects.bulk_create(rows)
            StatusEntry.objects.bulk_create(
                [StatusEntry(licence=licence, status_list=lists[purpose], purpose=purpose,
                             index=positions[purpose][first + offset])
                 for offset, licence in enumerate(made) for purpose in lists], batch_size=batch)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["fill"] = {"licences": total, "seconds": time.perf_counter() - started,
                      "entries_per_list": {p: StatusEntry.objects.filter(status_list=row).count()
                                           for p, row in lists.items()},
                      "set_bits": {p: StatusEntry.objects.filter(
                          status_list=row, licence__status__in=SET_WHEN[p]).count()
                          for p, row in lists.items()}}
    say(f"  filled in {result['fill']['seconds']:.1f}s: {result['fill']['entries_per_list']} "
        f"entries, set bits {result['fill']['set_bits']}")

    keys = KeyRing([PublicKey(kid=signer.kid, public_key=signer.public_key,
                              issuer=department.uscc)])
    rebuilds = _scale(REBUILDS, args)
    figures: dict[str, Any] = {}
    for purpose, row in lists.items():
        resign, whole, raw, query, pure = [], [], [], [], []
        bits_bytes = b""
        for _ in range(rebuilds):
            began = time.perf_counter()
            with transaction.atomic():
                locked = StatusList.objects.select_for_update().select_related(
                    "issuer_department").get(pk=row.pk)
                inner = time.perf_counter()
                status_list_resign(locked, now)
                resign.append(time.perf_counter() - inner)
            whole.append(time.perf_counter() - began)
            # Its parts (information): the set positions' query, then the pure rebuild.
            began = time.perf_counter()
            indices = set_positions(row)
            query.append(time.perf_counter() - began)
            began = time.perf_counter()
            bits = Bitstring.from_indices(indices, row.length)
            status_list_sign(url=row.url, purpose=purpose, bits=bits, issuer=row.issuer,
                             signer=signer, now=now)
            pure.append(time.perf_counter() - began)
            # The raw baseline: deflate the same 16 KB bitstring, as encode() does.
            bits_bytes = bytes(bits._bytes)
            began = time.perf_counter()
            deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
            deflate.compress(bits_bytes)
            deflate.flush()
            raw.append(time.perf_counter() - began)
        stored = StatusList.objects.get(pk=row.pk)
        verified = status_list_verify(SignedCredential(
            data=bytes(stored.signed_data), signature=bytes(stored.signature), kid=stored.kid),
            keys)
        set_bits = sum(1 for _ in verified.bits.set_indices())
        if set_bits != result["fill"]["set_bits"][purpose]:
            raise SystemExit(f"{purpose}: the signed list has {set_bits} set bits, expected "
                             f"{result['fill']['set_bits'][purpose]}")
        figures[purpose] = {
            "resign": summary_ms(resign), "transaction": summary_ms(whole),
            "query": summary_ms(query), "build_and_sign": summary_ms(pure),
            "raw_compress": summary_ms(raw), "bytes": len(bits_bytes),
            "signed_bytes": len(stored.signed_data), "set_bits": set_bits,
            "entries": result["fill"]["entries_per_list"][purpose]}
        say(f"  {purpose}: resign median {figures[purpose]['resign']['median_ms']:.1f} ms (max "
            f"{figures[purpose]['resign']['max_ms']:.1f}), raw compress "
            f"{figures[purpose]['raw_compress']['median_ms']:.3f} ms; {set_bits:,} set bits, "
            f"{len(stored.signed_data):,} signed bytes")
    result["rebuild"] = figures
    result["rebuilds"] = rebuilds
    return result


# --- phase 3: the QR verification page over HTTP -------------------------------------------------


WRK_SCAN_LUA = """-- GET {path}, each request from its own client address (bench/licences.py)
local counter = 0
local number = 0
function setup(thread)
  number = number + 1
  thread:set("tid", number)
end
function init(args)
  tid = tid or 0
end
function request()
  counter = counter + 1
  local headers = {{}}
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", {round} * 16 + tid,
    math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("GET", "{path}", headers)
end
"""


def phase_licences_http(args: argparse.Namespace) -> dict[str, Any]:
    result = office(args)
    import engine
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from run import summary_ms

    from zhengwu.licences import presentation
    from zhengwu.licences.models import Licence
    from zhengwu.sharing.models import DataUse

    licence = Licence.objects.select_related("licence_type", "issuer_department").order_by(
        "pk").first()
    assert licence is not None
    assert licence.verify_token
    path = reverse("licence_verify_short", args=[licence.verify_token])
    marker = '<span class="badge ok">有效</span>'.encode()

    # -- in-process: the statements of one scan, and the time of its parts ------------------
    client = Client(HTTP_HOST="127.0.0.1")
    for number in range(3):
        client.get(path, REMOTE_ADDR=f"198.51.100.{number + 1}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, REMOTE_ADDR="198.51.100.10")
    if response.status_code != 200 or marker not in response.content:
        raise SystemExit(f"GET {path} in-process: {response.status_code}")
    statements = [q["sql"] for q in queries.captured_queries]
    inprocess = []
    for number in range(_scale(HTTP_INPROCESS, args)):
        began = time.perf_counter()
        client.get(path, REMOTE_ADDR=f"198.51.{101 + number // 250}.{number % 250 + 1}")
        inprocess.append(time.perf_counter() - began)
    keys_read, signature_checks = [], []
    for _ in range(_scale(PART_CALLS, args)):
        began = time.perf_counter()
        presentation._keys()
        keys_read.append(time.perf_counter() - began)
        began = time.perf_counter()
        presentation.signature_check(licence)
        signature_checks.append(time.perf_counter() - began)
    result.update(
        path_pattern="/V/<token>", page_bytes=len(response.content),
        sql_statements=[engine._one_line(sql) for sql in statements],
        sql_data=len(engine.data_statements(statements)), sql_all=len(statements),
        sql_breakdown=engine.breakdown(statements), inprocess=summary_ms(inprocess),
        keys_read=summary_ms(keys_read), signature_check=summary_ms(signature_checks))
    say(f"  one scan in-process: {result['sql_data']} SQL ({result['sql_all']} with BEGIN/"
        f"COMMIT…), median {result['inprocess']['median_ms']:.1f} ms; key folder read "
        f"{result['keys_read']['median_ms']:.2f} ms, signature check "
        f"{result['signature_check']['median_ms']:.2f} ms")
    scans_before = DataUse.objects.filter(kind="qr_scan").count()
    connection.close()  # the server writes this database now

    # -- the real server, one worker -----------------------------------------------------------
    os.environ["ZHENGWU_WEB_WORKERS"] = "1"
    os.environ["ZHENGWU_TRUSTED_PROXIES"] = "1"
    workdir = Path(settings.DATA_DIR) / "http"
    workdir.mkdir(exist_ok=True)
    use_wrk = shutil.which("wrk") is not None
    generator = "python-threads (http.client; wrk not installed)"
    if use_wrk:
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True,
                                        check=False)
        generator = (version.stdout or version.stderr).splitlines()[0].strip() or "wrk"
    rounds, seconds = _scale(HTTP_ROUNDS, args), _scale(HTTP_SECONDS, args)
    say(f"  load generator: {generator}; {engine.CONNECTIONS} connections, {rounds} × "
        f"{seconds} s; one gunicorn worker")
    server = engine.Server(Path(settings.DATA_DIR))
    runs: dict[str, list[dict[str, Any]]] = {"healthz": [], "scan": []}
    try:
        status, _, page = engine.request("GET", server.port, path,
                                         headers={"X-Forwarded-For": "198.51.100.200"})
        if status != 200 or marker not in page:
            raise SystemExit(f"GET {path}: {status}\n{server.tail()}")
        # One connection, one request after another: each request's own time, no queue.
        sequential: dict[str, list[float]] = {"healthz": [], "scan": []}
        for number in range(_scale(SEQUENTIAL, args)):
            for name, target in (("healthz", engine.HEALTHZ), ("scan", path)):
                began = time.perf_counter()
                answer = engine.request("GET", server.port, target, headers={
                    "X-Forwarded-For": f"198.18.{number // 250}.{number % 250 + 1}"})[0]
                sequential[name].append(time.perf_counter() - began)
                if answer != 200:
                    raise SystemExit(f"GET {target}: {answer}\n{server.tail()}")
        for number in range(rounds):
            for name in ("healthz", "scan"):
                if use_wrk:
                    script = (engine.WRK_GET_LUA.format(path=engine.HEALTHZ) if name == "healthz"
                              else WRK_SCAN_LUA.format(path=path, round=number))
                    figures = engine._wrk(server.port, script, seconds, workdir,
                                          f"{name}-{number}")
                elif name == "healthz":
                    figures = engine._python_load(server.port, "GET", engine.HEALTHZ, seconds,
                                                  lambda n, c: (None, {}))
                else:
                    figures = engine._python_load(
                        server.port, "GET", path, seconds,
                        lambda n, c, r=number: (None, {"X-Forwarded-For":
                                                       f"10.{r * 16 + n}.{c // 256 % 256}."
                                                       f"{c % 256}"}))
                runs[name].append(figures)
                say(f"  round {number + 1}: {name:7} {figures['per_s']:8,.1f} req/s  p50 "
                    f"{figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                    f"failed {figures['failed']}")
        # The limiter is on: one address gets VERIFY_RULE.limit pages, then 429.
        answers = [engine.request("GET", server.port, path,
                                  headers={"X-Forwarded-For": LIMITER_ADDRESS})[0]
                   for _ in range(presentation.VERIFY_RULE.limit + 1)]
    finally:
        server.stop()
    result["sequential"] = {name: summary_ms(times) for name, times in sequential.items()}
    limiter = {"limit": presentation.VERIFY_RULE.limit, "window_s": presentation.VERIFY_RULE.window,
               "ok": answers.count(200), "refused_429": answers.count(429),
               "last": answers[-1]}
    if limiter["ok"] != presentation.VERIFY_RULE.limit or answers[-1] != 429:
        raise SystemExit(f"the limiter did not hold: {limiter}")
    say(f"  limiter: {limiter['ok']} pages then {limiter['last']} from one address")
    scans = DataUse.objects.filter(kind="qr_scan").count() - scans_before
    answered = (sum(r["requests"] - r["failed"] for r in runs["scan"]) + 1 + limiter["ok"]
                + len(sequential["scan"]))
    # wrk stops at the deadline with up to one request per connection in flight, which the
    # server still completes and logs.
    if not answered <= scans <= answered + engine.CONNECTIONS * rounds:
        raise SystemExit(f"{answered} scans answered 200 but {scans} uses logged")
    result.update(load_generator=generator, connections=engine.CONNECTIONS, rounds=rounds,
                  seconds_per_round=seconds, workers=1, trusted_proxies=1, runs=runs,
                  limiter=limiter, scans_logged=scans, scans_answered=answered,
                  server_log_tail=server.tail(5))
    for name, parts in runs.items():
        result[name] = {"per_s": statistics.median(r["per_s"] for r in parts),
                        "p50_ms": statistics.median(r["p50_ms"] for r in parts),
                        "p99_ms": statistics.median(r["p99_ms"] for r in parts),
                        "p99_ms_worst": max(r["p99_ms"] for r in parts),
                        "failed": sum(r["failed"] for r in parts)}
    if result["scan"]["failed"] or result["healthz"]["failed"]:
        raise SystemExit(f"failed requests: scan {result['scan']['failed']}, healthz "
                         f"{result['healthz']['failed']}:\n{server.tail()}")
    return result


PHASE_FUNCTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    PREPARE: phase_licences_prepare, "licences_offline": phase_licences_offline,
    "licences_status": phase_licences_status, "licences_http": phase_licences_http}


# --- licences.json and the table -----------------------------------------------------------------


def _goal(value: float, goal: float, *, at_most: bool = False, below: bool = False,
          unit: str = "") -> dict[str, Any]:
    """A figure against its goal: ≥ goal, ≤ goal (`at_most`) or < goal (`below`)."""
    at_most = at_most or below
    met = (value < goal if below else value <= goal) if at_most else value >= goal
    sign = "<" if below else "≤" if at_most else "≥"
    entry: dict[str, Any] = {"value": round(value, 3), "goal": f"{sign} {goal:g}{unit}",
                             "met": met}
    if not met:
        entry["missed_by"] = (f"{value / goal:.2f}× the goal" if at_most
                              else f"{goal / value:.2f}× below the goal" if value else
                              "nothing measured")
    return entry


def summary(facts: dict[str, Any], results: dict[str, dict[str, Any]],
            args: argparse.Namespace) -> dict[str, Any]:
    """licences.json: the figures the issue names, each with its raw call, ratio and goal."""
    offline, lists, http = (results[p] for p in PHASES)
    verify, sign, sm3 = offline["verify"], offline["sign"], offline["sm3"]
    rebuild = lists["rebuild"]
    slowest = max(rebuild.values(), key=lambda r: r["resign"]["median_ms"])
    out: dict[str, Any] = {
        "quick": bool(args.quick),
        "verify_per_s": round(verify["envelope"]["per_s"], 1),
        "verify_p99_ms": round(verify["envelope"]["p99_ms"], 3),
        "verify_raw_per_s": round(verify["raw"]["per_s"], 1),
        "verify_vs_raw": round(verify["envelope"]["per_s"] / verify["raw"]["per_s"], 3),
        "verify_cli_lists_per_s": round(verify["envelope_cli_lists"]["per_s"], 1),
        "verify_compact_per_s": round(verify["compact"]["per_s"], 1),
        "canonical_recheck_ms": round(verify["canonical_recheck"]["median_ms"], 4),
        "verify_raw_openssl_per_s": round(verify["raw_openssl"]["per_s"], 1)
        if "raw_openssl" in verify else None,
        "sign_raw_openssl_per_s": round(sign["raw_openssl"]["per_s"], 1)
        if "raw_openssl" in sign else None,
        "sign_per_s": round(sign["credential_sign"]["per_s"], 1),
        "sign_raw_per_s": round(sign["raw"]["per_s"], 1),
        "sign_vs_raw": round(sign["credential_sign"]["per_s"] / sign["raw"]["per_s"], 3),
        "issue_per_s": round(offline["issue"]["per_s"], 2),
        "rebuild_ms": {p: round(r["resign"]["median_ms"], 2) for p, r in rebuild.items()},
        "rebuild_max_ms": {p: round(r["resign"]["max_ms"], 2) for p, r in rebuild.items()},
        "rebuild_raw_compress_ms": {p: round(r["raw_compress"]["median_ms"], 4)
                                    for p, r in rebuild.items()},
        "rebuild_vs_raw": {p: round(r["resign"]["median_ms"] / r["raw_compress"]["median_ms"], 1)
                           for p, r in rebuild.items()},
        "sm3_mb_per_s": {k: round(sm3[k]["mb_per_s"], 1)
                         for k in ("sm3_hex", "core_sm3", "raw", "sha256")},
        "sm3_hex_vs_raw": round(sm3["sm3_hex"]["mb_per_s"] / sm3["raw"]["mb_per_s"], 3),
        "core_sm3_vs_raw": round(sm3["core_sm3"]["mb_per_s"] / sm3["raw"]["mb_per_s"], 3),
        "http_scan_per_s": round(http["scan"]["per_s"], 1),
        "http_healthz_per_s": round(http["healthz"]["per_s"], 1),
        "http_scan_vs_healthz": round(http["scan"]["per_s"] / http["healthz"]["per_s"], 3),
        "http_scan_p50_ms": round(http["scan"]["p50_ms"], 2),
        "http_scan_p99_ms": round(http["scan"]["p99_ms"], 2),
        "http_scan_sql": http["sql_data"],
        "http_load_generator": http["load_generator"],
        "http_limiter": http["limiter"],
    }
    out["goals"] = {
        "verify_per_s": _goal(verify["envelope"]["per_s"], VERIFY_GOAL, unit="/s"),
        "verify_p99_ms": _goal(verify["envelope"]["p99_ms"], VERIFY_P99_GOAL_MS, at_most=True,
                               unit=" ms"),
        "http_scan_per_s": _goal(http["scan"]["per_s"], HTTP_GOAL, unit=" req/s"),
        "sign_per_s": _goal(sign["credential_sign"]["per_s"], SIGN_GOAL, unit="/s"),
        "rebuild_ms": _goal(slowest["resign"]["median_ms"], REBUILD_GOAL_MS, below=True,
                            unit=" ms"),
        "sm3_mb_per_s": _goal(min(sm3["sm3_hex"]["mb_per_s"], sm3["core_sm3"]["mb_per_s"]),
                              SM3_GOAL_MBS, unit=" MB/s"),
    }
    out["goals_met"] = all(g["met"] for g in out["goals"].values())
    out["details"] = {p: {k: v for k, v in results[p].items() if k not in ("runs",)}
                      for p in PHASES}
    out["facts"] = facts
    return out


def _mark(entry: dict[str, Any]) -> str:
    return "met" if entry["met"] else f"**missed** ({entry['missed_by']})"


def render(facts: dict[str, Any], results: dict[str, dict[str, Any]],
           args: argparse.Namespace) -> str:
    data = summary(facts, results, args)
    goals = data["goals"]
    offline, lists, http = (results[p] for p in PHASES)
    verify, sign, sm3, sample = offline["verify"], offline["sign"], offline["sm3"], offline["sample"]
    parts = offline["verify_parts"]
    env, raw = verify["envelope"], verify["raw"]
    rows = [
        f"# Electronic-licence benchmarks — {time.strftime('%Y-%m-%d %H:%M')}"
        f"{' (--quick)' if args.quick else ''}", "",
        f"Machine: {facts['cpus']} CPUs ({facts['cpus_usable']} usable, {facts['cpu_model']}), "
        f"{facts['memory']} RAM, shared with other sessions and noisy: load average at start "
        f"{facts['load_average']}; Python {facts['python']}, Django {facts['django']}; "
        f"{offline['facts']['database']} ({offline['facts']['database_settings']}). "
        "Ratios first: each side ran in the same process, interleaved in blocks.", "",
        "| benchmark | ratio (same run) | result | raw library call (same run) | goal | verdict |",
        "|---|---|---|---|---|---|",
        f"| offline envelope verification (file JSON + base64, strict JCS read + shape, SM2 "
        f"verify, 2 status bits), {sample['credential_bytes_median']:,.0f}-byte credential "
        f"| {data['verify_vs_raw']:.2f}× the raw rate | {env['per_s']:,.0f}/s, p50 "
        f"{env['median_ms']:.2f} ms, p99 {env['p99_ms']:.2f} ms | `gmssl_pyx.sm2_verify` "
        f"{raw['per_s']:,.0f}/s, p99 {raw['p99_ms']:.2f} ms | ≥ {VERIFY_GOAL:,.0f}/s | "
        f"{_mark(goals['verify_per_s'])} |",
        f"| the same, p99 | — | {env['p99_ms']:.2f} ms (max {env['max_ms']:.2f}) | — | "
        f"≤ {VERIFY_P99_GOAL_MS:g} ms | {_mark(goals['verify_p99_ms'])} |",
        f"| QR verification page `GET /V/<token>` (rate limit, signature, status, page, scan "
        f"logged), one gunicorn worker, {http['connections']} connections | "
        f"{data['http_scan_vs_healthz']:.3f}× /healthz | {http['scan']['per_s']:,.1f} req/s, "
        f"p50 {http['scan']['p50_ms']:.1f} ms, p99 {http['scan']['p99_ms']:.1f} ms | "
        f"`GET /healthz` (trivial view) {http['healthz']['per_s']:,.1f} req/s | "
        f"≥ {HTTP_GOAL:g} req/s | {_mark(goals['http_scan_per_s'])} |",
        f"| credential signing (`credential_sign`, key-file `Signer`) | {data['sign_vs_raw']:.2f}× "
        f"the raw rate | {sign['credential_sign']['per_s']:,.0f}/s, p99 "
        f"{sign['credential_sign']['p99_ms']:.2f} ms | `gmssl_pyx.sm2_sign` "
        f"{sign['raw']['per_s']:,.0f}/s | ≥ {SIGN_GOAL:g}/s | {_mark(goals['sign_per_s'])} |",
    ]
    for purpose, figures in lists["rebuild"].items():
        rows.append(
            f"| status-list rebuild + signing (`status_list_resign`), {purpose}: "
            f"{figures['entries']:,} entries, {figures['set_bits']:,} set | "
            f"{figures['resign']['median_ms'] / figures['raw_compress']['median_ms']:,.0f}× the "
            f"raw time | median {figures['resign']['median_ms']:.1f} ms, max "
            f"{figures['resign']['max_ms']:.1f} ms | `zlib` deflate of the 16 KB bitstring "
            f"{figures['raw_compress']['median_ms']:.3f} ms | < {REBUILD_GOAL_MS:g} ms | "
            f"{_mark(goals['rebuild_ms'])} |")
    size = sm3["bytes"] // 2**20
    rows += [
        f"| SM3 over a {size} MiB buffer, `core.audit.sm3_hex` (licence_sm3, sharing) | "
        f"{data['sm3_hex_vs_raw']:.2f}× | {sm3['sm3_hex']['mb_per_s']:,.0f} MB/s | "
        f"`hashlib.new(\"sm3\")` {sm3['raw']['mb_per_s']:,.0f} MB/s | ≥ {SM3_GOAL_MBS:g} MB/s | "
        f"{_mark(goals['sm3_mb_per_s'])} |",
        f"| SM3 over the same buffer, `core.sm2.sm3` (GmSSL; notice digest) | "
        f"{data['core_sm3_vs_raw']:.2f}× | {sm3['core_sm3']['mb_per_s']:,.0f} MB/s | "
        f"`hashlib.new(\"sm3\")` {sm3['raw']['mb_per_s']:,.0f} MB/s | ≥ {SM3_GOAL_MBS:g} MB/s | "
        f"(same row) |",
        "", "Information (no goal):", "",
        "| figure | result | compared with |", "|---|---|---|",
        f"| `zhengwu licences verify` as it is: both status lists re-verified (SM2, JSON, GZIP) "
        f"for every licence | {verify['envelope_cli_lists']['per_s']:,.0f}/s, p99 "
        f"{verify['envelope_cli_lists']['p99_ms']:.2f} ms | lists kept verified: "
        f"{env['per_s']:,.0f}/s |",
        f"| offline compact QR (`compact_verify` + 2 status bits), "
        f"{sample['compact_chars_median']:,.0f} characters | {verify['compact']['per_s']:,.0f}/s, "
        f"p99 {verify['compact']['p99_ms']:.2f} ms | raw verify {raw['per_s']:,.0f}/s |",
        *([f"| raw SM2 through the system OpenSSL 3 (`licences.openssl_sm2`, the tests' second "
           f"backend): verify / sign | {verify['raw_openssl']['per_s']:,.0f}/s / "
           f"{sign['raw_openssl']['per_s']:,.0f}/s | GmSSL (`gmssl_pyx`, production): "
           f"{raw['per_s']:,.0f}/s / {sign['raw']['per_s']:,.0f}/s |"]
          if "raw_openssl" in verify and "raw_openssl" in sign else []),
        f"| where an envelope's time goes (median) | file {parts['file']['median_ms']:.3f} ms, "
        f"signature + shape {parts['credential']['median_ms']:.3f} ms, status bits "
        f"{parts['status']['median_ms']:.3f} ms | raw verify {raw['median_ms']:.3f} ms |",
        f"| the canonical re-check of the bytes (`canonicalize(parsed) == bytes`, part of the "
        f"envelope figure) | {verify['canonical_recheck']['median_ms'] * 1000:,.0f} µs median | "
        f"envelope {env['median_ms'] * 1000:,.0f} µs |",
        f"| `licence_issue` through the service (rows, positions, audit row, signing) | "
        f"{offline['issue']['per_s']:,.1f}/s, median {offline['issue']['median_ms']:.1f} ms | "
        f"`credential_sign` {sign['credential_sign']['per_s']:,.0f}/s |",
        f"| `licence_sm3` of a licence's signed bytes ({offline['sm3_small']['bytes_median']:,.0f}"
        f" bytes) | {offline['sm3_small']['licence_sm3']['per_s']:,.0f}/s | raw hashlib "
        f"{offline['sm3_small']['raw']['per_s']:,.0f}/s |",
        f"| SHA-256 over the same {size} MiB (what uploads are hashed with) | "
        f"{sm3['sha256']['mb_per_s']:,.0f} MB/s | SM3 raw {sm3['raw']['mb_per_s']:,.0f} MB/s |",
    ]
    for purpose, figures in lists["rebuild"].items():
        rows.append(
            f"| status-list rebuild, {purpose}: its parts (median) | query of the set positions "
            f"{figures['query']['median_ms']:.1f} ms; bitstring + GZIP + sign "
            f"{figures['build_and_sign']['median_ms']:.1f} ms; the whole transaction "
            f"{figures['transaction']['median_ms']:.1f} ms | {figures['signed_bytes']:,} signed "
            f"bytes |")
    rows += [
        f"| one scan in-process (test client) | {http['inprocess']['median_ms']:.1f} ms median, "
        f"{http['sql_data']} SQL statements ({http['sql_all']} with BEGIN/COMMIT/SAVEPOINT) | "
        f"of which the signature check {http['signature_check']['median_ms']:.2f} ms, itself "
        f"mostly the key folder read ({KEY_FILES} .pub files listed and stat'ed: "
        f"{http['keys_read']['median_ms']:.2f} ms) |",
        f"| one connection, one request after another (no queue), median / p99 | page "
        f"{http['sequential']['scan']['median_ms']:.1f} / {http['sequential']['scan']['p99_ms']:.1f}"
        f" ms | /healthz {http['sequential']['healthz']['median_ms']:.1f} / "
        f"{http['sequential']['healthz']['p99_ms']:.1f} ms |",
        "",
        f"HTTP: {http['load_generator']}; {http['rounds']} rounds of {http['seconds_per_round']} s, "
        "/healthz and the page alternately, median round; one gunicorn worker "
        "(`ZHENGWU_WEB_WORKERS=1`) plus the task worker and the sweeper as `make run` starts "
        "them. Rate limit: unchanged (60 looks per address per 10 minutes); the bench server "
        "runs with `ZHENGWU_TRUSTED_PROXIES=1` and every request carries its own "
        "`X-Forwarded-For` address, so each request is a new client and still takes its "
        f"counter row. Check at the end: one address got {http['limiter']['ok']} pages, then "
        f"{http['limiter']['last']}. {http['scans_logged']:,} scans logged in the use log for "
        f"{http['scans_answered']:,} pages answered.",
        "",
        f"Statements of one scan: {', '.join(f'{k} × {v}' if v > 1 else k for k, v in http['sql_breakdown'].items())}.",
        "",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit("run the licence benchmarks with bench/run.py --licences (make bench-licences)")
