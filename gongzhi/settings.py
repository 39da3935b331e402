"""One settings module, read from the environment, with safe defaults for the embedded demo."""

import ipaddress
import os
import secrets
from pathlib import Path

import environ
from django.utils.csp import CSP

from gongzhi.accounts.passwords import PROFILES as PASSWORD_PROFILES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("GONGZHI_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _secret_in_var(name: str, make) -> str:
    """A development secret generated once into var/ (never committed); production sets the env."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("GONGZHI_DEBUG", default=False)
SECRET_KEY = env.str("GONGZHI_SECRET_KEY", default="") or _secret_in_var(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
# Key of the personal-data fields (ID numbers, phones) and of their keyed hashes.
FIELD_ENCRYPTION_KEY = env.str("GONGZHI_FIELD_KEY", default="") or _secret_in_var(
    "field.key", lambda: secrets.token_urlsafe(32)
)
# Keys that sealed older values, kept readable until `gongzhi keys rotate` has run.
FIELD_ENCRYPTION_OLD_KEYS = env.list("GONGZHI_FIELD_OLD_KEYS", default=[])
FIELD_CIPHER = env.str("GONGZHI_FIELD_CIPHER", default="aes")  # or sm4 (商用密码)
ALLOWED_HOSTS = env.list("GONGZHI_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("GONGZHI_CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the platform, whose X-Forwarded-For is believed (lockout, audit):
# a count of proxy hops ("1" for one nginx) or their addresses and networks ("10.0.0.5,10.1.0.0/16").
# Empty (the default): X-Forwarded-For is ignored and the connecting address is the client.
_proxies = env.str("GONGZHI_TRUSTED_PROXIES", default="").strip()
TRUSTED_PROXIES: int | list[str] = (
    int(_proxies) if _proxies.isdigit() else [p.strip() for p in _proxies.split(",") if p.strip()]
)
for _proxy in TRUSTED_PROXIES if isinstance(TRUSTED_PROXIES, list) else []:
    ipaddress.ip_network(_proxy, strict=False)  # a typo fails at start, not on every request

INSTALLED_APPS = [
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.org",
    "gongzhi.grids",
    "gongzhi.governance",
    "gongzhi.concerns",
    "gongzhi.visits",
    "gongzhi.deliberation",
    "gongzhi.volunteers",
    "gongzhi.notifications",
    "gongzhi.insights",
    "gongzhi.projects",
    "gongzhi.surveys",
    "gongzhi.property",
    "gongzhi.workforce",
    "gongzhi.field",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # django-ninja ships Swagger UI as static files: with the app installed the API docs load them
    # from this site (inside the CSP, and offline) instead of from a CDN.
    "ninja",
    # The task table of the worker backend (GONGZHI_TASKS=database); unused by the in-process demo.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.replica.PinMiddleware",
    "gongzhi.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
    "gongzhi.core.inputs.InputGuardMiddleware",
    "gongzhi.accounts.middleware.SessionLimitsMiddleware",
    "gongzhi.core.middleware.ScopeErrorsMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "gongzhi.notifications.context.unread",
                "gongzhi.menu.menu",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a long import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # JIT compiling cost 428 of 594 ms on town-wide coverage figures and saves nothing on OLTP.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if env.str("GONGZHI_TEST_DB_NAME", default=""):
    # Lets two suites run side by side against one PostgreSQL server.
    DATABASES["default"]["TEST"] = {"NAME": env.str("GONGZHI_TEST_DB_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrency tests then meet SQLite's real locking (WAL,
    # busy timeout) as a deployment does; one file per process keeps parallel runs apart.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A read replica (docs/operations.md): dashboards, reports and exports read from it
# (gongzhi/core/replica.py); tests point it at the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
elif os.environ.get("PYTEST_VERSION"):  # the suite reads through the alias, pointed at the primary
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if "replica" in DATABASES and DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASE_ROUTERS = ["gongzhi.core.replica.Router"]

# Background tasks (core/jobs.py). `default` runs the scheduled jobs, delivery and fan-out;
# `background` runs work a person waits on (an export's file, the audit chain check) off the request.
# Embedded (the demo): `default` in-process after the commit, `background` in a thread of the web
# process (core/task_backends.py). A deployment sets GONGZHI_TASKS=database: both go to the task
# table and `gongzhi worker` processes run them.
_WORKERS = env.str("GONGZHI_TASKS", default="immediate") == "database"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if _WORKERS
        else "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": [],
    },
    "background": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if _WORKERS
        else env.str("GONGZHI_BACKGROUND_TASKS", default="gongzhi.core.task_backends.ThreadBackend"),
        "QUEUES": [],
    },
}
# A worker silent this long is taken for dead and its running tasks go back in the queue.
GONGZHI_WORKER_STALE_SECONDS = env.int("GONGZHI_WORKER_STALE_SECONDS", default=20)

# Where residents reach the platform, e.g. https://gz.example.gov.cn: prefixes links sent by SMS and email.
GONGZHI_PUBLIC_URL = env.str("GONGZHI_PUBLIC_URL", default="")

# Email: SMTP when GONGZHI_SMTP_HOST is set, otherwise into var/outbox/email (development, demo).
if env.str("GONGZHI_SMTP_HOST", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.str("GONGZHI_SMTP_HOST"),
                "port": env.int("GONGZHI_SMTP_PORT", default=465),
                "username": env.str("GONGZHI_SMTP_USER", default=""),
                "password": env.str("GONGZHI_SMTP_PASSWORD", default=""),
                "use_ssl": env.bool("GONGZHI_SMTP_SSL", default=True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "outbox" / "email")},
        }
    }
DEFAULT_FROM_EMAIL = env.str("GONGZHI_FROM_EMAIL", default="gongzhi@localhost")

# Staff sign in with a second factor (TOTP app). The embedded demo (`make run`) turns it off.
MFA_REQUIRED = env.bool("GONGZHI_MFA_REQUIRED", default=True)
# `asvs` (default) or `dengbao` (adds character classes and 90-day rotation): accounts/passwords.py.
PASSWORD_PROFILE = env.str("GONGZHI_PASSWORD_PROFILE", default="asvs")
if PASSWORD_PROFILE not in ("asvs", "dengbao"):
    raise environ.ImproperlyConfigured("GONGZHI_PASSWORD_PROFILE must be asvs or dengbao")
AUTH_PASSWORD_VALIDATORS = PASSWORD_PROFILES[PASSWORD_PROFILE]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
# Front-end packages come from npm at install time; only their built files are served.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "gongzhi" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "uploads"
WHITENOISE_USE_FINDERS = True

# Sessions end after 30 idle minutes (the cookie is renewed on every request) and, whatever
# the activity, 12 hours after sign-in (accounts.middleware.SessionLimitsMiddleware).
SESSION_COOKIE_AGE = env.int("GONGZHI_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("GONGZHI_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "gongzhi.core.error_views.csrf_failure"  # in Chinese, in the layout
# Over HTTPS (production), cookies are Secure and browsers are told to stay on HTTPS.
HTTPS = env.bool("GONGZHI_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env.bool("GONGZHI_HSTS_PRELOAD", default=HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # ECharts and Leaflet set style attributes on the elements they draw.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "gongzhi.core.logging.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("GONGZHI_LOG_LEVEL", default="WARNING")},
    # Each background task logs its start and end at INFO: noise in commands such as `demo load`.
    "loggers": {"django.tasks": {"level": env.str("GONGZHI_TASK_LOG_LEVEL", default="WARNING")}},
}
AUDIT_PURGE_ALLOWED = env.bool("GONGZHI_AUDIT_PURGE", default=False)
