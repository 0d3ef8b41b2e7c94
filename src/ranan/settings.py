"""Ranan settings: one module, every value from the environment through `ranan.env`."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from ranan.env import env_bool, env_int, env_list, env_str, private_file, secret_key, var_dir

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = var_dir()

SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ranan.core",
    "ranan.customers",
    "ranan.cylinders",
    "ranan.inspections",
    "ranan.hazards",
    "ranan.delivery",
    "ranan.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The request's address for audit rows, and refused attempts (403s) into the audit log.
    "ranan.core.request_context.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Instead of Django's LocaleMiddleware: Chinese first, whatever the browser asks for.
    "ranan.core.middleware.AccountLanguageMiddleware",
    # Early, before any view: control characters in any input are a 400 naming the field.
    "ranan.core.input_guard.InputGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # no-store on every signed-in response; a search over the limit answers 429 (issue 16).
    "ranan.core.privacy.PrivacyMiddleware",
    # Idle timeout, then the second factor and an expired password before any other page.
    "ranan.core.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout signal into the lockout response.
    "axes.middleware.AxesMiddleware",
]

# The documented request-body limit (a JSON visit carries its photos as data URLs): 10 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

ROOT_URLCONF = "ranan.urls"
WSGI_APPLICATION = "ranan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ranan.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite by default (a laptop with no server); PostgreSQL in production via DATABASE_URL.
_default_sqlite = f"sqlite:///{VAR_DIR / 'ranan.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite), conn_max_age=0, conn_health_checks=False
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The file is created 0600 before SQLite opens it; its -wal and -shm files take its mode.
    private_file(DATABASES["default"]["NAME"])
    # WAL lets readers run beside the writer; IMMEDIATE transactions take the write lock at
    # BEGIN, so a read-then-write rule inside atomic() cannot race on SQLite (where
    # select_for_update does nothing).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A psycopg connection pool: connecting per request costs ~20x (ARCHITECTURE.md).
    # JIT off: the report queries are short but costed high over millions of rows, and
    # PostgreSQL's JIT then spends ~40 ms compiling each one (measured: issue 8's dashboard).
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": env_int("DB_POOL_MAX", 10)},
        "options": "-c jit=off",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.Account"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 3 of 4 classes (lower, upper, digit, symbol), under the dengbao3 profile only.
    {"NAME": "ranan.core.credentials.CompositionValidator"},
]

# --- Security profile (issue 16) ---------------------------------------------------------
# "standard", or "dengbao3" (等保 2.0 level 3): a second factor (TOTP) required for the
# privileged roles, password composition and a maximum password age.
RANAN_SECURITY_PROFILE = env_str("RANAN_SECURITY_PROFILE", "standard")
if RANAN_SECURITY_PROFILE not in {"standard", "dengbao3"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("RANAN_SECURITY_PROFILE is 'standard' or 'dengbao3'.")
# The roles that need the second factor under dengbao3 (and superusers).
RANAN_OTP_ROLES = ["admin", "security_admin", "auditor", "regulator", "task_force"]
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)  # dengbao3 only
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Ranan")
# Password checks (PBKDF2, deliberately slow) at most this many at once per process, and at
# most LOGIN_QUEUE more waiting, up to LOGIN_WAIT_SECONDS; other logins answer 503 "busy,
# retry" at once (core.login_limit): a login storm cannot take the other requests down.
# One per process with as many processes as cores: measured best (bench/login_storm.py).
LOGIN_CONCURRENCY = env_int("LOGIN_CONCURRENCY", 1)
LOGIN_QUEUE = env_int("LOGIN_QUEUE", 1)
LOGIN_WAIT_SECONDS = env_int("LOGIN_WAIT_SECONDS", 5)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # absolute: 8 hours after login
# Idle: a session unused this long is logged out (core.middleware.SessionSecurityMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Login lockout (django-axes) -------------------------------------------------------
# 5 failed attempts within 15 minutes lock the account, and the account from that address;
# never an address as a whole (an office behind one NAT, or everyone behind a proxy).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
# The client's address: X-Forwarded-For is believed only from these proxies (addresses or
# networks, e.g. "127.0.0.1,10.0.0.0/8"); see docs/deploy.md. Used by axes and the audit log.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "ranan.core.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ranan.core.views.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# --- Security ----------------------------------------------------------------------------
# The defaults suit the demo on a laptop over plain HTTP; production behind HTTPS sets the
# environment docs/deploy.md lists, and `ranan manage check --deploy --fail-level WARNING`
# passes with it (tests/core/test_deploy_issue16.py).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Only behind a proxy that terminates TLS, sets X-Forwarded-Proto and drops the client's own:
# otherwise any client could claim to be on HTTPS.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script and no eval, so an injected <script>
# or on*= attribute does not run. Inline style stays allowed (Tabler's and ECharts' own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Uploaded photos and signatures, and the directories they land in: the server's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# The audit log is kept at least this long (Cybersecurity Law art. 21: six months); the
# audit_archive command copies older rows out and never touches younger ones.
AUDIT_RETENTION_DAYS = max(180, env_int("AUDIT_RETENTION_DAYS", 180))
# A refused attempt (403, out-of-scope write) is audited at most once a minute per account (or
# address) and path, so a script hammering a page cannot flood the log.
AUDIT_DENIED_INTERVAL = env_int("AUDIT_DENIED_INTERVAL", 60)

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the package in the demo, no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ranan.core.api_auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ranan.core.api_base.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ranan.core.api_base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env_int("API_TOKEN_HOURS", 12)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ranan API",
    "DESCRIPTION": "Ranan (燃安) gas safety platform. Errors: {\"errors\": [{field, code, message}]}.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that several fields share, named once.
    "ENUM_NAME_OVERRIDES": {
        "DeviceKindEnum": "ranan.customers.choices.DeviceKind",
        "VisitKindEnum": "ranan.inspections.choices.VisitKind",
        "MeasureKindEnum": "ranan.inspections.choices.MeasureKind",
        "CylinderStateEnum": "ranan.cylinders.choices.State",
        "HazardStateEnum": "ranan.hazards.choices.State",
        "GradeEnum": "ranan.inspections.choices.Grade",
        "OrderStateEnum": "ranan.delivery.choices.OrderState",
        "FailReasonEnum": "ranan.delivery.choices.FailReason",
        "VisitOutcomeEnum": "ranan.inspections.choices.Outcome",
        "ReferralOutcomeEnum": "ranan.inspections.choices.ReferralOutcome",
        "ReferralStateEnum": "ranan.inspections.choices.ReferralState",
    },
}

# --- Background tasks ------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Query strings carry searched phone and ID numbers: never logged (issue 16).
    "filters": {"redact_query": {"()": "ranan.lib.logredact.RedactQueryString"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter",
                                     "format": "[{server_time}] {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_query"]},
                 "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                                   "filters": ["redact_query"]}},
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO",
                                  "propagate": False, "filters": ["redact_query"]},
                "django.request": {"filters": ["redact_query"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

RANAN_PAGE_SIZE = env_int("PAGE_SIZE", 50)
RANAN_LANGUAGE_NAMES = {"zh-hans": _("Chinese"), "en": _("English")}

# The address printed in the cylinders' QR codes (https://gas.example.cn); empty: the address
# the labels were asked from.
PUBLIC_URL = env_str("PUBLIC_URL", "").rstrip("/")

# Photos and signatures of visits: on disk under the var directory, served only through
# views that check who may see them (never as public media).
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Notifications (core.notify): console (the log), email, or http (an SMS / WeChat gateway).
NOTIFY_BACKEND = env_str("NOTIFY_BACKEND", "console")
NOTIFY_HTTP_URL = env_str("NOTIFY_HTTP_URL", "")
NOTIFY_HTTP_TEMPLATE = env_str("NOTIFY_HTTP_TEMPLATE", "")
NOTIFY_SMS_BACKEND = env_str("NOTIFY_SMS_BACKEND", "")  # messages to a phone (core.notify)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ranan@localhost")

# The legal basis printed on rectification notices (hazards.notice).
HAZARD_LEGAL_BASIS = env_str("HAZARD_LEGAL_BASIS", "")

# How long the author of a shut-off or seal may void it, recorded by mistake (inspections).
RANAN_MEASURE_VOID_MINUTES = env_int("RANAN_MEASURE_VOID_MINUTES", 30)
