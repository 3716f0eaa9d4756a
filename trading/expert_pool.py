"""What the expert pool needs to know about a project to draw its committee.

The pool (`experts`) may not import trading; trading registers this provider at startup so
the pool learns whom to avoid — the tenderee, its agent and every entity that bid — from
the trade itself, never from the person requesting the draw (who could leave one out).
"""

from experts import providers
from trading.models import BidSubmission, Project


def trading_project_parties(project_id: int) -> providers.ProjectParties | None:
    project = (
        Project.objects.select_related("category", "tenderee", "agent")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        return None
    return providers.ProjectParties(
        project_id=project.pk,
        title=project.title,
        category=project.category.code,
        centre_id=project.centre_id,
        region_id=project.region_id,
        tenderee_uscc=project.tenderee.uscc,
        agent_uscc=project.agent.uscc if project.agent_id else "",
        # Withdrawn bids too: avoiding one entity too many is safe, one too few is not.
        bidder_usccs=frozenset(
            BidSubmission.objects.filter(lot__project=project).values_list(
                "entity__uscc", flat=True
            )
        ),
        lot_ids=frozenset(project.lots.values_list("pk", flat=True)),
    )


def register() -> None:
    providers.register_project_parties(trading_project_parties)
