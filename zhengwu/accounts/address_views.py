"""我的空间 › 常用地址: the person's own addresses, kept to prefill forms — list, add, change,
delete. Applicants only; every rule is accounts.services' (a refused form keeps what was
typed, the message next to its field)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhengwu.accounts import selectors, services
from zhengwu.accounts.forms import AddressForm
from zhengwu.accounts.models import Address, User
from zhengwu.regions.selectors import home_region, region_list


def _applicant(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if user.is_staff:
        raise PermissionDenied("常用地址是办事群众和企业的个人空间功能，工作人员不可使用。")
    return user


def region_choices() -> list[tuple[str, str]]:
    """The regions of this deployment (its county and everything under it), each named with
    the township it lies in: 蔡子池街道 · 五一路社区."""
    home = home_region()
    if home is None:
        return []
    regions = list(region_list(within=home.code))
    names = {r.code: r.name for r in regions}
    choices = []
    for region in regions:
        parent = names.get(region.parent_id or "") if region.code != home.code else None
        name = region.name if parent is None or region.parent_id == home.code else (
            f"{parent} · {region.name}")
        choices.append((region.code, name))
    return choices


def _form(request: HttpRequest, address: Address | None = None) -> AddressForm:
    initial = {}
    if address is not None:
        initial = {"label": address.label, "region": address.region_id,
                   "detail": address.detail, "postcode": address.postcode,
                   "is_default": address.is_default}
    return AddressForm(request.POST or None, initial=initial, regions=region_choices())


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    user = _applicant(request)
    rows = list(selectors.addresses_for(user))
    return render(request, "accounts/addresses.html", {
        "addresses": rows, "limit": services.ADDRESS_LIMIT,
        "full": len(rows) >= services.ADDRESS_LIMIT})


@login_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int | None = None) -> HttpResponse:
    user = _applicant(request)
    address = None
    if address_id is not None:
        address = selectors.addresses_for(user).filter(pk=address_id).first()
        if address is None:  # absent and another's look the same
            raise Http404("没有这个地址。")
    form = _form(request, address)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_save(user=user, data=form.address_in(),
                                  address_id=address.pk if address else None)
        except services.AddressInvalid as error:  # the limit: about the list, not a field
            form.add_error(None, error.message)
        else:
            messages.success(request, "地址已保存。")
            return redirect("accounts:addresses")
    return render(request, "accounts/address_form.html", {"form": form, "address": address})


@login_required
@require_POST
def address_delete(request: HttpRequest, address_id: int) -> HttpResponse:
    user = _applicant(request)
    try:
        services.address_delete(user=user, address_id=address_id)
    except Address.DoesNotExist as error:
        raise Http404("没有这个地址。") from error
    messages.success(request, "地址已删除。")
    return redirect("accounts:addresses")

