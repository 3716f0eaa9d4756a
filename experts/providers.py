"""How the pool learns a project's parties without importing trading.

The layers forbid `experts` to import `trading` (trading uses the pool, not the reverse). So
trading registers, once at start-up (its AppConfig.ready), a callable that answers "who are
project N's tenderee, agent and bidders, and where is it": the pool calls it when a draw is
requested and again when the evaluation starts.

The parties are never taken from the person requesting the draw: a drawer who could name
the bidders could also leave one out, or add one, and so steer the avoidance — a covert
designation (变相指定). Nor does the drawer need to know who bid, which stays confidential
until the opening.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.errors import ApplicationError


@dataclass(frozen=True)
class ProjectParties:
    """What the pool needs to know about a trading project.

    `bidders` are the unified social credit codes of every entity that submitted a bid to
    the project (withdrawn bids included: avoiding too many is safe, too few is not).
    """

    project_id: int
    title: str
    category: str  # catalog category code, e.g. "engineering", "procurement"
    centre_id: int
    region_id: int
    tenderee_uscc: str
    agent_uscc: str = ""
    bidder_usccs: frozenset[str] = field(default_factory=frozenset)
    lot_ids: frozenset[int] = field(default_factory=frozenset)


ProjectPartiesProvider = Callable[[int], ProjectParties | None]

_provider: ProjectPartiesProvider | None = None


def register_project_parties(provider: ProjectPartiesProvider | None) -> None:
    """Trading registers its provider here (None unregisters, for tests)."""
    global _provider
    _provider = provider


def project_parties(project_id: int) -> ProjectParties:
    """The project's parties; 404 when the project is unknown, 503 when no provider is
    registered (the pool cannot screen experts without knowing whom to avoid)."""
    if _provider is None:
        message = _("The trading system has not registered its projects with the expert pool.")
        raise ApplicationError(message, code="parties_unavailable", status_code=503)
    parties = _provider(project_id)
    if parties is None:
        raise ApplicationError(
            _("Project %(id)s does not exist.") % {"id": project_id},
            code="not_found",
            status_code=404,
        )
    return parties
