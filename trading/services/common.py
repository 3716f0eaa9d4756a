"""What every trading service shares: the refusal shape and the trade-log entry shape."""

from portal.errors import ApplicationError
from portal.errors import refuse as refuse  # the app's services import it from here
from portal.tradelog.services import append_entry
from trading.models import Lot, Project


def log(action: str, obj, *, actor, project: Project, lot_id: int | None = None, **payload):
    """Append to the trade log with the routing keys supervision filters on: the project,
    the lot, the category and the centre are in every trading entry."""
    return append_entry(
        action=action,
        obj=obj,
        actor=actor,
        category=project.category.code,
        centre_id=project.centre_id,
        payload={"project": project.pk, "lot": lot_id, **payload},
    )


def lock_lot(lot: Lot) -> Lot:
    return (
        Lot.objects.select_for_update(of=("self",))
        .select_related("project__category", "project__method", "project__region")
        .get(pk=lot.pk)
    )


def ineligible(eligibility, *, status_code: int) -> ApplicationError:
    """The credit registry refused the entity: each reason names its record and measure."""
    messages = [reason.message for reason in eligibility.reasons]
    return ApplicationError(
        "; ".join(messages),
        code="not_eligible",
        fields={"credit": messages},
        status_code=status_code,
    )
