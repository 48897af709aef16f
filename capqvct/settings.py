"""Cap QVCT settings, configured by environment variables (see .env.example)."""

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", False)
# pytest-django may load the settings before the root conftest runs, so pytest itself counts.
TESTING = bool(os.environ.get("CAPQVCT_TESTING")) or "pytest" in sys.modules
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me" if DEBUG else "")
if not SECRET_KEY and TESTING:
    SECRET_KEY = "insecure-test-key"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("CAPQVCT_SITE_URL", "http://127.0.0.1:8000")
# The service's own address, shown on the contact and error pages.
CAPQVCT_CONTACT_EMAIL = os.environ.get("CAPQVCT_CONTACT_EMAIL", "contact@capqvct.example")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "dsfr",
    "django_tasks",
    "django_tasks_db",
    "capqvct.core",
    "capqvct.territory",
    "capqvct.accounts",
    "capqvct.establishments",
    "capqvct.calls",
    "capqvct.applications",
    "capqvct.review",
    "capqvct.cohorts",
    "capqvct.approaches",
    "capqvct.surveys",
    "capqvct.api",
    "capqvct.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "capqvct.core.network.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, which answers static files itself (already compressed, or images and fonts
    # that gain nothing): only the pages and the API's JSON are gzipped here, when the client asks.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "capqvct.core.errors.MethodNotAllowedPage",
    "capqvct.core.errors.RequestTooLargePage",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "capqvct.accounts.middleware.IdleSessionMiddleware",
    "capqvct.accounts.middleware.SecondFactorRequiredMiddleware",
    "capqvct.accounts.middleware.RegionTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "capqvct.core.middleware.PrivateResponsesMiddleware",
    "capqvct.core.middleware.NullCharacterMiddleware",
]

ROOT_URLCONF = "capqvct.urls"
WSGI_APPLICATION = "capqvct.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "capqvct.accounts.context_processors.navigation",
                "capqvct.establishments.context_processors.navigation",
                "capqvct.review.context_processors.navigation",
                "capqvct.cohorts.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'capqvct.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
elif TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tests throw their databases away: a commit need not wait for the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALIDITY = timedelta(days=int(os.environ.get("CAPQVCT_INVITATION_DAYS", "7")))

# Brute-force protection (see docs/deploiement.md, « Connexion : limitation des essais »). Failures
# are counted per e-mail address AND client IP address together, and per IP address alone at a
# higher threshold: a stranger hammering an agent's address locks only their own pair, an address
# spraying many accounts is stopped, and the agent signing in from their own network is never locked
# out by someone else. A password reset unlocks the address everywhere.
AXES_HANDLER = "capqvct.accounts.throttling.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("CAPQVCT_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("CAPQVCT_LOGIN_IP_FAILURE_LIMIT", "50"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CAPQVCT_LOGIN_COOLOFF_MINUTES", "15")))
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "capqvct.core.network.client_ip"

# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): only the load
# balancer or reverse proxy in front of the application. Nobody else may choose the IP we record.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CAPQVCT_TRUSTED_PROXIES", "").split(",") if p.strip()]
TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network(p, strict=False) for p in TRUSTED_PROXIES]

# The audit log (with IP addresses) is kept this long, then `manage.py purge_audit_log` deletes it.
AUDIT_RETENTION_DAYS = int(os.environ.get("CAPQVCT_AUDIT_RETENTION_DAYS", "365"))

# Personal API tokens expire: after the shortest lifetime set by the user's agencies, else this one.
API_TOKEN_DEFAULT_LIFETIME_DAYS = int(os.environ.get("CAPQVCT_API_TOKEN_DAYS", "90"))

OTP_TOTP_ISSUER = "Cap QVCT"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 10
# Agents, consultants and observers (those who need a second factor) are signed out after this long
# without a request; the others keep SESSION_COOKIE_AGE.
IDLE_SESSION_TIMEOUT = timedelta(minutes=int(os.environ.get("CAPQVCT_IDLE_SESSION_MINUTES", "30")))
CSRF_FAILURE_VIEW = "capqvct.core.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS only, remembered by browsers (HSTS): on in production, off in development and tests, where
# the site is served over plain HTTP. One year, sub-domains included; preload only when asked.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG or TESTING else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", False)
# Behind a proxy that terminates TLS, the proxy says the request came in HTTPS.
if env_flag("DJANGO_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, fonts and images come from this site only;
# no inline script, no style attribute, no eval; images may also be data: URIs (DSFR's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# In production, collectstatic gives each CSS and JS file a name carrying a hash of its content
# (« dsfr.min.1f2e3d4c5b6a.css ») and writes the manifest the {% static %} tag reads: WhiteNoise then
# serves those files with a one-year, immutable Cache-Control, and a new version has a new name.
# Development and tests serve the apps' folders as they are, without collectstatic nor manifest.
_static_files_backend = (
    "whitenoise.storage.CompressedStaticFilesStorage"
    if DEBUG or TESTING
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _static_files_backend},
}
# Without collectstatic (development, tests) files are served from the apps' folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Uploaded files live outside the web root: no URL serves MEDIA_ROOT, only views that check permissions.
MEDIA_ROOT = Path(os.environ.get("CAPQVCT_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# An upload above 2 MiB goes to a temporary file, not to memory; the form's fields other than files
# may weigh 5 MiB at most (Django refuses the request beyond).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A dossier's page refuses a request heavier than this, files included, before reading it; the web
# server in front should refuse it too (nginx: client_max_body_size, see docs/deploiement.md).
UPLOAD_MAX_REQUEST_MB = int(os.environ.get("CAPQVCT_UPLOAD_MAX_REQUEST_MB", "100"))
# Office files are zip archives: refused when their content would inflate beyond this in all, or when
# an entry inflates more than ZIP_MAX_RATIO times its compressed size (a zip bomb). Read from the
# archive's central directory only, never inflated.
ZIP_MAX_INFLATED_MB = int(os.environ.get("CAPQVCT_ZIP_MAX_INFLATED_MB", "200"))
ZIP_MAX_RATIO = int(os.environ.get("CAPQVCT_ZIP_MAX_RATIO", "250"))

# Background work (e-mails in bulk, reminders) runs in `manage.py db_worker`; tests run tasks at once.
IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CAPQVCT_TASK_BACKEND", IMMEDIATE_TASKS if TESTING else DATABASE_TASKS)
    }
}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Cap QVCT <ne-pas-repondre@capqvct.example>")
# A mail server that accepts the connection and then says nothing must not hold a worker for ever.
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "30"))
# The outbox (capqvct.core.outbox): a failed e-mail is tried again after 1, 2, 4… minutes, 8 times in all
# (over 2 hours); `send_outbox` queues again those due for 10 minutes; `purge_outbox` keeps 30 days.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("CAPQVCT_OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_DELAY_SECONDS = int(os.environ.get("CAPQVCT_OUTBOX_RETRY_DELAY_SECONDS", "60"))
OUTBOX_LOST_AFTER_SECONDS = 600
OUTBOX_INTERRUPTED_AFTER_SECONDS = 900
OUTBOX_KEEP_DAYS = int(os.environ.get("CAPQVCT_OUTBOX_KEEP_DAYS", "30"))


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Staff surveys: no result is shown for fewer respondents than this (never below 5), and free texts
# never below 10 (capqvct/surveys/anonymity.py).
SURVEY_MIN_RESPONDENTS = max(5, int(os.environ.get("CAPQVCT_SURVEY_MIN_RESPONDENTS", "5")))
SURVEY_MIN_FREE_TEXT_RESPONDENTS = max(10, int(os.environ.get("CAPQVCT_SURVEY_MIN_FREE_TEXT", "10")))
