"""The database models, one module per subject."""
from .accounts import ApiToken, Contact, ContactRole, LANGUAGES, ROLES  # noqa: F401
from .cases import AuditEntry, Case, CaseTask, CaseTimer, ProcessVersion  # noqa: F401
from .reference import (  # noqa: F401
    Action,
    ActionPlan,
    Committee,
    CommitteeMember,
    Domain,
    GcmObjective,
    Objective,
    Partner,
    Presidency,
    Referent,
)
from .silent_procedures import (  # noqa: F401
    ActionLink,
    DeadlineExtension,
    ProcedureDocument,
    ProcedureRecipient,
    ProcedureResponse,
    SilentProcedure,
)
from .labelling import LabellingRequest  # noqa: F401
from .sessions import WebSession  # noqa: F401
from .rate_limits import RateLimitCounter  # noqa: F401
