"""Publishing notices: policies, service list, fee standards, rule clean-up, complaints."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.policies import can_publish_notice
from portal.errors import ApplicationError
from portal.notices.models import Notice
from portal.tradelog.services import append_entry


@transaction.atomic
def publish_notice(*, notice: Notice, actor, at=None) -> Notice:
    """Publish a notice now (or at `at`), recording who published it in the trade log."""
    if not can_publish_notice(actor):
        raise ApplicationError(
            _("Only platform administrators publish notices."),
            code="permission_denied",
            status_code=403,
        )
    notice.published_at = at or timezone.now()
    notice.published_by = actor
    notice.full_clean()
    notice.save()
    append_entry(
        action="notice.published",
        obj=notice,
        actor=actor,
        centre_id=notice.centre_id,
        payload={"kind": notice.kind, "title": notice.title, "published_at": notice.published_at},
    )
    return notice
