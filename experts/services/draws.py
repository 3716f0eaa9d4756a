"""The draw (专家抽取): request and commitment, the draw itself, the experts' answers, the
replacements, the reveal when the evaluation starts, cancellation.

A draw happens in two transactions:

1. `request_draw` screens the pool (`experts.selectors.screen_sub_pool`: the database sets
   aside the experts with nothing on record, `experts.avoidance.screen_pool` screens the
   rest), takes a fresh seed from the operating system, and commits: the draw with
   SHA-256(seed) and the digest of the eligible sets is written and published in the trade
   log. The public value is the hash of that trade-log entry.
2. `execute_draw`, once the commitment is committed (published), runs the algorithm of
   `experts.draw_plan` and records the invitations. Each expert is checked once more when
   invited (a draw in between may have booked him); one who no longer qualifies is
   recorded as skipped and replaced from the same order.

There is no parameter anywhere through which a person could name, prefer or exclude an
expert (F2: 不得以明示、暗示等方式指定或者变相指定专家): a request carries specialties and
counts, a time, a region scope and a number of reserves; the parties to avoid come from
trading, never from the requester.

While the draw is live the names are sealed: the trade log records invitations by sequence
number only, and the seed stays encrypted (`experts.sealed_seed`). The reveal entry maps
the sequence numbers to experts and publishes the seed.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import avoidance, draw_plan, policies, providers, sealed_seed, selectors
from experts.gc_pause import gc_paused
from experts.models import DrawGroup, DrawInvitation, ExpertDraw, ExpertProfile
from experts.services.common import draw_gate, forbid, log_draw, refuse
from portal.centres.models import Centre, Region
from portal.errors import ApplicationError

#: When the request gives only the start, the evaluation is taken to last this long.
DEFAULT_EVALUATION_HOURS = 8
#: A sanity bound on one request (committees are 5, 7, 9 … members).
MAX_EXPERTS_PER_DRAW = 49
#: Keys a request may carry. Anything else is refused, and keys that would name or rank
#: experts are refused as designation.
REQUEST_FIELDS = frozenset(
    {"specialties", "needed_at", "needed_until", "region_scope", "backups", "lot"}
)
DESIGNATION_HINTS = ("expert", "member", "designat", "prefer", "include", "exclude", "person")
#: Reasons that disqualify a member when the evaluation starts.
SEATING_OBSTACLES = frozenset(
    {
        avoidance.Reason.NOT_ACTIVE,
        avoidance.Reason.BLACKLISTED,
        avoidance.Reason.EMPLOYED_BY_PARTY,
        avoidance.Reason.RELATED_TO_PARTY,
    }
)


@dataclass(frozen=True)
class SpecialtyCount:
    """One line of a request: so many experts of this specialty (or any below it)."""

    code: str
    count: int
    backups: int | None = None  # None: the request's `backups`


def check_request_keys(keys: Iterable[str]) -> None:
    """Refuse a request that tries to name or rank experts, or carries anything unknown."""
    unknown = sorted(set(keys) - REQUEST_FIELDS)
    if not unknown:
        return
    if any(hint in key.lower() for key in unknown for hint in DESIGNATION_HINTS):
        message = _(
            "Experts are drawn at random: nobody may designate, prefer or exclude an expert."
        )
        raise refuse(message, "designation_refused", **{key: [message] for key in unknown})
    message = _("Unknown field.")
    raise refuse(message, "unknown_field", **{key: [message] for key in unknown})


def _parties_of(snapshot: dict) -> avoidance.Parties:
    return avoidance.Parties(
        tenderee=snapshot.get("tenderee", ""),
        agent=snapshot.get("agent", ""),
        bidders=frozenset(snapshot.get("bidders", [])),
    )


def _snapshot(parties: providers.ProjectParties) -> dict:
    return {
        "tenderee": parties.tenderee_uscc,
        "agent": parties.agent_uscc,
        "bidders": sorted(parties.bidder_usccs),
    }


def _rules_of(draw: ExpertDraw) -> avoidance.AvoidanceRules:
    return avoidance.AvoidanceRules(
        lookback_years=int(draw.rules["lookback_years"]),
        repeat_tenderee_limit=int(draw.rules["repeat_tenderee_limit"]),
    )


def _window(draw: ExpertDraw) -> avoidance.Period:
    return avoidance.Period(draw.needed_from, draw.needed_until)


# --- 1. Request and commitment ---------------------------------------------------------------


def _check_request(
    specialties: Sequence[SpecialtyCount], backups: int, needed_from, needed_until, scope
) -> None:
    if not specialties:
        raise refuse(_("Ask for at least one specialty."), "specialties_missing", "specialties")
    codes = [line.code for line in specialties]
    if len(set(codes)) != len(codes):
        raise refuse(
            _("Each specialty appears once; give its total count."),
            "specialty_repeated",
            "specialties",
        )
    if any(line.count < 1 for line in specialties):
        raise refuse(_("Each count is at least 1."), "count_invalid", "specialties")
    reserves = [backups if line.backups is None else line.backups for line in specialties]
    if backups < 0 or any(value < 0 for value in reserves):
        raise refuse(_("Reserves cannot be negative."), "backups_invalid", "backups")
    total = sum(line.count for line in specialties) + sum(reserves)
    if total > MAX_EXPERTS_PER_DRAW:
        raise refuse(
            _("At most %(max)d experts per draw.") % {"max": MAX_EXPERTS_PER_DRAW},
            "too_many",
            "specialties",
        )
    if scope not in avoidance.Scope.ALL:
        raise refuse(_("Unknown region scope."), "region_scope_invalid", "region_scope")
    if needed_from <= timezone.now():
        raise refuse(_("The evaluation must start in the future."), "needed_at_past", "needed_at")
    if needed_until <= needed_from:
        raise refuse(
            _("The evaluation must end after it starts."), "needed_until_invalid", "needed_until"
        )


@transaction.atomic
def request_draw(
    *,
    actor,
    project_id: int,
    specialties: Sequence[SpecialtyCount],
    needed_from: datetime,
    region_scope: str,
    backups: int = 0,
    needed_until: datetime | None = None,
    lot_id: int | None = None,
) -> ExpertDraw:
    """Screen the pool and publish the commitment. Nothing is drawn yet (see execute_draw)."""
    parties = providers.project_parties(project_id)
    centre = Centre.objects.get(pk=parties.centre_id)
    if not policies.can_request_draw(actor, centre=centre):
        raise forbid(
            _("Draws are requested by the expert drawer, or by a county port for its own projects.")
        )
    if lot_id is not None and lot_id not in parties.lot_ids:
        raise refuse(_("This lot is not part of the project."), "lot_invalid", "lot")
    needed_until = needed_until or needed_from + timedelta(hours=DEFAULT_EVALUATION_HOURS)
    _check_request(specialties, backups, needed_from, needed_until, region_scope)
    known = selectors.specialties_by_code(line.code for line in specialties)
    unknown = [line.code for line in specialties if line.code not in known]
    if unknown:
        raise refuse(
            _("Unknown specialty: %(codes)s.") % {"codes": ", ".join(unknown)},
            "specialty_unknown",
            "specialties",
        )
    values = selectors.pool_rules()
    rules = selectors.avoidance_rules(parties.category, values=values)
    repeat_window = int(values["avoidance.repeat_tenderee_window_days"])
    region = Region.objects.select_related("parent").get(pk=parties.region_id)
    home = selectors.home_region_codes(region)
    party = avoidance.Parties(
        tenderee=parties.tenderee_uscc,
        agent=parties.agent_uscc,
        bidders=frozenset(parties.bidder_usccs),
    )
    window = avoidance.Period(needed_from, needed_until)
    draw_gate()
    now = timezone.now()
    with gc_paused():
        screening = selectors.screen_sub_pool(
            groups=[avoidance.GroupRequest(line.code, line.count) for line in specialties],
            window=window,
            drawn_at=now,
            parties=party,
            scope=region_scope,
            home_regions=home,
            rules=rules,
            repeat_window_days=repeat_window,
        )
    specs = [
        draw_plan.GroupSpec(
            code=line.code,
            count=line.count,
            backups=backups if line.backups is None else line.backups,
            eligible=eligible,
        )
        for line, eligible in zip(specialties, screening.eligible, strict=True)
    ]
    _check_sufficient(specs)
    digests = [draw_plan.group_digest(spec.eligible) for spec in specs]
    seed = secrets.token_bytes(draw_plan.SEED_BYTES)
    draw = ExpertDraw.objects.create(
        project_id=project_id,
        lot_id=lot_id,
        project_title=parties.title[:200],
        category=parties.category,
        centre=centre,
        region=region,
        tenderee_uscc=parties.tenderee_uscc,
        parties=_snapshot(parties),
        requested_by=actor,
        requested_at=now,
        needed_from=needed_from,
        needed_until=needed_until,
        region_scope=region_scope,
        home_regions=sorted(home),
        algorithm=draw_plan.ALGORITHM,
        commitment=draw_plan.commitment_of(seed),
        eligible_digest=draw_plan.eligible_digest(specs, digests),
        rules={
            "lookback_years": rules.lookback_years,
            "repeat_tenderee_limit": rules.repeat_tenderee_limit,
            "repeat_tenderee_window_days": repeat_window,
            "respond_hours": int(values["invitation.respond_hours"]),
            "reveal_lead_minutes": int(values["reveal.lead_minutes"]),
        },
        exclusions=_exclusions_record(screening.exclusions),
    )
    draw.seed_sealed = sealed_seed.seal(seed, draw_id=draw.pk)
    DrawGroup.objects.bulk_create(
        DrawGroup(
            draw=draw,
            position=position,
            specialty=known[spec.code],
            specialty_code=spec.code,
            count=spec.count,
            backups=spec.backups,
            eligible=list(spec.eligible),
            eligible_digest=digest,
        )
        for position, (spec, digest) in enumerate(zip(specs, digests, strict=True))
    )
    entry = log_draw(
        "expert_draw.committed",
        draw,
        actor=actor,
        algorithm=draw.algorithm,
        commitment=draw.commitment,
        eligible_digest=draw.eligible_digest,
        groups=[
            {
                "specialty": spec.code,
                "count": spec.count,
                "backups": spec.backups,
                "eligible": len(spec.eligible),
                "eligible_digest": digest,
            }
            for spec, digest in zip(specs, digests, strict=True)
        ],
        exclusions=len(screening.exclusions),
        needed_from=needed_from.isoformat(),
        needed_until=needed_until.isoformat(),
        region_scope=region_scope,
    )
    draw.commit_log_seq = entry.seq
    draw.public_value = entry.entry_hash
    draw.save(update_fields=["seed_sealed", "commit_log_seq", "public_value"])
    return draw


def _exclusions_record(exclusions: Sequence[avoidance.Exclusion]) -> list[dict]:
    """The exclusions as the audit record lists them. Thousands of exclusions share a few
    distinct reasons, so each reason's entry is built once (the stored JSON is the same)."""
    entries: dict[int, dict] = {}  # by the reason's identity: the screening shares them

    def entry(reason: avoidance.ExclusionReason) -> dict:
        found = entries.get(id(reason))
        if found is None:
            found = entries[id(reason)] = {"code": reason.code, "detail": reason.detail}
        return found

    return [
        {"expert": exclusion.expert_id, "reasons": [entry(r) for r in exclusion.reasons]}
        for exclusion in exclusions
    ]


def _check_sufficient(specs: Sequence[draw_plan.GroupSpec]) -> None:
    short = {
        spec.code: [
            _("%(eligible)d eligible experts for %(count)d places.")
            % {"eligible": len(spec.eligible), "count": spec.count}
        ]
        for spec in specs
        if len(spec.eligible) < spec.count
    }
    seats = sum(spec.count for spec in specs)
    # The union is at least the largest set: counted only when that is not enough already.
    enough = max(len(spec.eligible) for spec in specs) >= seats
    if not short and not enough and len(set().union(*(s.eligible for s in specs))) < seats:
        short = {"specialties": [_("Too few eligible experts across the specialties.")]}
    if short:
        raise refuse(
            _(
                "Not enough eligible experts: widen the region scope or the specialty, or "
                "move the evaluation."
            ),
            "not_enough_experts",
            status=409,
            **short,
        )


# --- 2. The draw -----------------------------------------------------------------------------


def _seed_of(draw: ExpertDraw) -> bytes:
    if draw.seed_revealed:
        return bytes.fromhex(draw.seed_revealed)
    return sealed_seed.unseal(draw.seed_sealed, draw_id=draw.pk)


def _sequence(draw: ExpertDraw, rows: Sequence[DrawGroup] | None = None) -> draw_plan.DrawSequence:
    """The draw's sequence replayed from what the database records, checked against it
    (`rows`: the draw's groups, in position order, when the caller has read them)."""
    if rows is None:
        rows = list(draw.groups.order_by("position"))
    groups = [
        draw_plan.GroupSpec(g.specialty_code, g.count, g.backups, tuple(g.eligible)) for g in rows
    ]
    recorded = list(
        draw.invitations.order_by("invite_seq").values_list(
            "group__position", "expert_id", "vacated_seq"
        )
    )
    vacancies = [
        expert
        for _g, expert, seq in sorted(
            (row for row in recorded if row[2] is not None), key=lambda row: row[2]
        )
    ]
    sequence = draw_plan.replay(
        seed=_seed_of(draw),
        public_value=bytes.fromhex(draw.public_value),
        draw_id=draw.pk,
        groups=groups,
        vacancies=vacancies,
    )
    expected = [(invite.group, invite.expert_id) for invite in sequence.invited]
    actual = [(group, expert) for group, expert, _seq in recorded]
    # A draw not executed yet has recorded nothing; every other has recorded everything.
    complete = draw.state != ExpertDraw.State.COMMITTED or actual
    if expected[: len(actual)] != actual or (complete and len(expected) != len(actual)):
        raise RuntimeError(f"expert draw {draw.pk} does not replay: the records were altered")
    return sequence


def _obstacles(
    draw: ExpertDraw,
    expert_ids: Sequence[int],
    *,
    now: datetime,
    parties: avoidance.Parties | None = None,
) -> dict[int, list[avoidance.ExclusionReason]]:
    """Why each of these experts may not hold an invitation of this draw now."""
    parties = parties or _parties_of(draw.parties)
    window = _window(draw)
    candidates = {
        candidate.expert_id: candidate
        for candidate in selectors.invitation_candidates(
            window=window,
            drawn_at=now,
            parties=parties,
            expert_ids=expert_ids,
            repeat_window_days=int(draw.rules["repeat_tenderee_window_days"]),
            exclude_draw_id=draw.pk,
        )
    }
    reasons = {}
    for expert_id in expert_ids:
        candidate = candidates.get(expert_id)
        if candidate is None:
            reasons[expert_id] = [
                avoidance.ExclusionReason(avoidance.Reason.NOT_ACTIVE, "not in the pool")
            ]
            continue
        found = avoidance.avoidance_reasons(
            candidate, parties=parties, window=window, drawn_at=now, rules=_rules_of(draw)
        )
        if found:
            reasons[expert_id] = found
    return reasons


def _reason_text(reasons: Iterable[avoidance.ExclusionReason]) -> str:
    return "; ".join(f"{r.code}:{r.detail}" if r.detail else r.code for r in reasons)[:300]


def _respond_by(draw: ExpertDraw, now: datetime) -> datetime:
    deadline = now + timedelta(hours=int(draw.rules["respond_hours"]))
    return max(min(deadline, draw.needed_from), now + timedelta(minutes=1))


#: The draw's invitation and vacancy counters, which `_settle` advances.
COUNTERS = ("next_invite_seq", "next_vacancy_seq")


def _settle(
    draw: ExpertDraw,
    sequence: draw_plan.DrawSequence,
    *,
    now: datetime,
    group_rows: Sequence[DrawGroup] | None = None,
    save: bool = True,
) -> list:
    """Record every invitation the sequence has made and the database has not, checking each
    expert once more; one who no longer qualifies is recorded as skipped (a vacancy) and
    replaced. Returns the invitations sent. `group_rows`: the draw's groups if the caller has
    read them; `save=False` leaves the draw's counters for the caller to write.

    The draw gate serialises everything that books experts, so the check is current; should
    anything book past the gate, the exclusion constraint refuses the insert and the whole
    transaction fails (a committed draw is retried by the sweep), never a double booking."""
    sent = []
    # The groups as foreign keys only: not their eligible sets (thousands of ids each).
    if group_rows is None:
        group_rows = draw.groups.defer("eligible")
    groups = {group.position: group for group in group_rows}
    while draw.next_invite_seq < len(sequence.invited):
        batch = sequence.invited[draw.next_invite_seq :]
        obstacles = _obstacles(draw, [invite.expert_id for invite in batch], now=now)
        rows = []
        for invite in batch:
            invitation = DrawInvitation(
                draw=draw,
                group=groups[invite.group],
                expert_id=invite.expert_id,
                invite_seq=draw.next_invite_seq,
                starts_at=draw.needed_from,
                ends_at=draw.needed_until,
                invited_at=now,
                respond_by=_respond_by(draw, now),
            )
            draw.next_invite_seq += 1
            reasons = obstacles.get(invite.expert_id)
            if reasons:
                invitation.state = DrawInvitation.State.SKIPPED
                invitation.reason = _reason_text(reasons)
                invitation.vacated_seq = draw.next_vacancy_seq
                draw.next_vacancy_seq += 1
                sequence.vacate(invite.expert_id)
            else:
                sent.append(invitation)
            rows.append(invitation)
        DrawInvitation.objects.bulk_create(rows)
    if save:
        draw.save(update_fields=COUNTERS)
    if sent:
        transaction.on_commit(lambda pks=[i.pk for i in sent]: _notify(pks))
    return sent


def _notify(invitation_ids: list[int]) -> None:
    from experts.tasks import notify_invitations

    notify_invitations.delay(invitation_ids)


def _lock_draw(draw: ExpertDraw) -> ExpertDraw:
    draw_gate()
    # The exclusions (thousands of entries for a large pool) are the audit's, not needed here.
    return ExpertDraw.objects.select_for_update().defer("exclusions").get(pk=draw.pk)


def _release_live(draw: ExpertDraw, *, keep: Iterable[int] = ()) -> int:
    return (
        draw.invitations.filter(state__in=DrawInvitation.LIVE)
        .exclude(pk__in=list(keep))
        .update(state=DrawInvitation.State.RELEASED)
    )


@transaction.atomic
def execute_draw(*, draw: ExpertDraw) -> ExpertDraw:
    """Draw from the committed eligible sets (idempotent: a draw is executed once)."""
    draw = _lock_draw(draw)
    if draw.state != ExpertDraw.State.COMMITTED:
        return draw
    now = timezone.now()
    rows = list(draw.groups.order_by("position"))  # one read for the replay and the invitations
    sequence = _sequence(draw, rows)
    sent = _settle(draw, sequence, now=now, group_rows=rows, save=False)  # saved with the outcome
    shortfall = sequence.shortfall()
    if shortfall:
        _release_live(draw)
        draw.state = ExpertDraw.State.FAILED
        draw.failure_reason = _("Too few eligible experts were left when the draw ran.")
        draw.seed_revealed = _seed_of(draw).hex()
        draw.save(update_fields=[*COUNTERS, "state", "failure_reason", "seed_revealed"])
        log_draw(
            "expert_draw.failed",
            draw,
            shortfall={str(k): v for k, v in shortfall.items()},
            seed=draw.seed_revealed,
        )
        return draw
    draw.state = ExpertDraw.State.DRAWN
    draw.drawn_at = now
    draw.save(update_fields=[*COUNTERS, "state", "drawn_at"])
    log_draw(
        "expert_draw.drawn",
        draw,
        seats=sum(group.count for group in sequence.groups),
        invitations=len(sent),
        skipped=draw.next_vacancy_seq,
    )
    return draw


def draw_experts(
    *,
    actor,
    project_id: int,
    specialties: Sequence[SpecialtyCount],
    needed_from: datetime,
    region_scope: str,
    backups: int = 0,
    needed_until: datetime | None = None,
    lot_id: int | None = None,
) -> ExpertDraw:
    """Request, commit, then draw: two transactions, so the commitment is published before
    the draw runs. A draw left committed by a crash between them is run by the sweep.

    The cyclic garbage collector is paused for the whole draw (see `experts.gc_pause`): on a
    large pool the draw's transient rows, candidates and exclusions set off collections of
    the older generations, each walking the process's whole heap, which made the slowest
    draws cost half as much again as the median. Nothing is leaked: reference counting frees
    as usual, and whatever cycles the ORM leaves are found by the next collection after it."""
    with gc_paused():
        draw = request_draw(
            actor=actor,
            project_id=project_id,
            specialties=specialties,
            needed_from=needed_from,
            region_scope=region_scope,
            backups=backups,
            needed_until=needed_until,
            lot_id=lot_id,
        )
        return execute_draw(draw=draw)


# --- 3. Answers, lapses, withdrawals: vacancies and replacements ---------------------------


def _vacate(
    draw: ExpertDraw, invitation: DrawInvitation, *, state: str, reason: str, now: datetime
) -> list:
    """The expert gives the invitation up: record the vacancy and draw the next expert of
    the same group's order (the same eligible set)."""
    sequence = _sequence(draw)
    invitation.state = state
    invitation.reason = reason[:300]
    invitation.responded_at = invitation.responded_at or now
    invitation.vacated_seq = draw.next_vacancy_seq
    draw.next_vacancy_seq += 1
    invitation.save(update_fields=["state", "reason", "responded_at", "vacated_seq"])
    sequence.vacate(invitation.expert_id)
    sent = _settle(draw, sequence, now=now)
    log_draw(
        "expert_draw.vacancy",
        draw,
        invitation=invitation.invite_seq,
        vacancy=invitation.vacated_seq,
        state=state,
        replacements=[i.invite_seq for i in sent],
        shortfall=sum(sequence.shortfall().values()),
    )
    return sent


@transaction.atomic
def respond_to_invitation(
    *, invitation: DrawInvitation, actor, accept: bool, reason: str = "", recuse: bool = False
) -> DrawInvitation:
    """The invited expert confirms, declines, or recuses (declares a conflict of interest).
    A decline or recusal triggers a further draw from the same eligible set."""
    if not policies.owns_profile(actor, invitation.expert):
        raise refuse(_("Not found."), "not_found", status=404)
    draw = _lock_draw(invitation.draw)
    invitation = DrawInvitation.objects.select_for_update().get(pk=invitation.pk)
    now = timezone.now()
    if draw.state != ExpertDraw.State.DRAWN:
        raise refuse(_("This draw is closed."), "draw_closed", status=409)
    if invitation.state == DrawInvitation.State.CONFIRMED and accept:
        return invitation
    if invitation.state != DrawInvitation.State.INVITED:
        raise refuse(_("This invitation has been answered."), "already_answered", status=409)
    if now >= invitation.respond_by:
        raise refuse(_("The time to answer has passed."), "answer_lapsed", status=409)
    if accept:
        invitation.state = DrawInvitation.State.CONFIRMED
        invitation.responded_at = now
        invitation.save(update_fields=["state", "responded_at"])
        # The expert answers through the platform; the entry names the invitation, not the
        # person, until the reveal (the invitation row records who and when).
        log_draw("expert_draw.confirmed", draw, invitation=invitation.invite_seq)
        return invitation
    state = DrawInvitation.State.RECUSED if recuse else DrawInvitation.State.DECLINED
    _vacate(draw, invitation, state=state, reason=reason.strip() or state, now=now)
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def withdraw_expert_from_draws(*, expert: ExpertProfile, reason: str) -> int:
    """A suspended, blacklisted or retired expert gives up every live invitation of draws
    not yet revealed; each is replaced. Returns the number withdrawn."""
    draw_ids = sorted(
        set(
            DrawInvitation.objects.filter(
                expert=expert,
                state__in=DrawInvitation.LIVE,
                draw__state=ExpertDraw.State.DRAWN,
            ).values_list("draw_id", flat=True)
        )
    )
    withdrawn = 0
    now = timezone.now()
    for draw_id in draw_ids:  # in id order: two withdrawals never wait on each other
        draw = _lock_draw(ExpertDraw(pk=draw_id))
        invitation = (
            draw.invitations.select_for_update()
            .filter(expert=expert, state__in=DrawInvitation.LIVE)
            .first()
        )
        if draw.state != ExpertDraw.State.DRAWN or invitation is None:
            continue
        _vacate(draw, invitation, state=DrawInvitation.State.SKIPPED, reason=reason, now=now)
        withdrawn += 1
    return withdrawn


@transaction.atomic
def refresh_draw(*, draw: ExpertDraw, now: datetime | None = None) -> int:
    """Bring a live draw up to date (idempotent): invitations left unanswered past their
    time lapse; the parties are asked again (bids arrive until the deadline) and an invited
    expert now in conflict is recused. Each vacancy is replaced. Returns the vacancies."""
    draw = _lock_draw(draw)
    if draw.state != ExpertDraw.State.DRAWN:
        return 0
    now = now or timezone.now()
    vacancies = 0
    for invitation in (
        draw.invitations.select_for_update()
        .filter(state=DrawInvitation.State.INVITED, respond_by__lte=now)
        .order_by("invite_seq")
    ):
        _vacate(
            draw,
            invitation,
            state=DrawInvitation.State.NO_ANSWER,
            reason=DrawInvitation.State.NO_ANSWER,
            now=now,
        )
        vacancies += 1
    try:
        current = _snapshot(providers.project_parties(draw.project_id))
    except ApplicationError:  # trading unreachable or the project gone: keep the snapshot
        current = draw.parties
    if current != draw.parties:
        draw.parties = current
        draw.save(update_fields=["parties"])
        log_draw("expert_draw.parties_updated", draw, bidders=len(current["bidders"]))
        live = list(
            draw.invitations.select_for_update()
            .filter(state__in=DrawInvitation.LIVE)
            .order_by("invite_seq")
        )
        obstacles = _obstacles(draw, [i.expert_id for i in live], now=now)
        for invitation in live:
            reasons = [
                r for r in obstacles.get(invitation.expert_id, []) if r.code in SEATING_OBSTACLES
            ]
            if reasons:
                _vacate(
                    draw,
                    invitation,
                    state=DrawInvitation.State.RECUSED,
                    reason=_reason_text(reasons),
                    now=now,
                )
                vacancies += 1
    return vacancies


# --- 4. The evaluation starts: the reveal ---------------------------------------------------


def _reveal(draw: ExpertDraw, *, actor, now: datetime, trigger: str) -> ExpertDraw:
    members = selectors.members_of(draw)
    _release_live(draw, keep=[m.pk for m in members])
    draw.seed_revealed = _seed_of(draw).hex()
    draw.state = ExpertDraw.State.REVEALED
    draw.revealed_at = now
    draw.save(update_fields=["seed_revealed", "state", "revealed_at"])
    log_draw(
        "expert_draw.revealed",
        draw,
        actor=actor,
        trigger=trigger,
        seed=draw.seed_revealed,
        members=[m.expert_id for m in members],
        invitations=[
            {"seq": seq, "expert": expert, "state": state}
            for seq, expert, state in draw.invitations.order_by("invite_seq").values_list(
                "invite_seq", "expert_id", "state"
            )
        ],
    )
    return draw


def _draw_for(project_id: int, lot_id: int | None) -> ExpertDraw | None:
    live = ExpertDraw.objects.filter(
        project_id=project_id, state__in=[ExpertDraw.State.DRAWN, ExpertDraw.State.REVEALED]
    ).order_by("-requested_at", "-pk")
    if lot_id is not None:
        draw = live.filter(lot_id=lot_id).first()
        if draw is not None:
            return draw
    return live.filter(lot_id__isnull=True).first()


@transaction.atomic
def committee_for_evaluation(*, project_id: int, actor, lot_id: int | None = None) -> list:
    """The evaluation starts: reveal the draw and return its members' accounts (role
    `expert`), group by group in invitation order — for trading's `set_committee`.

    Refuses (409, nothing written) while the committee is not ready: a member has not
    confirmed, the group ran short, or a member now conflicts with the project's parties
    (the sweep, `refresh_draw`, then recuses and replaces him). Idempotent once revealed.
    The draw for `lot_id` is used if there is one, else the project's draw without a lot.
    """
    parties = providers.project_parties(project_id)
    centre = Centre.objects.get(pk=parties.centre_id)
    if not policies.can_start_evaluation(actor, centre=centre):
        raise forbid(_("Only the centre hosting the evaluation seats the committee."))
    draw_gate()
    found = _draw_for(project_id, lot_id)
    if found is None:
        raise refuse(_("No experts have been drawn for this evaluation."), "no_draw", status=404)
    draw = ExpertDraw.objects.select_for_update().get(pk=found.pk)
    now = timezone.now()
    lead = timedelta(minutes=int(draw.rules["reveal_lead_minutes"]))
    if draw.state == ExpertDraw.State.DRAWN and now < draw.needed_from - lead:
        raise refuse(
            _("The evaluation has not started: the names stay sealed until %(time)s.")
            % {"time": timezone.localtime(draw.needed_from - lead).strftime("%Y-%m-%d %H:%M")},
            "too_early",
            status=409,
        )
    members = selectors.members_of(draw)
    problems = []
    expected = sum(group.count for group in draw.groups.all())
    if len(members) < expected:
        problems.append(_("%(n)d places are not filled.") % {"n": expected - len(members)})
    unconfirmed = [m for m in members if m.state != DrawInvitation.State.CONFIRMED]
    if unconfirmed:
        problems.append(_("%(n)d members have not confirmed.") % {"n": len(unconfirmed)})
    current = avoidance.Parties(
        tenderee=parties.tenderee_uscc,
        agent=parties.agent_uscc,
        bidders=frozenset(parties.bidder_usccs),
    )
    obstacles = _obstacles(draw, [m.expert_id for m in members], now=now, parties=current)
    conflicted = [
        m
        for m in members
        if any(r.code in SEATING_OBSTACLES for r in obstacles.get(m.expert_id, []))
    ]
    if conflicted:
        problems.append(
            _("%(n)d members must be avoided; replacements will be drawn.") % {"n": len(conflicted)}
        )
    if problems:
        raise refuse(problems[0], "committee_not_ready", status=409, members=problems)
    if draw.state == ExpertDraw.State.DRAWN:
        _reveal(draw, actor=actor, now=now, trigger="evaluation_started")
    return [member.expert.user for member in members]


@transaction.atomic
def reveal_due_draws(*, now: datetime | None = None) -> int:
    """The time trigger: a draw whose evaluation has started is revealed even if nobody has
    asked for the committee yet, so its audit record becomes complete."""
    now = now or timezone.now()
    due = ExpertDraw.objects.filter(state=ExpertDraw.State.DRAWN, needed_from__lte=now)
    return sum(
        _reveal_if_due(draw_id, now=now)
        for draw_id in due.order_by("pk").values_list("pk", flat=True)
    )


def _reveal_if_due(draw_id: int, *, now: datetime) -> bool:
    draw = _lock_draw(ExpertDraw(pk=draw_id))
    if draw.state == ExpertDraw.State.DRAWN and draw.needed_from <= now:
        _reveal(draw, actor=None, now=now, trigger="time")
        return True
    return False


def sweep_draw(*, draw: ExpertDraw, now: datetime | None = None) -> None:
    """The sweep of `sweep_draws` for one draw. Pages and the API run it before showing a
    draw or an invitation, so the embedded default (no Celery beat) keeps time as well."""
    now = now or timezone.now()
    if draw.state == ExpertDraw.State.COMMITTED and draw.requested_at <= now - timedelta(
        seconds=30
    ):
        execute_draw(draw=draw)
    refresh_draw(draw=draw, now=now)
    with transaction.atomic():
        _reveal_if_due(draw.pk, now=now)
    draw.refresh_from_db()


@transaction.atomic
def cancel_draw(*, draw: ExpertDraw, actor, reason: str) -> ExpertDraw:
    """The evaluation will not take place as drawn (postponed, the lot failed): the
    invitations are released and the seed is revealed for the audit."""
    if not policies.can_cancel_draw(actor, draw):
        raise forbid(_("Only whoever may request this draw cancels it."))
    if not reason.strip():
        raise refuse(_("A cancellation states its reason."), "reason_missing", "reason")
    draw = _lock_draw(draw)
    if draw.state not in {ExpertDraw.State.COMMITTED, ExpertDraw.State.DRAWN}:
        raise refuse(_("This draw can no longer be cancelled."), "draw_closed", status=409)
    _release_live(draw)
    draw.state = ExpertDraw.State.CANCELLED
    draw.cancelled_at = timezone.now()
    draw.failure_reason = reason.strip()[:300]
    draw.seed_revealed = _seed_of(draw).hex()
    draw.save(update_fields=["state", "cancelled_at", "failure_reason", "seed_revealed"])
    log_draw("expert_draw.cancelled", draw, actor=actor, reason=reason, seed=draw.seed_revealed)
    return draw


def sweep_draws(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic work (Celery beat, and reads in the embedded default): run draws left
    committed, lapse unanswered invitations and re-check the parties, reveal due draws."""
    now = now or timezone.now()
    executed = 0
    stale = now - timedelta(seconds=30)
    for draw in ExpertDraw.objects.filter(
        state=ExpertDraw.State.COMMITTED, requested_at__lte=stale
    ).order_by("pk"):
        execute_draw(draw=draw)
        executed += 1
    refreshed = 0
    for draw in ExpertDraw.objects.filter(
        Q(state=ExpertDraw.State.DRAWN), Q(needed_until__gt=now)
    ).order_by("pk"):
        refreshed += refresh_draw(draw=draw, now=now)
    return {
        "executed": executed,
        "vacancies": refreshed,
        "revealed": reveal_due_draws(now=now),
    }
