"""A licence or shared data instead of an uploaded material (issue 11 item 6, the EU
Once-Only Technical System pattern).

A guide's material may name the licence type (`Material.licence_type_code`) or the shared
data item (`Material.shared_item_code`) that satisfies it. While applying:

- `offers_for` says, per material, which licence the applicant (or the enterprise they file
  for) holds and may use — valid now, of that type — with the fields that will be used, for
  what purpose and by which department, and a preview of the data; or which shared data item
  the department will fetch (previewed on the sharing page, logged as the holder's preview).
- The applicant confirms (consent) or declines and uploads instead. A use names the licence
  by identifier (`MaterialIn(kind=e_license, reference=<identifier>)`) or the item by code
  (`kind=shared_data`); `uses_check` refuses a licence that is not the applicant's own, not
  valid, or of another type than the material asks — with one message whether or not such a
  licence exists, so nobody learns of another's licence by guessing identifiers.
- `uses_record` runs in the submission's transaction: each licence used becomes the case
  material's record (identifier, version, SM3 of the signed bytes, no file) and one use-log row
  (sharing.use_record, use_in_case, basis consent); each shared item is fetched by
  sharing_request with consent. A failed submission leaves neither.

Without the holder's consent a department may still check a licence or fetch data it needs
(依职能核查), only with its legal basis written down: `ex_officio_check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from zhengwu.accounts.models import User, UserKind
from zhengwu.cases.access import roles_on
from zhengwu.cases.models import Case
from zhengwu.catalog.models import ItemImplementation, Material
from zhengwu.core.audit import Actor, audit_record, sm3_hex
from zhengwu.core.errors import InvalidInput, NotAllowed
from zhengwu.licences.fields import labelled
from zhengwu.licences.models import Licence, LicenceStatus
from zhengwu.licences.selectors import licence_of_holder, licences_of_holder, status_now
from zhengwu.sharing.models import (
    SharedDataItem,
    SharingRequest,
    SubjectKind,
    UseBasis,
    UseKind,
)
from zhengwu.sharing.selectors import verified_holder_number
from zhengwu.sharing.services import sharing_request
from zhengwu.sharing.uselog import use_record

# What the API and the page send for "use my licence" / "use the shared data".
LICENCE = "e_license"
SHARED = "shared_data"


class LicenceRefused(InvalidInput):
    """A licence named for a material that cannot stand in for it (422)."""

    code = "case.licence_refused"


@dataclass
class Offer:
    """What the applicant is shown for one material: the licence they may use (or the shared
    data item the department would fetch), what of it is used, for what, by whom."""

    material: Material
    purpose: str
    department: str
    licence: Licence | None = None
    item: SharedDataItem | None = None
    preview: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        if self.licence is not None:
            return [label for label, _value in self.preview]
        return [str(f.get("label", f["key"])) for f in (self.item.fields if self.item else [])]


def offer_given(offer: Offer) -> tuple[str, str]:
    """(kind, reference) of a material given by consenting to the offer: the licence by its
    identifier, or the shared data item by its code (one item's form and a 一件事's)."""
    if offer.licence is not None:
        return LICENCE, offer.licence.identifier
    return SHARED, offer.material.shared_item_code


def purpose_of(implementation: ItemImplementation) -> str:
    """The purpose a use is logged with (the holder reads it in 谁用了我的证照/数据)."""
    return f"办理“{implementation.item.name}”（{implementation.department.name}）"


def _valid(licence: Licence) -> bool:
    return status_now(licence) == LicenceStatus.VALID


def held_licence(applicant: User, type_code: str) -> Licence | None:
    """The applicant's current valid licence of the type, newest first; None when they hold
    none."""
    for licence in licences_of_holder(applicant).filter(licence_type__code=type_code):
        if _valid(licence):
            return licence
    return None


def _item_for(applicant: User, code: str) -> SharedDataItem | None:
    """The shared data item, when it is about the applicant's kind of holder and their
    number is verified (sharing refuses the rest)."""
    item = SharedDataItem.objects.select_related("provider").filter(code=code).first()
    if item is None or not verified_holder_number(applicant):
        return None
    enterprise = applicant.kind == UserKind.ENTERPRISE
    if (item.subject_kind == SubjectKind.ENTERPRISE) != enterprise:
        return None
    return item


def offer_for(material: Material, implementation: ItemImplementation,
              applicant: User) -> Offer | None:
    """What the applicant may use instead of uploading `material`: the valid licence of its
    type they hold, or its shared data item when it is about them; None otherwise."""
    purpose, department = purpose_of(implementation), implementation.department.name
    if material.licence_type_code:
        licence = held_licence(applicant, material.licence_type_code)
        if licence is not None:
            return Offer(material, purpose, department, licence=licence,
                         preview=labelled(licence.licence_type.fields, licence.payload))
    elif material.shared_item_code:
        item = _item_for(applicant, material.shared_item_code)
        if item is not None:
            return Offer(material, purpose, department, item=item)
    return None


def offers_for(implementation: ItemImplementation, applicant: User | None) -> dict[int, Offer]:
    """Per material position, what the applicant may use instead of uploading it."""
    if applicant is None or not applicant.is_authenticated:
        return {}
    offers: dict[int, Offer] = {}
    for material in implementation.materials.all():
        offer = offer_for(material, implementation, applicant)
        if offer is not None:
            offers[material.position] = offer
    return offers


def substitutable(implementation: ItemImplementation) -> dict[str, Material]:
    """The materials a licence or shared data may stand in for, by name."""
    return {m.name: m for m in implementation.materials.all()
            if m.licence_type_code or m.shared_item_code}


@dataclass
class Use:
    """One material satisfied by a licence or shared data, checked before the case exists."""

    name: str
    kind: str
    licence: Licence | None = None
    item_code: str = ""


def uses_check(implementation: ItemImplementation, owner: User,
               named: list[tuple[str, str, str]]) -> list[Use]:
    """Check each (material name, kind, reference) the applicant names: the material takes a
    licence or shared data; a licence is the owner's own, valid now and of the material's
    type. Raises LicenceRefused (the same words whether another's licence exists or not)."""
    materials = substitutable(implementation)
    uses = []
    for name, kind, reference in named:
        material = materials.get(name)
        if kind == LICENCE:
            if material is None or not material.licence_type_code:
                raise LicenceRefused(f"材料“{name}”不能以电子证照代替。")
            licence = licence_of_holder(owner, reference.strip())
            if licence is None or licence.licence_type.code != material.licence_type_code \
                    or not _valid(licence):
                raise LicenceRefused(f"材料“{name}”：申请人名下没有可用的该电子证照"
                                     "（须为本人或本企业持有、有效、且为本材料所需的证照类型）。")
            uses.append(Use(name, kind, licence=licence))
        elif kind == SHARED:
            if material is None or not material.shared_item_code \
                    or (reference and reference != material.shared_item_code):
                raise LicenceRefused(f"材料“{name}”不能以该共享数据代替。")
            if _item_for(owner, material.shared_item_code) is None:
                raise LicenceRefused(f"材料“{name}”：不能为申请人调用该共享数据（数据项与申请人"
                                     "不符，或身份尚未核验），请上传材料。")
            uses.append(Use(name, kind, item_code=material.shared_item_code))
    return uses


def licence_sm3(licence: Licence) -> str:
    """The SM3 of the licence's signed bytes, as stored (never re-serialized)."""
    return sm3_hex(licence.data)


def uses_record(*, case_number: str, implementation: ItemImplementation, owner: User,
                uses: list[Use], actor: Actor) -> dict[str, tuple[str, int | None, str]]:
    """Log each use with the holder's consent, in the caller's transaction; return per
    material name what the case keeps: (identifier or item code, version, SM3)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("uses_record must run inside the submission's transaction")
    kept: dict[str, tuple[str, int | None, str]] = {}
    purpose = purpose_of(implementation)
    for use in uses:
        if use.licence is not None:
            use_record(kind=UseKind.USE_IN_CASE, holder_ref=use.licence.holder_ref, actor=actor,
                       basis=UseBasis.CONSENT, case_number=case_number, purpose=purpose,
                       licence_id=use.licence.identifier)
            kept[use.name] = (use.licence.identifier, use.licence.version,
                              licence_sm3(use.licence))
        else:
            request = sharing_request(case_number=case_number, item_code=use.item_code,
                                      applicant=owner, purpose=purpose, actor=actor)
            kept[use.name] = (use.item_code, None, request.data_sm3)
    return kept


def _ex_officio_guard(case: Case, staff: User, basis_text: str) -> None:
    """Who may check without consent, and only with the legal basis written down."""
    if not basis_text.strip():
        raise InvalidInput("依职能核查须写明法定依据（法律法规名称及条款）。",
                           code="case.ex_officio_basis")
    if staff.kind != UserKind.STAFF or not roles_on(staff, case):
        raise NotAllowed("只有办件所属部门的工作人员可以依职能核查。", code="case.ex_officio_forbidden")


def ex_officio_check(*, case: Case, actor: Actor, staff: User, basis_text: str,
                     licence_identifier: str = "", item_code: str = "") -> str:
    """依职能核查: staff of the case's department check the applicant's licence (or fetch a
    shared data item) without their consent, on the legal basis they write down, logged for
    the holder. Returns the SM3 of what was checked."""
    _ex_officio_guard(case, staff, basis_text)
    purpose = purpose_of(case.implementation)
    with transaction.atomic():
        if licence_identifier:
            owner = case.applicant
            licence = licence_of_holder(owner, licence_identifier) if owner else None
            if licence is None:
                raise LicenceRefused("申请人名下没有该电子证照。")
            use_record(kind=UseKind.EX_OFFICIO_CHECK, holder_ref=licence.holder_ref,
                       actor=actor, basis=UseBasis.LEGAL_BASIS, basis_text=basis_text,
                       case_number=case.number, purpose=purpose,
                       licence_id=licence.identifier)
            digest = licence_sm3(licence)
            audit_record(actor=actor, action="cases.licence_ex_officio", obj=case,
                         after={"licence": licence.identifier, "version": licence.version,
                                "sm3": digest}, reason=basis_text)
            return digest
        request = sharing_request(case_number=case.number, item_code=item_code,
                                  applicant=case.applicant, purpose=purpose, actor=actor,
                                  basis=UseBasis.LEGAL_BASIS, basis_text=basis_text)
        return request.data_sm3


# --- 依职能核查 from the case page -------------------------------------------------------------

LICENCE_TARGET, SHARED_TARGET = "licence:", "shared:"


def ex_officio_targets(implementation: ItemImplementation) -> list[tuple[str, str]]:
    """What staff may check without consent on a case of this item: the licence types and
    shared data items its materials name, as (value, label) for the form."""
    targets: dict[str, str] = {}
    for material in implementation.materials.all():
        if material.licence_type_code:
            targets.setdefault(LICENCE_TARGET + material.licence_type_code,
                               f"{material.name}（电子证照）")
        if material.shared_item_code:
            targets.setdefault(SHARED_TARGET + material.shared_item_code,
                               f"{material.name}（共享数据 {material.shared_item_code}）")
    return list(targets.items())


@dataclass
class ExOfficioResult:
    """What an ex-officio check showed the department (and logged for the holder)."""

    what: str  # the licence type or shared data item's name
    reference: str  # the licence's identifier, or the item code
    status: str  # the licence's status now ("" for shared data)
    preview: list[tuple[str, str]]
    sm3: str


def ex_officio_lookup(*, case: Case, actor: Actor, staff: User, basis_text: str,
                      target: str) -> ExOfficioResult:
    """依职能核查 of one target the item's materials name (ex_officio_targets): the applicant's
    newest licence of that type, whatever its status (the department must see a revoked one
    too), or the shared data item — through ex_officio_check, so the basis rule and the log
    are its."""
    _ex_officio_guard(case, staff, basis_text)
    if target not in dict(ex_officio_targets(case.implementation)):
        raise InvalidInput("所选核查对象不是本事项材料所列的电子证照或共享数据。",
                           code="case.ex_officio_target")
    code = target.partition(":")[2]
    if target.startswith(LICENCE_TARGET):
        owner = case.applicant
        licence = licences_of_holder(owner).filter(licence_type__code=code).select_related(
            "licence_type").first() if owner is not None else None
        if licence is None:
            raise LicenceRefused("申请人名下没有该类电子证照。")
        digest = ex_officio_check(case=case, actor=actor, staff=staff, basis_text=basis_text,
                                  licence_identifier=licence.identifier)
        return ExOfficioResult(
            licence.licence_type.name, licence.identifier,
            LicenceStatus(status_now(licence)).label,
            labelled(licence.licence_type.fields, licence.payload), digest)
    digest = ex_officio_check(case=case, actor=actor, staff=staff, basis_text=basis_text,
                              item_code=code)
    request = SharingRequest.objects.filter(case_number=case.number, item__code=code,
                                            data_sm3=digest).select_related("item").last()
    item = request.item if request else None
    fields = {str(f["key"]): str(f.get("label", f["key"])) for f in (item.fields if item else [])}
    data = request.data if request else {}
    return ExOfficioResult(item.name if item else code, code, "",
                           [(fields.get(k, k), str(v)) for k, v in data.items()], digest)
