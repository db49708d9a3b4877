"""The domain model, one module per aggregate."""
from .checklists import Checklist, ChecklistStatus, ChecklistVersion
from .evidence import EvidenceFile
from .inspections import (
    Answer,
    Attendee,
    Conclusion,
    Finding,
    Inspection,
    InspectionRevision,
    InspectionStatus,
    ReviewComment,
    Submission,
)
from .notifications import AuditEvent, Notification
from .plans import InspectionKind, Plan
from .remediation import ActionEvent, ActionStatus, ExtensionRequest, RemediationAction
from .reporting import (ActionTotal, CoverageTotal, DocumentNumber, FailedItem, ItemFailureTotal, PendingTotal, RepeatTotal,
                        RepeatUnitTotal, UnitScoreTotal)
from .settings import OrganisationSetting
from .units import SuccessionKind, Unit, UnitLocation, UnitSuccession
from .users import LoginAttempt, Role, Team, User, team_members

__all__ = [
    "ActionEvent", "ActionStatus", "ActionTotal", "Answer", "Attendee", "AuditEvent", "Checklist", "ChecklistStatus",
    "ChecklistVersion", "Conclusion", "CoverageTotal", "DocumentNumber", "EvidenceFile", "ExtensionRequest", "FailedItem", "Finding",
    "Inspection", "InspectionKind", "ItemFailureTotal", "LoginAttempt", "InspectionRevision", "InspectionStatus",
    "Notification", "OrganisationSetting", "PendingTotal", "Plan", "RemediationAction", "RepeatTotal", "RepeatUnitTotal", "ReviewComment", "Role", "Submission",
    "SuccessionKind", "Team", "Unit", "UnitLocation", "UnitScoreTotal", "UnitSuccession", "User", "team_members",
]
