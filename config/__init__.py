"""Settings: defaults here, then `FLASK_`-prefixed environment variables override them.

`FLASK_SQLALCHEMY_DATABASE_URI=postgresql+psycopg://...` selects PostgreSQL;
`FLASK_MAIL_DELIVERY=smtp` with `FLASK_MAIL_SERVER` / `FLASK_MAIL_PORT` sends real e-mail.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


class Defaults:
    # The SQLite file lives in Flask's instance folder unless a URI is given.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Never a real secret: `create_app` refuses to run outside debug/testing without one.
    SECRET_KEY = None
    # Base of every link in e-mails; never taken from the request's Host header.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # `capture` keeps outgoing mail in the app (development page /dev/mail); `smtp` sends it.
    MAIL_DELIVERY = "capture"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Rabat Process <no-reply@rabat-process.example.org>"
    MAIL_TIMEOUT = 10
    # Capture is our own setting; Flask-Mail must not silently drop mail under TESTING.
    MAIL_SUPPRESS_SEND = False
    # Domain part of stable Message-IDs.
    MAIL_MESSAGE_ID_DOMAIN = "rabat-process.example.org"
    # Seconds between delivery attempts while the SMTP server fails: doubles up to the cap.
    MAIL_RETRY_BASE = 30
    MAIL_RETRY_CAP = 3600
    # BPMN folders read at start-up (the product's procedures).
    BPMN_DIRS = [str(ROOT / "workflows" / "bpmn")]
    # The scheduler: `embedded` runs it inside the web process (development default);
    # `off` leaves it to a separate `flask --app service scheduler` process (production).
    SCHEDULER = "embedded"
    # Longest sleep between two looks at the timer table, in seconds: a timer written by
    # another process is picked up within this time; timers written here wake it at once.
    SCHEDULER_POLL_SECONDS = 1.0
    # How long a claim on a timer or an e-mail lasts unless renewed: a scheduler renews its
    # claims every third of it while it lives, so a dead scheduler's work is taken over by
    # another this long after its death.
    SCHEDULER_LEASE_SECONDS = 3
    # The scheduler records its heartbeat at most this often, in seconds; /api/health says it
    # is late (and answers 503) when none came for HEALTH_SCHEDULER_LATE_SECONDS, or when a
    # timer or an e-mail has been due for that long.
    SCHEDULER_HEARTBEAT_SECONDS = 10
    HEALTH_SCHEDULER_LATE_SECONDS = 60
    # A timer whose firing failed (a broken case) is tried again after this long.
    SCHEDULER_RETRY_SECONDS = 60
    # Restored workflows kept in memory per process (0 turns the cache off), and the most their
    # stored states may add up to (a restored workflow takes about three times its state).
    WORKFLOW_CACHE_SIZE = 256
    WORKFLOW_CACHE_STATE_BYTES = 8_000_000
    # Optimistic-locking retries for work done by the scheduler (not by a person).
    CONFLICT_RETRIES = 5
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: `Secure` exactly when PUBLIC_BASE_URL is https.
    SESSION_COOKIE_SECURE = None
    # A web session ends after this long without a request, and this long after signing in
    # (ISO 8601 durations); signing out and a password change end it at once.
    SESSION_IDLE_TIMEOUT = "PT2H"
    SESSION_ABSOLUTE_TIMEOUT = "PT12H"
    # Strict-Transport-Security (sent when PUBLIC_BASE_URL is https), in seconds.
    HSTS_MAX_AGE = 31536000
    # Rate limits (Flask-Limiter strings), each per account and per client address: failed
    # sign-ins, POSTs of action links, API requests. 429 with Retry-After once one is reached.
    RATELIMIT_ENABLED = True
    # `database://` keeps the counters in the service's database; `redis://host:6379/0` in Redis.
    RATELIMIT_STORAGE_URI = "database://"
    # When the counters cannot be reached, requests go on (and the failure is logged).
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_SIGN_IN_PER_ACCOUNT = "10 per 15 minutes"
    RATELIMIT_SIGN_IN_PER_ADDRESS = "50 per 15 minutes"
    RATELIMIT_LINKS_PER_LINK = "20 per 10 minutes"
    RATELIMIT_LINKS_PER_ADDRESS = "100 per 10 minutes"
    RATELIMIT_API_PER_ACCOUNT = "600 per minute"
    RATELIMIT_API_PER_ADDRESS = "1200 per minute"
    # Reverse proxies in front of the service whose X-Forwarded-For / -Proto are trusted (0:
    # none); the client address the limits count is then the one the nearest proxy saw.
    TRUSTED_PROXIES = 0
    # Largest request body, in bytes (a launch carries its documents, base64 in JSON: a third
    # larger), and largest document attached to a silent procedure.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    # flask-smorest / OpenAPI
    API_TITLE = "Rabat Process workflow service"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    LANGUAGES = ["fr", "en"]
    # `real`, or `movable`: a training installation whose clock the Secretariat moves forward
    # (never with MAIL_DELIVERY=smtp).
    CLOCK = "real"
    # Rows on one page of a list (the desk, the API's lists); the next page is a link.
    PAGE_SIZE = 50
    # Silent procedures: the shortest time between launch and deadline, and the reminders
    # sent before the deadline to members that have not responded (ISO 8601 durations).
    SILENT_PROCEDURE_MIN_DURATION = "PT72H"
    SILENT_PROCEDURE_REMINDERS = "PT72H,PT24H"
    # Labelling requests: the default time the Steering Committee has to decide, the reminder
    # and the time-out when changes were asked for, and the reminder for the results report.
    LABELLING_DECISION_PERIOD = "P14D"
    LABELLING_AMEND_REMINDER = "P14D"
    LABELLING_AMEND_TIMEOUT = "P60D"
    LABELLING_REPORT_REMINDER = "P30D"
    # Referent-country cycles: reminders before a roadmap's or report's due date (ISO 8601
    # durations, comma-separated; at the due date the Secretariat and the Presidency are told,
    # then the referents are reminded weekly), and how long the Steering Committee's members
    # may comment on an accepted roadmap.
    REFERENT_REMINDERS = "P14D,P3D"
    REFERENT_COMMENT_PERIOD = "P10D"
    # How long a thematic meeting's evaluation links stay open.
    THEMATIC_MEETING_EVALUATION_PERIOD = "P30D"
    # Presidency handovers: how long before the recorded end of the current Presidency's term
    # the handover opens by itself; when the checklist's undone tasks are recalled (after each
    # due date, comma-separated); the default time the Steering Committee has on the programme.
    HANDOVER_OPENS_BEFORE = "P4M"
    HANDOVER_CHECKLIST_REMINDERS = "PT0S,P7D"
    HANDOVER_ENDORSEMENT_PERIOD = "P14D"
    # How long the link of an invitation to choose a password works.
    INVITATION_VALID_FOR = "P14D"
