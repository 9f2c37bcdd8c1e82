"""Reads of licences: the holder's own (found by their holder reference, licences.holder), and
the status a licence shows now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from zhengwu.core import clock
from zhengwu.licences.holder import holder_ref
from zhengwu.licences.models import Licence, LicenceStatus


def holder_refs_of(user: Any) -> list[str]:
    """The holder references of an account: its verified ID number (a person) or its USCC
    (an enterprise account). None for an account without either (staff, unverified)."""
    refs = []
    for number in (getattr(user, "citizen_id", ""), getattr(user, "uscc", "")):
        if number:
            refs.append(holder_ref(number))
    return refs


def licences_of_holder(user: Any) -> QuerySet[Licence]:
    """The licences the account holds, newest first, superseded versions left out (the
    current version stands for its serial)."""
    refs = holder_refs_of(user)
    if not refs or not getattr(user, "is_authenticated", False):
        return Licence.objects.none()
    return (Licence.objects.filter(holder_ref__in=refs)
            .exclude(status=LicenceStatus.SUPERSEDED)
            .select_related("licence_type", "issuer_department")
            .order_by("-issued_at", "-id"))


def licence_of_holder(user: Any, identifier: str) -> Licence | None:
    """One licence (any version) of the account's, or None: never another holder's."""
    refs = holder_refs_of(user)
    if not refs or not getattr(user, "is_authenticated", False):
        return None
    return (Licence.objects.filter(holder_ref__in=refs, identifier=identifier)
            .select_related("licence_type", "issuer_department").first())


def status_now(licence: Licence, now: dt.datetime | None = None) -> str:
    """The status as it stands at `now`: a valid licence past its end is expired even before
    the sweep has marked it."""
    moment = now or clock.now()
    if licence.status == LicenceStatus.VALID and licence.valid_until is not None \
            and licence.valid_until < moment:
        return LicenceStatus.EXPIRED
    return licence.status


def licence_public(identifier: str) -> Licence | None:
    """A licence by its identifier, for the public verification page."""
    return (Licence.objects.filter(identifier=identifier)
            .select_related("licence_type", "issuer_department").first())


def licence_type_names(identifiers: set[str]) -> dict[str, str]:
    """Identifier → its licence type's name, in one query (the use log's rows)."""
    return dict(Licence.objects.filter(identifier__in=identifiers).values_list(
        "identifier", "licence_type__name"))
