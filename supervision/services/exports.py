"""Export of cases and their evidence for audit and discipline departments (H4): a ZIP of
files plus a manifest of their SHA-256 digests, the manifest signed with the platform's
Ed25519 key. The receiver checks the signature with the published public key, then each
file against the manifest; nothing in the bundle can be changed unnoticed."""

import hashlib
import io
import json
import zipfile
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from portal.tradelog.services import append_entry
from supervision.models import Alert
from supervision.services import integrity


def _json(value) -> bytes:
    return json.dumps(
        value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, indent=2
    ).encode()


def _alert(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "rule": alert.rule_code,
        "severity": alert.severity,
        "title": alert.title,
        "status": alert.status,
        "status_reason": alert.status_reason,
        "project": alert.project_id_ref,
        "lot": alert.lot_id_ref,
        "project_title": alert.project_title,
        "entities": alert.entities,
        "evidence": alert.evidence,
        "source": alert.source,
        "department": alert.department,
        "trade_log_seq": alert.trade_log_seq,
        "raised_at": alert.created_at,
        "case": alert.case_id,
    }


@transaction.atomic
def export_bundle(*, actor, cases, alerts, now: datetime | None = None) -> bytes:
    """The signed bundle of `cases` and `alerts` (querysets the actor may read). The export
    itself is written to the trade log with the manifest's digest."""
    now = now or timezone.now()
    files = {
        "cases.json": _json(
            [
                {
                    "id": case.pk,
                    "title": case.title,
                    "department": case.department,
                    "project": case.project_id_ref,
                    "state": case.state,
                    "opened_at": case.opened_at,
                    "conclusion": case.conclusion,
                    "alerts": [a.pk for a in case.alerts.all()],
                }
                for case in cases
            ]
        ),
        "alerts.json": _json([_alert(a) for a in alerts]),
    }
    manifest = {
        "platform": integrity.settings.PLATFORM_NAME,
        "exported_at": now.isoformat(),
        "exported_by": actor.username,
        "algorithm": "SHA-256",
        "files": {
            name: {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
            for name, body in sorted(files.items())
        },
    }
    manifest_bytes = _json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, body in files.items():
            bundle.writestr(name, body)
        bundle.writestr("manifest.json", manifest_bytes)
        bundle.writestr("manifest.json.sig", integrity.sign(manifest_bytes))
        bundle.writestr("public_key.pem", integrity.public_key_pem())
    append_entry(
        action="supervision.bundle_exported",
        obj=None,
        object_type="supervision.bundle",
        object_id=now.strftime("%Y%m%dT%H%M%S"),
        actor=actor,
        payload={
            "manifest_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
            "cases": [c.pk for c in cases],
            "alerts": [a.pk for a in alerts],
        },
    )
    return buffer.getvalue()
