"""Settings, strictly from the environment (12-factor).

PORTAL_ENV chooses the profile; it defaults to `production`, which has no unsafe
default (no DEBUG, no development secret, HTTPS only):

- `development` (``make run``): the embedded default, SQLite under ``var/`` and Celery
  tasks executed in-process, so the portal runs with no other service.
- `test` (``make test``): the real local PostgreSQL and Redis.
- `production`: everything must be given (``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL``,
  ``ALLOWED_HOSTS``).
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

PORTAL_ENV = env.str("PORTAL_ENV", default="production")
if PORTAL_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"PORTAL_ENV must be development, test or production, not {PORTAL_ENV!r}"
    )
IS_PRODUCTION = PORTAL_ENV == "production"


def _strict_bool(name: str, default: bool) -> bool:
    """A boolean that is neither true nor false is an error, never a silent default."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = _strict_bool("DEBUG", default=PORTAL_ENV == "development")

_DEV_SECRET = "development-only-secret-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is required in production. For a local run use `make run` "
            "(PORTAL_ENV=development)."
        )
    SECRET_KEY = _DEV_SECRET
if IS_PRODUCTION and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("Production refuses to start with the development secret.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "simple_history",
    "django_htmx",
    "axes",
    # The platform's shared core.
    "portal",
    "portal.accounts",
    "portal.entities",
    "portal.centres",
    "portal.notices",
    "portal.tradelog",
    "portal.holds",
    # The trading catalog and the apps built on it.
    "catalog",
    "credit",
    "experts",
    "trading",
    "auctions",
    "supervision",
    "publicportal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

# The reverse proxy in front of the web tier (deploy/nginx.conf): requests from these
# addresses (CIDRs) may tell the client's address and the instant the upload was complete
# (portal/proxy.py). Empty: nothing from a header is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# --- Databases -------------------------------------------------------------------------
_DEFAULT_DATABASE_URL = {
    "development": f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    "test": "postgres://postgres@127.0.0.1:5432/portal",
    "production": "",
}[PORTAL_ENV]
DATABASE_URL = env.str("DATABASE_URL", default=_DEFAULT_DATABASE_URL)
if not DATABASE_URL:
    raise ImproperlyConfigured("DATABASE_URL is required in production.")

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: a new PostgreSQL connection per request costs the
# server several ms of CPU (a backend forked, authenticated, its caches filled), more than
# the public list's own query (docs/PERFORMANCE.md, issue 8). Safe with gunicorn's sync and
# gthread workers (one connection per worker thread, closed after CONN_MAX_AGE seconds or an
# error); checked before reuse, so a connection PostgreSQL dropped is replaced, not failed.
# Under an ASGI server set CONN_MAX_AGE=0: Django's documentation says persistent
# connections should be disabled there.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = _strict_bool("CONN_HEALTH_CHECKS", default=True)

# Supervision reads the operation side through its own connection, whose PostgreSQL role
# may only SELECT (see portal/tradelog/supervision_role.py). In production it may point at
# a streaming replica. On SQLite the same file is opened read-only.
SUPERVISION_DB_ROLE = env.str("SUPERVISION_DB_ROLE", default="portal_supervision")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_path = Path(DATABASES["default"]["NAME"]).resolve()
    DATABASES["supervision"] = {
        **DATABASES["default"],
        "NAME": f"file:{_sqlite_path}?mode=ro",
        "TEST": {"MIRROR": "default"},
    }
else:
    _supervision_url = env.str("SUPERVISION_DATABASE_URL", default="")
    if _supervision_url:
        DATABASES["supervision"] = env.db_url_config(_supervision_url)
    else:
        DATABASES["supervision"] = {
            **DATABASES["default"],
            "USER": SUPERVISION_DB_ROLE,
            "PASSWORD": env.str("SUPERVISION_DB_PASSWORD", default=""),
        }
    DATABASES["supervision"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["portal.db_routers.SupervisionReadOnlyRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and tasks -------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if IS_PRODUCTION and not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL is required in production.")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, reusing its clients (portal/redis_cache.py).
            "BACKEND": "portal.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test workers share one Redis: each gets its own key space.
            "KEY_PREFIX": env.str(
                "CACHE_KEY_PREFIX",
                default="portal"
                if PORTAL_ENV != "test"
                else f"portal-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
            ),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_BEAT_SCHEDULE: dict = {
    "close-due-openings": {"task": "trading.close_due_openings", "schedule": 30.0},
    "sweep-expert-draws": {"task": "experts.sweep_draws", "schedule": 60.0},
    # The alert sweep: catches up from the cursor whatever the kicks after commits missed.
    "supervision-evaluate-trade-log": {"task": "supervision.evaluate_trade_log", "schedule": 5.0},
    "supervision-verify-trade-log": {"task": "supervision.verify_trade_log", "schedule": 300.0},
    # Statutory steps that never happened (contract unsigned, deposits kept): periods in days.
    "supervision-sweep-overdue-steps": {
        "task": "supervision.sweep_overdue_steps",
        "schedule": 3600.0,
    },
    "lift-expired-expert-blacklists": {
        "task": "experts.lift_expired_blacklists",
        "schedule": 3600.0,
    },
    "advance-due-auctions": {"task": "auctions.run_due_events", "schedule": 1.0},
}
# Auctions: the bank's deposit callback is signed with this shared secret (HMAC-SHA256);
# empty: the callback is refused. A server-sent-events stream lives at most this long: on a
# sync worker, which it holds; under ASGI (a coroutine), where ending it only re-checks the
# reader's token and registration and moves the watcher to another worker after a deploy.
AUCTIONS_BANK_CALLBACK_SECRET = env.str("AUCTIONS_BANK_CALLBACK_SECRET", default="")
AUCTIONS_STREAM_SECONDS = env.int("AUCTIONS_STREAM_SECONDS", default=55)
AUCTIONS_ASGI_STREAM_SECONDS = env.int("AUCTIONS_ASGI_STREAM_SECONDS", default=300)
# The live state's public part kept per listing in the cache (auctions/live.py).
AUCTIONS_LIVE_SNAPSHOT = _strict_bool("AUCTIONS_LIVE_SNAPSHOT", default=True)

# --- Authentication and permissions ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a login while the user/IP pair is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hour
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
ANONYMOUS_USER_NAME = None  # django-guardian: no database row for the anonymous user
GUARDIAN_RAISE_403 = False
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if PORTAL_ENV == "test":
    # Argon2 is deliberately slow; tests create hundreds of accounts.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation: UI in Simplified Chinese, English one setting away ----------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # shown in Beijing time, stored in UTC
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
# Production serves collected files (whitenoise, compressed and hashed); elsewhere whitenoise
# reads the apps' static folders directly.
STATIC_ROOT = (
    Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))) if IS_PRODUCTION else None
)
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "统一公共资源交易平台 API",
    "DESCRIPTION": "Public resource trading platform — REST API v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectFundingSourceEnum": "trading.models.Project.FundingSource",
        "CatalogFundingSourceEnum": "catalog.models.FundingSource",
        "AuctionListingStateEnum": "auctions.models.Listing.State",
        "AuctionTenderBidStateEnum": "auctions.models.TenderBid.State",
        "AlertSeverityEnum": "supervision.models.Severity",
        "AlertStatusEnum": "supervision.models.Alert.Status",
        "SupervisingDepartmentEnum": "portal.accounts.models.Department",
    },
}

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page (hx-headers), not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Platform ----------------------------------------------------------------------------
# Sealed bids (portal.sealing): the cipher suite new envelopes use, and the key that wraps a
# bid's data key for the evaluation committee and the archive once the bidder has decrypted
# it at the opening (never usable before: until then only the bidder's secret opens it).
SEALING_SUITE = env.str("SEALING_SUITE", default="AES-256-GCM/SHA-256")
BID_ARCHIVE_KEY = env.str("BID_ARCHIVE_KEY", default="")
if not BID_ARCHIVE_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("BID_ARCHIVE_KEY (32 bytes, base64) is required in production.")
    import base64
    import hashlib

    BID_ARCHIVE_KEY = base64.b64encode(
        hashlib.sha256(f"archive:{SECRET_KEY}".encode()).digest()
    ).decode()

# Supervision: the platform's Ed25519 key (32 raw bytes, base64) signs the trade-log head
# and the regulators' export bundles; auditors verify with the public key it publishes.
PLATFORM_NAME = env.str("PLATFORM_NAME", default="public-resource-trading-platform")
PLATFORM_SIGNING_KEY = env.str("PLATFORM_SIGNING_KEY", default="")
# The queue the alert evaluation is sent to after each commit (empty: Celery's default queue).
SUPERVISION_TASK_QUEUE = env.str("SUPERVISION_TASK_QUEUE", default="")
if not PLATFORM_SIGNING_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured(
            "PLATFORM_SIGNING_KEY (Ed25519 private key, 32 bytes, base64) is required in "
            "production."
        )
    import base64
    import hashlib

    PLATFORM_SIGNING_KEY = base64.b64encode(
        hashlib.sha256(f"platform-signing:{SECRET_KEY}".encode()).digest()
    ).decode()

# How long an invitation to join a market entity stays valid.
ENTITY_INVITATION_DAYS = 7

# --- Open data (publicportal) ------------------------------------------------------------------
# The OCDS ocid prefix: "ocds-" and the six characters the Open Contracting Partnership
# registers for the publisher; the default is a placeholder until registration.
OCDS_OCID_PREFIX = env.str("OCDS_OCID_PREFIX", default="ocds-prtp00")
OCDS_CATEGORIES = ["engineering", "procurement"]
OCDS_PUBLISHER_NAME = env.str("OCDS_PUBLISHER_NAME", default="公共资源交易平台")
OCDS_LICENSE = env.str("OCDS_LICENSE", default="https://creativecommons.org/licenses/by/4.0/")
OCDS_PUBLICATION_POLICY = env.str("OCDS_PUBLICATION_POLICY", default="")
