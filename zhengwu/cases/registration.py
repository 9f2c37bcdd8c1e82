"""设立登记: a grant that issues a registration certificate (营业执照, a licence type that
`establishes_holder`) to a person's application brings the enterprise into being.

In the decision's transaction (cases.licensing runs this as part of the grant's follow-up):

1. **The code.** The enterprise is assigned its 统一社会信用代码 (GB 32100):
   登记管理部门码 `9` (市场监督管理), 机构类别码 `1` (企业) or `2` (个体工商户) — the licence
   type's `registration_category` — the 6-digit 行政区划码 of the
   registration authority (the issuing department's county), and a 9-character 主体标识码 —
   an 8-character body with its GB 11714 check character — then the GB 32100 check
   character (core.codes.make_uscc).
2. **On the case.** The code is the decision's: `Case.registered_uscc`, with an audit row
   `cases.registration_assign`.
3. **The account.** The enterprise's account (accounts.services.enterprise_register): kind
   enterprise, its USCC, the registered name from the answers (an individual business may have
   none — 《个体工商户登记管理办法》 lets it trade without one — and is then named after its
   operator, "张三（个体工商户）", while its 营业执照's 名称 stays empty), the founder (the case's
   applicant, whose identity the case was filed under) as legal representative, no password:
   the founder speaks for it (accounts.mandates.speaks_for), files its applications and opens
   its space in 我的空间.
4. **The licence** is then issued to the enterprise (holder kind enterprise, id = the USCC).

Any failure (the code refused, the account taken, signing down) rolls the decision back with
everything above: no code without a decision, no decision without its licence.

Where the code comes from. In China a new subject's 主体标识码 is given by the national
统一社会信用代码 赋码 system (the registration authority requests it through its 登记系统; the
codes of 市场监管 registrations begin `MA`). A production deployment plugs that in with
ZHENGWU_USCC_ASSIGNER, the dotted path of a callable `(authority_uscc, region6, case_number)
-> str` that asks it and returns the full 18-character code; the platform checks it (GB 32100,
GB 11714), that its 机构类别码 is the registration's (an individual business's code begins
`92`), and that no account holds it yet. Without it (development, the demo) the code is
minted here: body `MA` + a 6-digit sequence per registration authority (core.numbering, in
the decision's transaction, so a rolled-back grant gives its number back), skipping any code
an account already holds. Such codes are well-formed, not real.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final, Protocol

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from zhengwu.accounts.models import User, UserKind
from zhengwu.accounts.services import enterprise_register
from zhengwu.cases.models import ApplicantKind, Case
from zhengwu.core.audit import SYSTEM, audit_record
from zhengwu.core.codes import CodeError, make_uscc, validate_uscc
from zhengwu.core.errors import InvalidInput
from zhengwu.core.numbering import next_value
from zhengwu.departments.models import Department
from zhengwu.licences.models import LicenceType, RegistrationCategory

# GB 32100 登记管理部门码 9: 工商 (市场监督管理); its 机构类别码 are licences.RegistrationCategory.
MARKET_REGULATION: Final = "9"
# The local stand-in for the national 赋码 system's block of a registration authority.
LOCAL_BODY_PREFIX: Final = "MA"
LOCAL_SEQUENCE_DIGITS: Final = 6
# Tries past codes already held by an account (an imported enterprise, a pack's demo code).
MAX_SKIPS: Final = 50


class Assigner(Protocol):
    def __call__(self, authority_uscc: str, region6: str, case_number: str) -> str: ...


def _local_assign(authority_uscc: str, region6: str, case_number: str,
                  category: str = RegistrationCategory.ENTERPRISE) -> str:
    sequence = next_value(f"uscc:{authority_uscc}")
    body = f"{LOCAL_BODY_PREFIX}{sequence:0{LOCAL_SEQUENCE_DIGITS}d}"
    return make_uscc(MARKET_REGULATION, category, region6, body)


# The setting's value that asks for the local minter on purpose (a demonstration deployment).
LOCAL: Final = "local"


def _assigner(category: str) -> Assigner:
    path = str(getattr(settings, "ZHENGWU_USCC_ASSIGNER", "") or "")
    if path and path != LOCAL:
        return import_string(path)  # type: ignore[no-any-return]
    return partial(_local_assign, category=category)


def uscc_assigner_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Deployment check: a production registration must not mint codes of its own unasked."""
    path = str(getattr(settings, "ZHENGWU_USCC_ASSIGNER", "") or "")
    if not path:
        return [checks.Error(
            "ZHENGWU_USCC_ASSIGNER is not set: a granted 设立登记 would mint the enterprise's "
            "统一社会信用代码 locally, which only the national 赋码 system may assign.",
            hint="Set it to the dotted path of the 赋码 adapter, or to 'local' for a "
                 "demonstration deployment (docs/deploy.md).", id="zhengwu.cases.E001")]
    if path == LOCAL:
        return []
    try:
        assigner = import_string(path)
    except ImportError as error:
        return [checks.Error(f"ZHENGWU_USCC_ASSIGNER={path} cannot be imported: {error}",
                             id="zhengwu.cases.E002")]
    if not callable(assigner):
        return [checks.Error(f"ZHENGWU_USCC_ASSIGNER={path} is not callable",
                             id="zhengwu.cases.E002")]
    return []


def registration_applies(case: Case, licence_type: LicenceType) -> bool:
    """Whether granting this case registers a new enterprise: a registration certificate
    applied for by a person (an enterprise applying for one is a change of its own)."""
    return licence_type.establishes_holder and case.applicant_kind == ApplicantKind.PERSON


def uscc_assign(department: Department, case_number: str,
                category: str = RegistrationCategory.ENTERPRISE) -> str:
    """A new subject's 统一社会信用代码 from the registration authority `department`;
    `category` is its GB 32100 机构类别码."""
    region6 = department.region_id[:6]
    assign = _assigner(category)
    for _ in range(MAX_SKIPS):
        try:
            code = validate_uscc(assign(department.uscc, region6, case_number))
        except CodeError as error:
            raise InvalidInput(f"赋码系统返回的统一社会信用代码无效：{error.message}",
                               code="registration.uscc") from None
        if code[:2] != MARKET_REGULATION + category:
            raise InvalidInput(
                f"赋码系统返回的统一社会信用代码 {code} 不是"
                f"{RegistrationCategory(category).label}的代码（应以 {MARKET_REGULATION}{category} 开头）。",
                code="registration.uscc")
        if not User.objects.filter(kind=UserKind.ENTERPRISE, uscc=code).exists():
            return code
    raise InvalidInput("未能取得未被占用的统一社会信用代码，请联系赋码系统管理员。",
                       code="registration.uscc")


def enterprise_for_registration(case: Case, licence_type: LicenceType, name: str) -> User:
    """Register the enterprise a granted 设立登记 creates (see the module docstring) and return
    its account; a case registered already gives its enterprise back."""
    if case.registered_uscc:
        existing = User.objects.filter(kind=UserKind.ENTERPRISE,
                                       uscc=case.registered_uscc).first()
        if existing is not None:
            return existing
    category = licence_type.registration_category
    if not name and category == RegistrationCategory.INDIVIDUAL_BUSINESS:
        name = f"{case.applicant_name}（{RegistrationCategory.INDIVIDUAL_BUSINESS.label}）"
    if not name:
        raise InvalidInput("设立登记的申请未写明企业名称，不能赋码登记。", code="registration.name")
    department = licence_type.issuing_department
    code = uscc_assign(department, case.number, category)
    enterprise = enterprise_register(
        uscc=code, name=name, legal_representative_name=case.applicant_name,
        legal_representative_id=case.applicant_id_number, actor=SYSTEM,
        case_number=case.number)
    Case.objects.filter(pk=case.pk).update(registered_uscc=code)
    case.registered_uscc = code
    audit_record(actor=SYSTEM, action="cases.registration_assign", obj=case,
                 after={"uscc": code, "enterprise": enterprise.pk, "name": enterprise.display_name,
                        "authority": department.uscc}, stream="cases")
    return enterprise
