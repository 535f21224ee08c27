"""Settings shared by every run mode. Values an operator changes come from ``env.py``."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR = env.BASE_DIR
PROJECT_DIR = BASE_DIR / "parvis"

SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

INSTALLED_APPS = [
    "parvis.core",
    "parvis.accounts",
    "parvis.directory",
    "parvis.cms",
    "parvis.opendata",
    "parvis.api",
    "ninja",  # Swagger UI of /api/docs from its bundled static files, no CDN
    "parvis.payments",
    "parvis.newsletter",
    "parvis.bookings",
    "parvis.procedures",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "parvis.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "parvis.core.middleware.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "parvis.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parvis.urls"
WSGI_APPLICATION = "parvis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------
if env.DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(env.DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    Path(env.SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -------------------------------------------------------------
if env.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.REDIS_URL,
            "KEY_PREFIX": "parvis",
        }
    }
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "parvis-pages"}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "parvis",
        },
        # Shared by every worker process of one machine, so that publishing in one
        # gunicorn worker invalidates the pages cached by the others at once.
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.PAGE_CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background tasks (Django's Tasks API) --------------------------------------------
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "rq": "django_tasks_rq.RQBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(env.TASKS_BACKEND, env.TASKS_BACKEND)}}

# --- Accounts and authentication ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "parvis.accounts.validators.CharacterClassesValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/comptes/"
WAGTAILUSERS_PASSWORD_REQUIRED = True

# Repeated failed logins lock the account name and, separately, the address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: fifteen minutes
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

OTP_TOTP_ISSUER = "Parvis"

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    # Front-end libraries installed by npm (package.json), never copied into the repository.
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", BASE_DIR / "node_modules" / "leaflet.markercluster" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.MEDIA_ROOT
PARVIS_PRIVATE_MEDIA_ROOT = env.PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644  # public media, read by nginx

# --- E-mail -------------------------------------------------------------------------------
EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
EMAIL_USE_SSL = env.EMAIL_USE_SSL
EMAIL_BACKEND = env.EMAIL_BACKEND or "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL
SERVER_EMAIL = env.SERVER_EMAIL
ADMINS = [("Admin", address) for address in env.ADMINS]

# --- Security -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PARVIS_PAGE_CACHE_SECONDS = env.PAGE_CACHE_SECONDS

# --- Wagtail ------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Parvis"
WAGTAILADMIN_BASE_URL = env.SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # "refection-du-chemin", readable in every client
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party request, even in the admin
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "csv", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILEMBEDS_FINDERS = []
WAGTAIL_PASSWORD_RESET_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"

# --- Logging ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

PARVIS_SITE_URL = env.SITE_URL

# --- Directory and maps -------------------------------------------------------------------
# Tile URL template for Leaflet; empty shows the map without background tiles (tests, or a
# commune that wants no third-party request). The attribution is shown under the map.
PARVIS_MAP_TILE_URL = env.MAP_TILE_URL
PARVIS_MAP_TILE_ATTRIBUTION = env.MAP_TILE_ATTRIBUTION
PARVIS_GEOCODER = env.GEOCODER
PARVIS_GEOCODER_URL = env.GEOCODER_URL
# Gréasque's school-holiday zone (A, B or C) for the ``SH`` rule of opening hours.
PARVIS_SCHOOL_ZONE = env.SCHOOL_ZONE
# 14-digit SIRET of the commune: COLL_SIRET of the SCDL open-data files.
PARVIS_COMMUNE_SIRET = env.COMMUNE_SIRET
PARVIS_TITLE = _("Site de la commune")

# --- Payments -------------------------------------------------------------------------------
# Régies (backend, PayFiP numcli, delays) are edited in the admin; secrets of other
# eopayment backends stay in the environment, by régie code (never in the database).
PARVIS_PAYMENTS_PROVIDER = env.PAYMENTS_PROVIDER
PARVIS_PAYMENTS_BACKEND_OPTIONS = env.PAYMENTS_BACKEND_OPTIONS
PARVIS_PAYMENTS_PAYFIP_SAISIE = env.PAYMENTS_PAYFIP_SAISIE
PARVIS_PAYMENTS_PAYFIP_WSDL_URL = env.PAYMENTS_PAYFIP_WSDL_URL
PARVIS_PAYMENTS_PAYFIP_SERVICE_URL = env.PAYMENTS_PAYFIP_SERVICE_URL
PARVIS_PAYMENTS_PROVIDER_TIMEOUT = env.PAYMENTS_PROVIDER_TIMEOUT
PARVIS_PAYMENTS_PENDING_EXPIRY_MINUTES = env.PAYMENTS_PENDING_EXPIRY_MINUTES
PARVIS_PAYMENTS_ALLOW_DUMMY = env.PAYMENTS_ALLOW_DUMMY

# --- Newsletters and SMS --------------------------------------------------------------------
PARVIS_SMS_BACKEND = env.SMS_BACKEND
PARVIS_SMS_SENDER = env.SMS_SENDER  # sender name shown on phones (11 characters at most)
PARVIS_SMS_PROVIDER_URL = env.SMS_PROVIDER_URL
PARVIS_SMS_PROVIDER_KEY = env.SMS_PROVIDER_KEY
PARVIS_SMS_PROVIDER_SECRET = env.SMS_PROVIDER_SECRET
PARVIS_SMS_MONTHLY_QUOTA = env.SMS_MONTHLY_QUOTA  # in segments
PARVIS_SMS_MAX_SEGMENTS = env.SMS_MAX_SEGMENTS  # longest SMS allowed, in segments
PARVIS_NEWSLETTER_FROM_EMAIL = env.NEWSLETTER_FROM_EMAIL
PARVIS_NEWSLETTER_REPLY_TO = env.NEWSLETTER_REPLY_TO
PARVIS_NEWSLETTER_EMAIL_RATE = env.NEWSLETTER_EMAIL_RATE  # messages per second, 0: no limit
PARVIS_NEWSLETTER_SMS_RATE = env.SMS_RATE  # messages per second, 0: no limit
PARVIS_SMS_PROVIDER_TIMEOUT = env.SMS_PROVIDER_TIMEOUT  # seconds
PARVIS_SMS_FILE_PATH = env.SMS_FILE_PATH  # FileBackend folder (default var/sms)
PARVIS_SMS_OVH_CONSUMER_KEY = env.SMS_OVH_CONSUMER_KEY
PARVIS_SMS_OVH_SERVICE = env.SMS_OVH_SERVICE
PARVIS_SMS_INBOUND_SECRET = env.SMS_INBOUND_SECRET  # empty: no inbound SMS webhook
PARVIS_SMS_STOP_NUMBER = env.SMS_STOP_NUMBER  # short number for « STOP au … »
PARVIS_SMS_QUIET_HOURS = env.SMS_QUIET_HOURS  # night window, Europe/Paris
# Bounces and complaints from the e-mail service (django-anymail webhooks, e.g. Brevo:
# https://…/lettre/webhooks/anymail/brevo/tracking/ with basic auth "user:password").
ANYMAIL = {"WEBHOOK_SECRET": env.ANYMAIL_WEBHOOK_SECRET or None}
