"""The one settings module of CIT, read from the environment.

Defaults give the embedded set-up (SQLite under ``var/``, demo-friendly); production
sets ``DATABASE_URL`` (PostgreSQL), ``SECRET_KEY``, ``ALLOWED_HOSTS`` and email settings.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url

from cit.interop.cds_auth import cors_origins, parse_clients
from cit.lib.client_ip import parse_networks
from cit.lib.env import EnvError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(env_str("CIT_DATA_DIR", str(BASE_DIR / "var")))


def _kept_secret(variable: str, file_name: str, make: Callable[[], str]) -> str:
    """The secret in the environment ``variable``, else one made once and kept in DATA_DIR."""
    configured = env_str(variable, "")
    if configured:
        return configured
    key_file = DATA_DIR / file_name
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Written whole to a private (0600) file, then linked into place: workers starting
    # together on a new machine all end up with the one key that was linked first.
    descriptor, written = tempfile.mkstemp(dir=DATA_DIR, prefix=f".{file_name}-")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make())
        with contextlib.suppress(FileExistsError):
            os.link(written, key_file)
    finally:
        os.unlink(written)
    return key_file.read_text().strip()


def _secret_key() -> str:
    return _kept_secret("SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))


def _new_rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "cit.clinic.accounts",
    "cit.clinic.facilities",
    "cit.clinic.patients",
    "cit.clinic.audit",
    "cit.clinic.inventory",
    "cit.clinic.intake",
    "cit.clinic.plans",
    "cit.clinic.appointments",
    "cit.clinic.charting",
    "cit.clinic.outcomes",
    "cit.clinic.worklists",
    "cit.clinic.recovery",
    "cit.clinic.photos",
    "cit.clinic.portal",
    "cit.clinic.idempotency",
    "cit.clinic.jobs",
    "cit.clinic.exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view (and CSRF's view hook) reads the body: refuse what no view can use.
    "cit.middleware.RequestGuardMiddleware",
    # Staff sessions end after SESSION_IDLE_MINUTES without a request.
    "cit.clinic.accounts.idle.IdleTimeoutMiddleware",
    # Too many requests from one client: 429 with Retry-After (RATE_LIMIT_*).
    "cit.ratelimit.RateLimitMiddleware",
    # A POST/PATCH to the API retried with the same Idempotency-Key gets the first answer.
    "cit.clinic.idempotency.middleware.IdempotencyMiddleware",
    # A request that read a patient's record and wrote no audit event gets one.
    "cit.clinic.audit.middleware.AuditCompletenessMiddleware",
    "cit.clinic.accounts.middleware.ClinicTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so a locked-out log-in attempt is refused after everything else has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cit.urls"
WSGI_APPLICATION = "cit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cit.clinic.accounts.context_processors.role",
            ],
            # Human labels for internal words (cit.clinic.labels), in every template.
            "builtins": [
                "cit.clinic.templatetags.labels",
                "cit.clinic.templatetags.forms",
                "cit.clinic.templatetags.dates",
            ],
        },
    }
]

DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(
        dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'cit.sqlite3'}"),
            # Keep a connection per worker for a minute instead of opening one per request;
            # the health check drops it (after a database restart) before a request uses it.
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN
    # so two writers serialise instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so tests run the real WAL locking across threads.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test_cit.sqlite3")}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Patient data: only this user may read the database (SQLite gives its -wal and -shm
    # files the database file's permissions).
    _database_file = Path(DATABASES["default"]["NAME"])
    if not _database_file.exists():
        os.close(os.open(_database_file, os.O_WRONLY | os.O_CREAT, 0o600))

# Bodies larger than this are refused with 413 before they are read (cit.middleware);
# urlencoded and JSON bodies are also held to DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 20 * 1024 * 1024)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Common widgets written in Python, as Django's templates write them (much faster).
FORM_RENDERER = "cit.clinic.form_renderer.WidgetRenderer"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the user's clinic with the user (sessions begun under
    # django.contrib.auth.backends.ModelBackend end: their users sign in again).
    "cit.clinic.accounts.backends.ClinicUserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in lockout: 5 failures for one user name from one address lock it for 15 minutes;
# LOGIN_IP_FAILURE_LIMIT failures from one address, whatever the names tried (password
# spraying), lock that address out for as long (cit.clinic.accounts.views).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20)
# The client's address: the peer, or behind these reverse proxies (addresses or networks,
# comma-separated) the address they forward for in X-Forwarded-For. Empty: the peer.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
try:
    TRUSTED_PROXY_NETWORKS = parse_networks(TRUSTED_PROXIES)
except ValueError as _error:
    raise EnvError(f"TRUSTED_PROXIES: {_error}") from None
AXES_CLIENT_IP_CALLABLE = "cit.clinic.accounts.lockout.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Log-in ignores case and surrounding spaces, so the lockout must too.
AXES_USERNAME_CALLABLE = "cit.clinic.accounts.lockout.lockout_username"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
# Staff sessions also end after this many minutes without a request (0: never).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
# ... and after this many on a computer marked shared at log-in (patients too).
SESSION_IDLE_MINUTES_SHARED = env_int("SESSION_IDLE_MINUTES_SHARED", 10)
# Behind HTTPS (SECURE_COOKIES=true) cookies are Secure, and by default the proxy's
# X-Forwarded-Proto is believed, plain HTTP is redirected and HSTS is sent for a year.
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("SECURE_PROXY_SSL_HEADER", SECURE_COOKIES)
    else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_COOKIES)
# The health check answers over plain HTTP too (load balancers probe it so).
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # FHIR Bulk Data export files (NDJSON), served only through the authorised view.
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "exports"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("CIT_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Clinical photographs (cit.clinic.photos) ---------------------------------------------
# Photos are kept through the "photos" storage, outside the web root and never served by URL
# from it: on the file system under CIT_DATA_DIR/photos (default), or in an S3-compatible
# bucket (PHOTO_STORAGE=s3; needs django-storages' s3 extra, boto3; credentials from the
# usual AWS_* environment). Pages fetch them only through the authorised, audited view.
PHOTO_STORAGE = env_str("PHOTO_STORAGE", "filesystem")
if PHOTO_STORAGE == "filesystem":
    STORAGES["photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("PHOTO_STORAGE_DIR", str(DATA_DIR / "photos")),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif PHOTO_STORAGE == "s3":
    STORAGES["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("PHOTO_S3_BUCKET", ""),
            "endpoint_url": env_str("PHOTO_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("PHOTO_S3_REGION", "") or None,
            "location": env_str("PHOTO_S3_PREFIX", "photos"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise EnvError("PHOTO_STORAGE: 'filesystem' or 's3'")
# An upload larger than this, or with more pixels, is refused; stored photos are scaled down
# to this longest edge.
PHOTO_MAX_UPLOAD_BYTES = env_int("PHOTO_MAX_UPLOAD_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_MAX_EDGE = env_int("PHOTO_MAX_EDGE", 4096)
# --- end of clinical photographs ---------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a mail server that does not answer fails the send (kept below the lease).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CIT <no-reply@cit.local>")
# The domain in calendar UIDs (appointment-7@<domain>), so two installations never collide;
# empty: the first real host name in ALLOWED_HOSTS.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN", "")

# --- CDS Hooks (cit.api.cds_hooks) ----------------------------------------------------------
# The EHRs trusted to call the CDS services, as JSON: {"<iss>": {"jwks_url": "https://...",
# or "jwks": {"keys": [...]}, "fhir_servers": ["https://ehr.example.org/fhir"],
# "cors_origins": ["https://ehr.example.org"], "patient_identifier_system": "...",
# "clinic": "<clinic name>"}}. Every call must carry a JWT signed (RS384/ES384) by a key of
# its issuer's JWK Set; none configured: every call is refused. A call's fhirServer is read
# only when under one of its client's fhir_servers (none: nothing is read, 412).
CDS_HOOKS_CLIENTS = env_str("CDS_HOOKS_CLIENTS", "{}")
try:
    _cds_clients = parse_clients(CDS_HOOKS_CLIENTS)
except ValueError as _error:
    raise EnvError(f"CDS_HOOKS_CLIENTS: {_error}") from None
CDS_HOOKS_PROFILE = env_str("CDS_HOOKS_PROFILE", "default")
# A client JWT may expire at most this far ahead (its jti is kept until then); the clock
# difference tolerated; how long a fetched JWK Set is used, and its largest size.
CDS_HOOKS_JWT_MAX_LIFETIME_SECONDS = env_int("CDS_HOOKS_JWT_MAX_LIFETIME_SECONDS", 300)
CDS_HOOKS_JWT_LEEWAY_SECONDS = env_int("CDS_HOOKS_JWT_LEEWAY_SECONDS", 30)
CDS_HOOKS_JWKS_CACHE_SECONDS = env_int("CDS_HOOKS_JWKS_CACHE_SECONDS", 300)
CDS_HOOKS_JWKS_MAX_BYTES = env_int("CDS_HOOKS_JWKS_MAX_BYTES", 100_000)
# A SMART app launch URL for CIT: cards then carry a "smart" link to it (empty: none).
CDS_HOOKS_SMART_LAUNCH_URL = env_str("CDS_HOOKS_SMART_LAUNCH_URL", "")
# Seconds for each connect and read, and for all the reading of one hook call; the bytes
# one hook call may read; the largest request body accepted.
CDS_HOOKS_FHIR_TIMEOUT = env_int("CDS_HOOKS_FHIR_TIMEOUT", 3)
CDS_HOOKS_FHIR_TOTAL_TIMEOUT = env_int("CDS_HOOKS_FHIR_TOTAL_TIMEOUT", 10)
CDS_HOOKS_FHIR_MAX_BYTES = env_int("CDS_HOOKS_FHIR_MAX_BYTES", 10_000_000)
CDS_HOOKS_MAX_BODY_BYTES = env_int("CDS_HOOKS_MAX_BODY_BYTES", 10_000_000)
INSTALLED_APPS += ["cit.clinic.cds", "corsheaders"]
# CORS for browser-based CDS clients: only on the CDS Hooks paths, only their origins.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "corsheaders.middleware.CorsMiddleware",
)
CORS_URLS_REGEX = r"^/cds-services(/.*)?$"
CORS_ALLOWED_ORIGINS = cors_origins(_cds_clients)
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
# --- end of CDS Hooks ----------------------------------------------------------------------

# --- FHIR ------------------------------------------------------------------------------------
# The canonical base of CIT's own FHIR extensions and code systems
# (<base>/StructureDefinition/zone-treatment, <base>/CodeSystem/zone, ...): set it to a URL
# the installation controls.
FHIR_DEFINITIONS_BASE = env_str("FHIR_DEFINITIONS_BASE", "https://cit.example.org/fhir")

# --- OAuth 2.0 and SMART on FHIR (cit.clinic.integrations) -------------------------------
# Integrations registered by a clinic admin get tokens at /oauth/token/ (client credentials
# with a signed JWT or a secret) or /oauth/authorize/ (authorisation code with PKCE).
INSTALLED_APPS += ["oauth2_provider", "cit.clinic.integrations"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "cit.clinic.integrations.validator.CitOAuth2Validator",
    "OAUTH2_BACKEND_CLASS": "cit.clinic.integrations.validator.CitOAuthLibCore",
    "SCOPES_BACKEND_CLASS": "cit.clinic.integrations.validator.SmartScopes",
    "PKCE_REQUIRED": True,
    # SMART Backend Services: access tokens live no longer than five minutes.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 300),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_REFRESH_TOKEN_SECONDS", 8 * 60 * 60),
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    "REQUEST_APPROVAL_PROMPT": "force",
    # OpenID Connect for SMART apps (scopes openid fhirUser): an id_token signed RS256 with
    # this key (OIDC_RSA_PRIVATE_KEY, PEM; else one made once and kept in CIT_DATA_DIR).
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _kept_secret("OIDC_RSA_PRIVATE_KEY", "oidc_rsa_key.pem", _new_rsa_key),
    # The authorisation code flow only (no implicit or hybrid: RFC 9700), as discovery says.
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, PKCE S256 only,
    # tokens only in the Authorization header, `iss` in the authorisation response, and
    # tokens kept hashed (looked up by checksum).
    **{
        f"COMPLIANT_BCP_RFC9700_{gate}": True
        for gate in (
            "IMPLICIT_GRANT",
            "PASSWORD_GRANT",
            "PKCE_METHOD",
            "ACCESS_TOKEN_TRANSPORT",
            "AUTHZ_RESPONSE_ISS",
            "TOKEN_STORAGE",
        )
    },
}

# --- Tasks and reminders (appointments) --------------------------------------------------
# Background work runs on django-tasks with the database backend (django-tasks-db): the queue
# is a table, so the SQLite set-up needs no broker. Run the worker with `cit db_worker`.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "reminders", "replan", "recovery", "calendar"],
    }
}
# A reminder (email with the .ics, and an SMS when the patient has a phone) goes out this
# many hours before each session.
REMINDER_HOURS_BEFORE = env_int("REMINDER_HOURS_BEFORE", 24)
# Where patients and staff reach CIT: links in messages (reminders, recalls, diary
# check-ins, alerts) start with this address.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A diary check-in link works once, for this many days after it was sent (then the portal).
RECOVERY_LINK_MAX_AGE_DAYS = env_int("RECOVERY_LINK_MAX_AGE_DAYS", 14)
# A cancellation with less notice than this is recorded as a late cancellation.
LATE_CANCEL_HOURS = env_int("LATE_CANCEL_HOURS", 24)
SMS_BACKEND = env_str("SMS_BACKEND", "cit.clinic.appointments.sms.ConsoleSmsBackend")
# A provider's absence that hits more series than this is re-planned clinic-wide by CP-SAT in
# the background (within the time limit) instead of greedily while the front desk waits.
REPLAN_INLINE_MAX_SERIES = env_int("REPLAN_INLINE_MAX_SERIES", 5)
REPLAN_TIME_LIMIT_SECONDS = env_int("REPLAN_TIME_LIMIT_SECONDS", 20)
# While the database cannot be reached, pages and the API answer 503 with this Retry-After.
DATABASE_DOWN_RETRY_AFTER_SECONDS = env_int("DATABASE_DOWN_RETRY_AFTER_SECONDS", 30)
# A worker's claim on a reminder (or any leased work) runs out after this many seconds: work
# whose worker died goes back to the queue. Far above one SMTP/SMS call (EMAIL_TIMEOUT).
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 600)
# A task still RUNNING this long after it started lost its worker: the sweep marks it failed
# and enqueues it again (at most TASK_MAX_RECOVERIES times). Above the longest task (re-plan).
TASK_STUCK_AFTER_SECONDS = env_int("TASK_STUCK_AFTER_SECONDS", 1800)
TASK_MAX_RECOVERIES = env_int("TASK_MAX_RECOVERIES", 3)
# How often the sweep runs (while a worker runs), and how many tries a message gets before it
# is left to staff on the "Messages and background work" page.
TASK_SWEEP_SECONDS = env_int("TASK_SWEEP_SECONDS", 300)
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 5)
# The worker retries a lost database with this back-off (seconds, doubling up to the maximum).
WORKER_DB_RETRY_SECONDS = env_int("WORKER_DB_RETRY_SECONDS", 1)
WORKER_DB_RETRY_MAX_SECONDS = env_int("WORKER_DB_RETRY_MAX_SECONDS", 60)
# A web worker loads every clinic's scheduling index in the background as it starts (cit.wsgi),
# so its first proposal is as fast as the next.
SCHEDULE_INDEX_WARM_UP = env_bool("SCHEDULE_INDEX_WARM_UP", True)
# --- end of tasks and reminders ------------------------------------------------------------

# Console e-mail and SMS backends print every reminder (names, contacts, dates) to the log.
# With DEBUG off the server and the worker refuse to start with them (system check
# cit.E001) unless this says they may (`make run`'s demo sets it).
ALLOW_CONSOLE_BACKENDS = env_bool("ALLOW_CONSOLE_BACKENDS", False)

# Rate limits per client address (requests per minute; 0: none). Generous, so a clinic's
# day and the demo never meet them; they stop scripts hammering log-in, the API and CDS Hooks.
RATE_LIMIT_LOGIN_PER_MINUTE = env_int("RATE_LIMIT_LOGIN_PER_MINUTE", 30)
RATE_LIMIT_API_PER_MINUTE = env_int("RATE_LIMIT_API_PER_MINUTE", 600)
RATE_LIMIT_CDS_PER_MINUTE = env_int("RATE_LIMIT_CDS_PER_MINUTE", 300)

# Idempotency-Key on the API's POSTs: the first answer is kept this many hours.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# A page form sent twice while the first is still being handled: the second waits this long
# for the first's answer, then says so.
FORM_TOKEN_WAIT_SECONDS = env_int("FORM_TOKEN_WAIT_SECONDS", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
