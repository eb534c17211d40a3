"""POST /scans: a scan report or a CycloneDX BOM adds what it names to a project's inventory."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from sqlalchemy import Connection

from clearance.server import ids, ingest, store
from clearance.server.auth import Actor, require_writer
from clearance.server.models import utcnow
from clearance.server.routes.common import PREFIX, dumps, raw, state

router = APIRouter(prefix=PREFIX)


@router.post("/scans", tags=["inventory"], status_code=201,
             summary="Add what a scan report or a CycloneDX BOM names to a project's inventory")
async def scans(request: Request, document: Any = Body(..., description="`clearance scan --format json` output or a CycloneDX JSON BOM"),
                project: str = Query(..., max_length=100, description="the project the models and datasets are used in"),
                actor: Actor = Depends(require_writer)) -> Response:
    ids.name(project, "project")
    fmt, refs, skipped = ingest.read(document)  # an IngestError is a 422 (app.problem)
    wanted: dict[tuple[str, str], list[str]] = {}
    for ref in refs:
        wanted.setdefault((ref.kind, ref.id), []).append(ref.where)

    def job(s: Connection) -> dict[str, Any]:
        now = utcnow()
        existing = {(k, i.lower()) for k, i in store.project_items(s, project)}
        added, present, rows = [], [], []
        for (kind, rid), wheres in wanted.items():
            if (kind, rid.lower()) in existing:
                present.append({"id": rid, "kind": kind})
                continue
            existing.add((kind, rid.lower()))
            note = "from scan: " + ", ".join(w for w in wheres[:5] if w) if any(wheres) else f"from {fmt}"
            rows.append({"artifact_id": rid, "kind": kind, "project": project, "note": note[:10_000],
                         "created_at": now, "updated_at": now, "created_by": actor.name})
            added.append({"id": rid, "kind": kind})
        if rows:
            store.add_items(s, rows)
        audit_id = store.audit(s, actor.name, "scan.ingest", project, {"format": fmt, "added": len(added),
                                                                       "already_present": len(present),
                                                                       "skipped": len(skipped), "references": len(refs)})
        return {"project": project, "format": fmt, "added": added, "already_present": present,
                "skipped": skipped, "audit_id": audit_id}

    # hundreds of rows or more are written on the writer thread, not on the event loop
    return raw(dumps(await state(request).writes.run(job, heavy=len(wanted) > 100)), 201)
