"""Policy documents as documents of search as a service (issue 14 §1: the library "searchable
through search as a service"; ADR 0009's extension point): every document in force with its
文号, issuing body, the titles of its 解读 and the benefits it grants, listed apart from items
and 一件事 (kind "policy"). Registered with catalog.search in PoliciesConfig.ready; a change
bumps the catalogue generation (catalog.services.catalog_generation_bump)."""

from __future__ import annotations

from django.urls import reverse

from zhengwu.catalog.search import SourceDoc
from zhengwu.policies.models import DocumentStatus, PolicyDocument

ILLUSTRATIVE_WEIGHT = 0.75  # as an illustrative 一件事: below a real one of equal relevance


def search_documents() -> list[SourceDoc]:
    docs = []
    for document in PolicyDocument.objects.filter(status=DocumentStatus.VALID).prefetch_related(
            "benefits", "interpretations").select_related("department"):
        benefits = [b for b in document.benefits.all() if b.published]
        docs.append(SourceDoc(
            kind="policy", key=str(document.pk), name=document.title,
            url=reverse("policies:document", args=[document.pk]),
            parts=tuple(b.name for b in benefits),
            keywords=(document.doc_number, document.issuer,
                      *(i.title for i in document.interpretations.all())),
            audience="enterprise",
            department=document.department.name if document.department else document.issuer,
            department_ids=frozenset({b.department_id for b in benefits}
                                     | ({document.department_id}
                                        if document.department_id else set())),
            weight=ILLUSTRATIVE_WEIGHT if document.illustrative else 1.0))
    return docs
