"""The admin API's import and export (issue #15 item 3): the same service as HQ's 导入导出
screen and `fieldsync hub import|export` (hub/services/importing.py), so a file is checked,
planned, applied and audited alike whichever door it came through.

- `POST /api/v1/admin/import/<entity>[?dry_run=1]`: the body is the file's bytes, its format
  told by Content-Type (text/csv, or the xlsx type). The answer is the plan: counts
  new/changed/unchanged, every bad row by line in the request's language, and `applied`.
  A dry run answers 200 whatever the rows; an import with a bad row is refused as a whole,
  400 `import_bad_rows` (the admin API's status for refused input), the plan in the body.
- `GET /api/v1/admin/export/<entity>?format=csv|xlsx`: the columns the import reads back.
The body cap of the import route is the service's own file limit (table_files.MAX_BYTES,
20 MiB: hub/admin_gate.py BODY_LIMITS), still read only after the admin is authenticated."""
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from hub.services.importing import ImportRefused, Plan, RowError, entity_of
from shared.errors import ServiceError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


def file_name_of(content_type: str, entity: str) -> str:
    """A name with the extension the service reads the format from (it never reaches disk)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv", "text/plain"):
        return f"{entity}.csv"
    if kind == XLSX:
        return f"{entity}.xlsx"
    raise ServiceError.of("import_format", name=kind or "(Content-Type)")


def _errors(errors: list[RowError], lang: str) -> list[dict]:
    return [{"line": e.line, "message": e.message(lang)} for e in errors]


def _plan_json(plan: Plan, lang: str, dry_run: bool) -> dict:
    return {"entity": plan.entity, "dry_run": dry_run, "applied": False, "counts": plan.counts,
            "errors": _errors(plan.errors, lang),
            "rows": [{"line": r.line, "key": r.key, "status": r.status,
                      "changes": [{"column": c.column, "old": c.old, "new": c.new} for c in r.changes]}
                     for r in plan.rows]}


def add_routes(app: FastAPI, prefix: str, hub_services: Callable, session_of: Callable, lang_of: Callable):
    @app.post(f"{prefix}/import/{{entity}}", tags=["admin"])
    async def import_file(request: Request, entity: str, dry_run: int = 0):
        """Import (or with dry_run=1 only plan) the CSV / XLSX file in the body."""
        me, lang = session_of(request), lang_of(request)
        entity_of(entity)                        # 404 for an unknown entity before anything else
        name = file_name_of(request.headers.get("content-type", ""), entity)
        data = await request.body()              # bounded by the gate
        return await run_in_threadpool(_import, request, hub_services().importing, me, lang, entity, data, name,
                                       bool(dry_run))

    def _import(request: Request, importing, me, lang: str, entity: str, data: bytes, name: str, dry_run: bool):
        plan = importing.plan(me, entity, data, name)
        if dry_run or plan.errors:
            answer = _plan_json(plan, lang, dry_run)
            if dry_run:
                return answer
            refused = ImportRefused(plan.errors)
            request.state.outcome = refused.code
            return JSONResponse({"error": {"code": refused.code, "message": refused.message(lang)}, **answer},
                                status_code=400)
        try:
            done = importing.apply(me, entity, data, name)
        except ImportRefused as refused:   # the hub changed between the plan and the write
            request.state.outcome = refused.code
            return JSONResponse({"error": {"code": refused.code, "message": refused.message(lang)},
                                 **_plan_json(plan, lang, False), "errors": _errors(refused.errors, lang)},
                                status_code=400)
        return {**_plan_json(plan, lang, False), "applied": True, "counts": done.counts,
                "passwords": [{"username": u, "password": p} for u, p in done.passwords]}

    @app.get(f"{prefix}/export/{{entity}}", tags=["admin"])
    def export_file(request: Request, entity: str, format: str = "csv"):
        """The entity as a CSV or XLSX file, headers in the request's language."""
        me, lang = session_of(request), lang_of(request)
        entity_of(entity)
        data = hub_services().importing.export(me, entity, format, lang)
        return Response(data, media_type=MEDIA[format],
                        headers={"Content-Disposition": f'attachment; filename="{entity}.{format}"'})

