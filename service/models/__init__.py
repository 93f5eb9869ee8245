"""The shared database models, one module per subject (a procedure's own are in its package)."""
from .accounts import ApiToken, Contact, ContactChange, ContactRole, LANGUAGES, ROLES  # noqa: F401
from .calendar import CalendarFeed  # noqa: F401
from .cases import AuditEntry, Case, CaseTask, CaseTimer, ProcessVersion  # noqa: F401
from .desk import DeskLine  # noqa: F401
from .health import SchedulerHeartbeat  # noqa: F401
from .links import ActionLink  # noqa: F401
from .training import TrainingClock  # noqa: F401
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
from .sessions import WebSession  # noqa: F401
from .rate_limits import RateLimitCounter  # noqa: F401
from .reference_changes import ReferenceChange  # noqa: F401


#: The largest id an INTEGER primary key holds (PostgreSQL refuses a larger one with an error).
MAX_ROW_ID = 2**31 - 1


def is_row_id(value) -> bool:
    """Whether `value` can be the id of a row (an int, not a bool, in the INTEGER range)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID
