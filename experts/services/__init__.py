"""The pool's write services, one module per action family: `pool` (applications,
admission, assessment, exit, declarations), `draws` (request, draw, answers, reveal) and
`conduct` (credit and blacklist). Views, the API, tasks and trading call these.

Trading seats the drawn committee with `committee_for_evaluation` (see its docstring).
"""

from experts.services.conduct import (
    blacklist_expert,
    lift_blacklist,
    lift_expired_blacklists,
    record_conduct,
)
from experts.services.draws import (
    SpecialtyCount,
    cancel_draw,
    check_request_keys,
    committee_for_evaluation,
    draw_experts,
    execute_draw,
    refresh_draw,
    request_draw,
    respond_to_invitation,
    reveal_due_draws,
    sweep_draw,
    sweep_draws,
    withdraw_expert_from_draws,
)
from experts.services.pool import (
    admit_expert,
    apply_for_admission,
    change_employer,
    declare_relation,
    declare_unavailability,
    record_assessment,
    refuse_application,
    reinstate_expert,
    retire_expert,
    suspend_expert,
)

__all__ = [
    "SpecialtyCount",
    "admit_expert",
    "apply_for_admission",
    "blacklist_expert",
    "cancel_draw",
    "change_employer",
    "check_request_keys",
    "committee_for_evaluation",
    "declare_relation",
    "declare_unavailability",
    "draw_experts",
    "execute_draw",
    "lift_blacklist",
    "lift_expired_blacklists",
    "record_assessment",
    "record_conduct",
    "refresh_draw",
    "refuse_application",
    "reinstate_expert",
    "request_draw",
    "respond_to_invitation",
    "retire_expert",
    "reveal_due_draws",
    "suspend_expert",
    "sweep_draw",
    "sweep_draws",
    "withdraw_expert_from_draws",
]
