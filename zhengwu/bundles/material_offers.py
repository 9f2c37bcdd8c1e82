"""A licence or shared data instead of an upload, for a bundle (一件事) as for one item
(issue 11 item 6; the rules are cases.material_licences', applied per member).

A material of a bundle is given once for every member that needs it (一次采集, grouped by
identity). It may be replaced by the applicant's electronic licence (or the shared data
item) only when **every** member that needs it names the same licence type (or item) for it:
each member's department then receives the same licence, and none is left without the
material it asks for. Step 3 of the wizard shows the offer — which licence, which fields,
for what, for which departments, a preview — and the applicant consents or uploads.

At submission (`uses_for`), the licence named is checked against each member's material
(`material_licences.uses_check`: the applicant's own, valid, of the type asked), before
anything is stored; each member case then records its own use (`record_for_case`): one
use-log row per department that uses it, and the case material keeps (identifier, version,
SM3 of the signed bytes), as a single item's case does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from zhengwu.accounts.models import User
from zhengwu.bundles import definition as d
from zhengwu.cases import material_licences
from zhengwu.cases.material_licences import Offer, Use
from zhengwu.cases.models import Case, CaseMaterial
from zhengwu.catalog.models import ItemImplementation, Material
from zhengwu.core.audit import Actor


@dataclass(frozen=True)
class MemberMaterial:
    """One member's own material for a bundle material identity."""

    item: str
    implementation: ItemImplementation
    material: Material


def _code(material: Material) -> tuple[str, str]:
    return material.licence_type_code, material.shared_item_code


def members_of(needed: d.NeededMaterial,
               implementations: Mapping[str, ItemImplementation | None]) -> list[MemberMaterial]:
    """Each member's material of this identity (materials are prefetched by the guide)."""
    found = []
    for item in needed.members:
        implementation = implementations.get(item)
        if implementation is None:
            continue
        name = needed.names.get(item, needed.name)
        material = next((m for m in implementation.materials.all() if m.name == name), None)
        if material is not None:
            found.append(MemberMaterial(item, implementation, material))
    return found


def substitutable(members: Sequence[MemberMaterial]) -> bool:
    """Every member names the same licence type (or shared data item) for the material."""
    codes = {_code(m.material) for m in members}
    return len(codes) == 1 and any(next(iter(codes)))


def offers_for(bundle_name: str, materials: Iterable[d.NeededMaterial],
               implementations: Mapping[str, ItemImplementation | None],
               applicant: User | None) -> dict[str, Offer]:
    """Per material identity, what the applicant may use instead of uploading it."""
    if applicant is None or not applicant.is_authenticated:
        return {}
    offers: dict[str, Offer] = {}
    for needed in materials:
        members = members_of(needed, implementations)
        if not members or not substitutable(members):
            continue
        first = members[0]
        offer = material_licences.offer_for(first.material, first.implementation, applicant)
        if offer is None:
            continue
        departments = list(dict.fromkeys(m.implementation.department.name for m in members))
        offers[needed.identity] = replace(
            offer, purpose=f"办理“{bundle_name}”", department="、".join(departments))
    return offers


def uses_for(needed: d.NeededMaterial,
             implementations: Mapping[str, ItemImplementation | None], owner: User,
             kind: str, reference: str) -> dict[str, Use]:
    """Check a licence (or shared data) given for a bundle material against every member
    that needs it; member item code → its use. Raises LicenceRefused."""
    members = members_of(needed, implementations)
    if not members or not substitutable(members):
        raise material_licences.LicenceRefused(
            f"材料“{needed.name}”不能以电子证照或共享数据代替，请上传材料。")
    return {m.item: material_licences.uses_check(m.implementation, owner, [
        (m.material.name, kind, reference)])[0] for m in members}


def record_for_case(case: Case, owner: User, uses: Sequence[Use], actor: Actor) -> None:
    """One member case's uses: logged for the holder with their consent, and kept on the
    case's material rows (identifier or item code, version, SM3). In the submission's
    transaction (uses_record refuses to run outside one)."""
    kept = material_licences.uses_record(case_number=case.number,
                                         implementation=case.implementation, owner=owner,
                                         uses=list(uses), actor=actor)
    for name, (reference, version, digest) in kept.items():
        CaseMaterial.objects.filter(case=case, name=name[:200]).update(
            reference=reference[:200], reference_version=version, reference_sm3=digest)
