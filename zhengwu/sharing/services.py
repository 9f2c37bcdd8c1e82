"""Fetching shared data for a case (`sharing_request`) and the holder's own preview
(`shared_data_preview`): each reads the provider and writes its use-log row in one
transaction, so no data is handed out unlogged and no log row stays for a request that
failed."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import actor_for
from zhengwu.core.audit import Actor, audit_record, sm3_hex
from zhengwu.core.errors import InvalidInput
from zhengwu.core.holder_ref import holder_ref
from zhengwu.sharing.models import SharedDataItem, SharingRequest, SubjectKind, UseBasis, UseKind
from zhengwu.sharing.providers import Provider, provider_get
from zhengwu.sharing.selectors import holder_number, verified_holder_number
from zhengwu.sharing.uselog import use_check, use_record


class NoSharedData(InvalidInput):
    code = "sharing.no_data"
    http_status = 404


def _item(code: str) -> SharedDataItem:
    item = SharedDataItem.objects.select_related("provider").filter(code=code).first()
    if item is None:
        raise InvalidInput(f"共享数据目录中没有数据项“{code}”", code="sharing.unknown_item")
    return item


def _number_for(item: SharedDataItem, user: User) -> str:
    """The applicant's own verified number for an item about their kind of holder."""
    enterprise = user.kind == UserKind.ENTERPRISE
    if (item.subject_kind == SubjectKind.ENTERPRISE) != enterprise or not holder_number(user):
        raise InvalidInput(f"“{item.name}”是{item.get_subject_kind_display()}的数据，"
                           "与申请人不符", code="sharing.wrong_subject")
    number = verified_holder_number(user)
    if not number:
        raise InvalidInput("申请人的身份尚未核验（实名认证 L2），不能调用共享数据，请上传材料。",
                           code="sharing.not_verified")
    return number


def _fields(item: SharedDataItem, data: dict[str, str]) -> dict[str, str]:
    """Only the fields the catalogue lists, in its order: what the provider adds is dropped."""
    return {str(f["key"]): data.get(str(f["key"]), "") for f in item.fields}


def _canonical(data: dict[str, str]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def item_labels(item: SharedDataItem, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) in the catalogue's order, for the preview."""
    return [(str(f.get("label", f["key"])), str(data.get(str(f["key"]), "")))
            for f in item.fields]


def sharing_request(*, case_number: str, item_code: str, applicant: User, purpose: str,
                    actor: Actor, basis: str = UseBasis.CONSENT, basis_text: str = "",
                    provider: Provider | None = None) -> SharingRequest:
    """Fetch `item_code` about the case's applicant for `purpose`, record the use (kind
    shared_data_query; ex_officio_check when the basis is the law) and the request in one
    transaction, and return the request (its `data` is what came back). `actor` is whoever asks (the applicant consenting while applying, or
    the department's staff acting on the case; an ex-officio query passes basis legal_basis
    with the law). Raises NoSharedData when the provider holds nothing for the applicant."""
    if not purpose.strip():
        raise InvalidInput("须写明调用共享数据的用途", code="sharing.purpose_required")
    use_check(kind=UseKind.SHARED_DATA_QUERY, basis=basis, basis_text=basis_text,
              case_number=case_number, licence_id="", item_code=item_code)
    item = _item(item_code)
    number = _number_for(item, applicant)
    with transaction.atomic():
        fetched = (provider or provider_get()).fetch(
            item, number, purpose=purpose, case_number=case_number,
            requester=actor.department_label or actor.label)
        if fetched is None:
            raise NoSharedData(f"{item.provider.name}没有申请人的“{item.name}”数据，请上传材料。")
        data = _fields(item, fetched)
        # Without the applicant's consent a department queries on its legal basis: the holder
        # sees that as 依职能核查.
        kind = UseKind.EX_OFFICIO_CHECK if basis == UseBasis.LEGAL_BASIS \
            else UseKind.SHARED_DATA_QUERY
        use = use_record(kind=kind, holder_ref=holder_ref(number),
                         actor=actor, basis=basis, basis_text=basis_text,
                         case_number=case_number, purpose=purpose, item_code=item.code)
        request = SharingRequest.objects.create(
            case_number=case_number, item=item, applicant=applicant, purpose=purpose[:200],
            basis=basis, basis_text=basis_text, data=data,
            data_sm3=sm3_hex(_canonical(data)), use=use)
        # The audit row names what was fetched, never the data itself.
        audit_record(actor=actor, action="sharing.request", obj=request,
                     object_repr=f"{case_number} {item.code} {item.name}",
                     after={"case_number": case_number, "item": item.code,
                            "basis": basis, "use_seq": use.seq, "data_sm3": request.data_sm3})
    return request


def shared_data_preview(*, user: User, item_code: str,
                        provider: Provider | None = None) -> dict[str, str]:
    """The holder looks at what a department holds about them for one item (before consenting
    to its use): answered to them alone, and logged as their own preview."""
    item = _item(item_code)
    number = _number_for(item, user)
    with transaction.atomic():
        fetched = (provider or provider_get()).fetch(item, number, purpose="本人预览",
                                                    case_number="", requester="本人")
        if fetched is None:
            raise NoSharedData(f"{item.provider.name}没有您的“{item.name}”数据。")
        use_record(kind=UseKind.PREVIEW, holder_ref=holder_ref(number), actor=actor_for(user),
                   basis=UseBasis.HOLDER, purpose="本人预览", item_code=item.code)
    return _fields(item, fetched)
