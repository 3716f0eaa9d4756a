"""Scheduled and deferred work of the pool: a few lines each that call a service.

Beat entries to add (portal/settings.py, CELERY_BEAT_SCHEDULE):
``experts.sweep_draws`` every 60 s and ``experts.lift_expired_blacklists`` hourly.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from experts.models import DrawInvitation
from experts.services import lift_expired_blacklists, sweep_draws


@shared_task(name="experts.sweep_draws")
def sweep_draws_task() -> dict:
    """Run draws left committed, lapse unanswered invitations (and replace them), re-check
    the parties, reveal draws whose evaluation has started. Idempotent."""
    return sweep_draws()


@shared_task(name="experts.lift_expired_blacklists")
def lift_expired_blacklists_task() -> int:
    return lift_expired_blacklists()


@shared_task(name="experts.notify_invitations")
def notify_invitations(invitation_ids: list[int]) -> int:
    """Tell each expert invited (and still awaiting an answer): when, where (on site or
    remote), by when to answer — not the project, which the expert learns when the
    evaluation starts. One task and one query for all the invitations a draw sends."""
    invitations = (
        DrawInvitation.objects.select_related("expert__user", "draw__centre", "group")
        # Not the draw's exclusions nor the group's eligible set: thousands of ids each for a
        # large pool, decoded for nothing (in the embedded default this runs in the request).
        .defer("draw__exclusions", "group__eligible")
        .filter(pk__in=list(invitation_ids), state=DrawInvitation.State.INVITED)
        .order_by("pk")
    )
    sent = 0
    for invitation in invitations:
        if not invitation.expert.user.email:
            continue
        draw = invitation.draw
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "You have been drawn for an evaluation (%(specialty)s) at %(centre)s, from "
                "%(start)s to %(end)s (%(scope)s). Please confirm or decline on the platform by "
                "%(deadline)s. Keep this invitation confidential."
            ) % {
                "specialty": invitation.group.specialty_code,
                "centre": draw.centre.name,
                "start": timezone.localtime(draw.needed_from).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(draw.needed_until).strftime("%Y-%m-%d %H:%M"),
                "scope": draw.get_region_scope_display(),
                "deadline": timezone.localtime(invitation.respond_by).strftime("%Y-%m-%d %H:%M"),
            }
            subject = _("Invitation to an evaluation")
        send_mail(subject, body, None, [invitation.expert.user.email])
        sent += 1
    return sent


@shared_task(name="experts.notify_invitation")
def notify_invitation(invitation_id: int) -> bool:
    """One invitation (kept for tasks queued before `notify_invitations`)."""
    return notify_invitations([invitation_id]) == 1
