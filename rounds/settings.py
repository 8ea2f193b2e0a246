"""The one settings module. Everything that differs between machines comes from the environment.

Defaults are safe for production (DEBUG off, secure cookies, HSTS) except where a development
convenience cannot hurt; `make demo` and the tests ask for DEBUG explicitly.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.management.utils import get_random_secret_key

from rounds.lib.cache import cache_from_url
from rounds.lib.env import env_bool, env_float, env_int, env_list, env_str
from rounds.lib.security import email_backend_from_env
from rounds.people.sso import providers_from_env, socialaccount_providers

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ROUNDS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

# A missing secret is fatal in production; in DEBUG a throwaway key per process is fine.
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (get_random_secret_key() if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # Sign-in, single sign-on (OIDC, SAML) and second factors: django-allauth (docs/sign-in.md).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "csp",
    "django_htmx",
    "rounds.jobs",  # before django_tasks_db: its `db_worker` (rounds/jobs) replaces the library's
    "django_tasks",
    "django_tasks_db",
    "rounds.core",
    "rounds.people",
    "rounds.imports",
    "rounds.public",
    "rounds.staff",
    "rounds.workhours",
    "rounds.wellness",
    "rounds.concerns",
    "rounds.inclusion",
    "rounds.languages",
    "rounds.mentoring",
    "rounds.schedules",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rounds.api",
    "rounds.milestones",
    "rounds.assessment",
    "rounds.record",
    "rounds.leave",
    "rounds.moonlighting",
    "rounds.caselogs",
    "rounds.conferences",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzipped (static files come compressed from WhiteNoise, before this); BREACH: see
    # docs/performance.md.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "rounds.lib.security.PersonalPagesNotStoredMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rounds.people.auth.IdleTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the idle timeout: a session it ends is not sent to set up a second factor first.
    "rounds.people.signin.SecondFactorMiddleware",
    "rounds.people.signin.ProviderPagesMiddleware",
    "rounds.core.middleware.StaleRecordMiddleware",
    "rounds.api.middleware.ApiRefusalsMiddleware",  # the next one's refusals, as API problems
    "rounds.lib.middleware.RefuseNulMiddleware",  # before any view passes text to the database
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the lockout flag the sign-in view's authenticate() left on the request.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rounds.urls"
WSGI_APPLICATION = "rounds.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rounds" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rounds.people.context_processors.roles",
                "rounds.people.signin.signin_context",
                "rounds.navigation.nav",
            ],
        },
    }
]

# SQLite file by default (the embedded mode); DATABASE_URL selects PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'rounds.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the worker write while the web process reads; the timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory per process by default (a fresh clone needs no server); ROUNDS_CACHE_URL
# selects a shared one, e.g. redis://127.0.0.1:6379/0, so every web process sees one copy of the
# cached public pages and an edit shows at once in all of them (rounds/lib/pagecache.py).
CACHES = {"default": cache_from_url(env_str("ROUNDS_CACHE_URL"))}
# The longest a cached public page may be served after its data changed in another process.
PUBLIC_PAGE_SECONDS = env_int("ROUNDS_PUBLIC_PAGE_SECONDS", 60)

# Durable task queue: django-tasks' database backend. It needs no server beyond the database,
# and on PostgreSQL any number of `db_worker` processes on any machines share it safely.
TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
# A running job beats every HEARTBEAT seconds; one silent for STALE seconds is marked failed by
# the sweep every worker runs every SWEEP seconds; a running job looks for Cancel every CANCEL_POLL.
JOBS_HEARTBEAT_SECONDS = env_float("ROUNDS_JOBS_HEARTBEAT_SECONDS", 5.0)
JOBS_STALE_SECONDS = env_float("ROUNDS_JOBS_STALE_SECONDS", 30.0)
JOBS_SWEEP_SECONDS = env_float("ROUNDS_JOBS_SWEEP_SECONDS", 10.0)
JOBS_CANCEL_POLL_SECONDS = env_float("ROUNDS_JOBS_CANCEL_POLL_SECONDS", 1.0)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    # The name lives on people.Person, not on the User: this one reads it there.
    {"NAME": "rounds.people.passwords.PersonNameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("ROUNDS_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "rounds.people.passwords.CalendarPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): an account, or an address, that fails too often within the
# cool-off is locked until it ends or the GME office unlocks it. A ward's computers often share
# one address, so an address gets more tries than an account. Failures during a lockout do not
# extend it, so the time the lockout page gives is the time it ends.
AUTHENTICATION_BACKENDS = [
    "rounds.people.auth.SignInThrottleBackend",
    # allauth's backend checks the password like ModelBackend, for its own sign-in form;
    # ModelBackend stays for permissions and for code that signs in without allauth (tests).
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "rounds.people.auth.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = max(1, env_int("ROUNDS_SIGNIN_ACCOUNT_FAILURES", 5))
ROUNDS_SIGNIN_ADDRESS_FAILURES = max(1, env_int("ROUNDS_SIGNIN_ADDRESS_FAILURES", 50))
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ROUNDS_SIGNIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "rounds.people.auth.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The address a sign-in came from; behind proxies, read from X-Forwarded-For (see auth.py).
AXES_CLIENT_IP_CALLABLE = "rounds.people.auth.client_address"
ROUNDS_PROXY_COUNT = env_int("ROUNDS_PROXY_COUNT", 0)
# Axes' own access log would be a second sign-in record beside the audit log; failures it keeps.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Password-reset requests: at most this many per email typed and per address, in a window
# (rounds/people/reset.py). A person needs one or two; more is someone flooding an inbox.
ROUNDS_RESET_PER_EMAIL = max(1, env_int("ROUNDS_RESET_PER_EMAIL", 3))
ROUNDS_RESET_PER_ADDRESS = max(1, env_int("ROUNDS_RESET_PER_ADDRESS", 20))
ROUNDS_RESET_WINDOW_MINUTES = max(1, env_int("ROUNDS_RESET_WINDOW_MINUTES", 60))

# Conference check-in (docs/conferences.md): a session's code works from this many minutes before
# its start to its end; a trainee gets this many refused codes per window before a pause.
ROUNDS_CHECKIN_EARLY_MINUTES = max(0, env_int("ROUNDS_CHECKIN_EARLY_MINUTES", 10))
ROUNDS_CHECKIN_ATTEMPTS = max(1, env_int("ROUNDS_CHECKIN_ATTEMPTS", 5))
ROUNDS_CHECKIN_WINDOW_MINUTES = max(1, env_int("ROUNDS_CHECKIN_WINDOW_MINUTES", 10))

# Sessions: signed out after a stretch without a request (shorter for staff, who see many
# people's records), and after an absolute lifetime whatever happens.
ROUNDS_IDLE_MINUTES = env_int("ROUNDS_IDLE_MINUTES", 30)
ROUNDS_IDLE_MINUTES_STAFF = env_int("ROUNDS_IDLE_MINUTES_STAFF", 15)
SESSION_COOKIE_AGE = env_int("ROUNDS_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:start"
LOGOUT_REDIRECT_URL = "public:home"

# --- sign-in pages, single sign-on and second factors (django-allauth; docs/sign-in.md) ---------
# Local passwords; off, the sign-in page offers only the hospital's sign-in and refuses a password.
ROUNDS_LOCAL_PASSWORDS = env_bool("ROUNDS_LOCAL_PASSWORDS", True)
# Identity providers: ROUNDS_SSO_PROVIDERS and ROUNDS_SSO_<NAME>_* or ROUNDS_SSO_FILE (sso.py).
ROUNDS_SSO_PROVIDERS = providers_from_env()
SOCIALACCOUNT_PROVIDERS = socialaccount_providers(ROUNDS_SSO_PROVIDERS)
# Roles that must use a second factor (or sign in through a provider that asserted one). In
# production every role that reads other people's records; with DEBUG on (the demo, the tests)
# none unless the variable is set, so a demo visitor signs in as any role without a phone app.
ROUNDS_MFA_REQUIRED_ROLES = env_list(
    "ROUNDS_MFA_REQUIRED_ROLES",
    ""
    if DEBUG
    else "gme_office,program_director,program_coordinator,inclusion_office,wellness_committee",
)
ACCOUNT_ADAPTER = "rounds.people.signin.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "rounds.people.signin.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "rounds.people.signin.PasswordSignInForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*"]  # signup itself is closed
ACCOUNT_EMAIL_VERIFICATION = "none"  # the GME office enters people's emails; no self-signup
# The sign-in page shows its form to someone signed in too (a shared ward computer changes hands).
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser (SESSION_EXPIRE_AT_BROWSER_CLOSE)
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Password sign-in is throttled by django-axes (above: per account and per address, lockout
# page, audit); allauth's own sign-in limits would refuse first with another page and no audit.
# Its other limits (second-factor codes, reauthentication, ...) stay as allauth sets them.
ACCOUNT_RATE_LIMITS = {"login": False, "login_failed": False}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # people are matched by signin.py, nothing else
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Second factors: authenticator apps (TOTP), security keys and passkeys (WebAuthn), recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env_str("ROUNDS_MFA_ISSUER", "Rounds")
MFA_ALLOW_UNVERIFIED_EMAIL = True  # emails come from the GME office, not from the person
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 in the demo
# "Trust this browser": no second prompt on this device for this long.
MFA_TRUST_ENABLED = env_int("ROUNDS_MFA_TRUST_DAYS", 14) > 0
MFA_TRUST_COOKIE_AGE = timedelta(days=max(1, env_int("ROUNDS_MFA_TRUST_DAYS", 14)))

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("ROUNDS_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Production must name its email backend: the console one would put password-reset links in logs.
EMAIL_BACKEND = email_backend_from_env(debug=DEBUG)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rounds <rounds@localhost>")

# Production hardening; each can be relaxed by variable (e.g. behind a TLS-terminating proxy).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script or style anywhere: every script and style sheet is a static file, bars are SVG
# with their widths as attributes, and htmx is told not to add its own <style> (see base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Where the site is reached, for links in emails (rounds.lib.links); no trailing slash.
ROUNDS_SITE_URL = env_str("ROUNDS_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Aggregates about people are never shown for groups smaller than this.
ROUNDS_MIN_CELL_SIZE = env_int("ROUNDS_MIN_CELL_SIZE", 5)
# A table of aggregates with at most this many atoms is audited inside the request (a fraction of
# a second); a larger one by a worker, its figures shown suppressed until then
# (rounds.lib.disclosure.release_checked).
ROUNDS_DISCLOSURE_INLINE_ATOMS = env_int("ROUNDS_DISCLOSURE_INLINE_ATOMS", 400)
# Pin "today" (an ISO date) for a demo or a test; empty: the date now in TIME_ZONE.
ROUNDS_TODAY = env_str("ROUNDS_TODAY", "")
# "wall": solves keep their time limits in seconds (production); "work": in deterministic work,
# the same schedule on any machine (tests). Read by rounds.lib.engine_clock.
ROUNDS_ENGINE_CLOCK = env_str("ROUNDS_ENGINE_CLOCK", "wall")

# The API (rounds/api, docs/api.md): tokens only, problem details for errors, a rate per token.
ROUNDS_API_RATE_PER_MINUTE = max(1, env_int("ROUNDS_API_RATE_PER_MINUTE", 600))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rounds.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "rounds.api.permissions.TokenScope",
        "rounds.api.permissions.RolesAllow",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rounds.api.throttling.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rounds.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rounds.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rounds API",
    "DESCRIPTION": "Programs, people, schedules, who is on call and work hours. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SiteKindEnum": "rounds.core.models.Site.Kind",
        "ProgramKindEnum": "rounds.core.models.Program.Kind",
        "PersonKindEnum": "rounds.people.models.Person.Kind",
        "ShiftKindEnum": "rounds.schedules.models.CallAssignment.Kind",
        "EntryKindEnum": "rounds.workhours.models.EntryKind",
        "EntrySourceEnum": "rounds.workhours.models.LoggedPeriod.Source",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rounds.api.schema.problem_responses",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ROUNDS_LOG_LEVEL", "INFO")},
}
