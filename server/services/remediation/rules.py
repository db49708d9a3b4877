"""Remediation actions: the moves between states and who may make them. Pure:
no database, no requests.

`TRANSITIONS` is the one table of moves; server/permissions.py answers every
`can(user, "action.…", action)` through `can_on_action` here, and the changes
themselves (actions.py) check the same table, so the rule lives in one
place. Imports only the models.

    open ─────────► in_progress ──► awaiting_verification ──► closed ──► reopened
      │               ▲    │                 │                              │
      │               └────┼─── returned ◄───┘                              │
      │                    │        (reason)            reopened ──► in_progress
      └─► cannot_do ◄──────┘  (lead, justification)     cannot_do ──► reopened
    any open state ──► cancelled (lead, reason)

Overdue is computed (RemediationAction.is_overdue, deadlines.overdue), not a state.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...models import ActionStatus, RemediationAction, Role, User

S = ActionStatus

# Who may make a move ("side" of the action):
#   unit     — a unit officer of the action's responsible unit
#   verifier — a lead, or an inspector of the team that inspected
#   lead     — a lead
UNIT, VERIFIER, LEAD = "unit", "verifier", "lead"


@dataclass(frozen=True)
class Move:
    side: str
    needs_note: bool = False
    needs_evidence: bool = False
    verb: str = ""  # the button's words


TRANSITIONS: dict[tuple[str, str], Move] = {
    (S.OPEN, S.IN_PROGRESS): Move(UNIT, verb=_l("Start work")),
    (S.REOPENED, S.IN_PROGRESS): Move(UNIT, verb=_l("Start work")),
    (S.IN_PROGRESS, S.AWAITING_VERIFICATION): Move(UNIT, needs_note=True, needs_evidence=True,
                                                   verb=_l("Report as done")),
    (S.AWAITING_VERIFICATION, S.CLOSED): Move(VERIFIER, verb=_l("Verify and close")),
    (S.AWAITING_VERIFICATION, S.IN_PROGRESS): Move(VERIFIER, needs_note=True, verb=_l("Return to the unit")),
    (S.OPEN, S.CANNOT_DO): Move(LEAD, needs_note=True, verb=_l("Mark as cannot be done")),
    (S.IN_PROGRESS, S.CANNOT_DO): Move(LEAD, needs_note=True, verb=_l("Mark as cannot be done")),
    (S.REOPENED, S.CANNOT_DO): Move(LEAD, needs_note=True, verb=_l("Mark as cannot be done")),
    (S.OPEN, S.CANCELLED): Move(LEAD, needs_note=True, verb=_l("Cancel the action")),
    (S.IN_PROGRESS, S.CANCELLED): Move(LEAD, needs_note=True, verb=_l("Cancel the action")),
    (S.AWAITING_VERIFICATION, S.CANCELLED): Move(LEAD, needs_note=True, verb=_l("Cancel the action")),
    (S.REOPENED, S.CANCELLED): Move(LEAD, needs_note=True, verb=_l("Cancel the action")),
    (S.CLOSED, S.REOPENED): Move(LEAD, needs_note=True, verb=_l("Reopen")),
    (S.CANNOT_DO, S.REOPENED): Move(LEAD, needs_note=True, verb=_l("Reopen")),
}

# States in which the unit still works on the action.
ACTIVE = (S.OPEN, S.IN_PROGRESS, S.AWAITING_VERIFICATION, S.REOPENED)
# States from which the unit may ask for more time.
EXTENDABLE = (S.OPEN, S.IN_PROGRESS, S.REOPENED)


def sides(user: User, action: RemediationAction) -> set[str]:
    """The sides `user` is on for this action."""
    role = user.role
    result: set[str] = set()
    if role == Role.UNIT_OFFICER and user.unit_id is not None and user.unit_id == action.unit_id:
        result.add(UNIT)
    if role == Role.LEAD:
        result |= {LEAD, VERIFIER}
    team_id = action.inspection.team_id if action.inspection is not None else None
    if role == Role.INSPECTOR and team_id is not None and any(t.id == team_id for t in user.teams):
        result.add(VERIFIER)
    return result


def can_on_action(user: User, role: str, name: str, action: RemediationAction) -> bool:
    """The rule for every `action.*` permission on a remediation action."""
    mine = sides(user, action)
    if name == "action.view":
        return role in (Role.ADMIN, Role.LEAD, Role.VIEWER) or bool(mine)
    if name == "action.note":
        return bool(mine) and action.status in ACTIVE
    if name == "action.request_extension":
        return UNIT in mine and action.status in EXTENDABLE
    if name == "action.decide_extension":
        return LEAD in mine
    if name == "action.group":  # the lead's grouping when issuing the conclusion
        return LEAD in mine
    if name.startswith("action.move."):
        move = TRANSITIONS.get((action.status, name.removeprefix("action.move.")))
        return move is not None and move.side in mine
    return False


def allowed_moves(user: User, action: RemediationAction) -> list[tuple[str, Move]]:
    """The moves `user` may make now, as (target status, Move)."""
    mine = sides(user, action)
    return [(to, move) for (frm, to), move in TRANSITIONS.items() if frm == action.status and move.side in mine]
