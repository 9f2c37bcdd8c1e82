"""Running a catalogue import from a file: read, validate every row, then write all or nothing.

Progress goes to the cache (shared by web and worker processes) so the page and the command
line can show rows processed while the single write transaction is still open.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

from zhengwu.catalog.models import CatalogImport, ImportStatus
from zhengwu.catalog.rows import CatalogRow, Problem, RowError, parse_row, read_table
from zhengwu.catalog.services import ImportResult, catalog_import_rows
from zhengwu.core.audit import Actor, audit_record

Progress = Callable[[str, int, int], None]
MAX_REPORTED_PROBLEMS = 1000


def progress_key(import_id: int) -> str:
    return f"catalog-import:{import_id}"


def parse_file(file_name: str, content: bytes,
               progress: Progress | None = None) -> tuple[list[CatalogRow], list[Problem]]:
    try:
        raw_rows = read_table(file_name, content)
    except RowError as error:
        return [], [Problem(0, error.column, error.message)]
    rows: list[CatalogRow] = []
    problems: list[Problem] = []
    total = len(raw_rows)
    for index, raw in enumerate(raw_rows, start=2):  # row 1 is the header
        parsed = parse_row(index, raw)
        if isinstance(parsed, list):
            problems.extend(parsed)
        else:
            rows.append(parsed)
        if progress is not None and (index % 200 == 0 or index - 1 == total):
            progress("validating", index - 1, total)
    return rows, problems


def import_file(*, file_name: str, content: bytes, actor: Actor,
                progress: Progress | None = None) -> ImportResult:
    rows, problems = parse_file(file_name, content, progress)
    if problems:
        return ImportResult(problems=problems)

    def write_progress(done: int, total: int) -> None:
        if progress is not None and (done % 50 == 0 or done == total):
            progress("writing", done, total)

    return catalog_import_rows(rows=rows, actor=actor, progress=write_progress,
                               note=f"导入 {file_name}")


@transaction.atomic
def import_create(*, file_name: str, content: bytes, actor: Actor) -> CatalogImport:
    job = CatalogImport.objects.create(file_name=file_name[:200], content=content,
                                       uploaded_by=actor.user)
    audit_record(actor=actor, action="catalog.import_upload", obj=job,
                 after={"file_name": file_name, "bytes": len(content)})
    return job


def import_run(*, import_id: int, actor: Actor) -> CatalogImport:
    """Run a queued import; the job row ends succeeded or failed with every problem listed."""
    job = CatalogImport.objects.get(pk=import_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return job
    CatalogImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)

    def progress(phase: str, done: int, total: int) -> None:
        cache.set(progress_key(job.pk), {"phase": phase, "done": done, "total": total}, 3600)

    result = import_file(file_name=job.file_name, content=bytes(job.content), actor=actor,
                         progress=progress)
    with transaction.atomic():
        job = CatalogImport.objects.select_for_update().get(pk=job.pk)
        total = result.created + result.updated + result.unchanged
        if result.ok:
            job.status = ImportStatus.SUCCEEDED
            job.total_rows = job.processed_rows = total
            job.created_count, job.updated_count = result.created, result.updated
        else:
            job.status = ImportStatus.FAILED
            job.errors = [p.as_text() for p in result.problems[:MAX_REPORTED_PROBLEMS]]
        job.save()
        audit_record(actor=actor, action="catalog.import_finish", obj=job,
                     after={"status": job.status, "created": job.created_count,
                            "updated": job.updated_count, "errors": len(job.errors)})
    cache.delete(progress_key(job.pk))
    return job


def import_progress(job: CatalogImport) -> dict[str, object]:
    live = cache.get(progress_key(job.pk)) or {}
    return {"id": job.pk, "status": job.status, "status_label": job.get_status_display(),
            "phase": live.get("phase", ""), "done": live.get("done", job.processed_rows),
            "total": live.get("total", job.total_rows), "created": job.created_count,
            "updated": job.updated_count, "errors": job.errors}
