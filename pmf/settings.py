"""Settings, read from the environment with safe defaults.

Unset everything and you get SQLite in the project folder, Celery tasks run eagerly in-process,
a local-memory cache and e-mail printed to the console. See README.md for the variables.
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from pmf.env import database_config, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set SECRET_KEY or SECRET_KEY_FILE, or DEBUG=1 for development)."
        )
    SECRET_KEY = "development-only-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "pmf.apps.PmfAdminConfig",  # django.contrib.admin, for superusers only (see OperatorAdminSite)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "simple_history",
    "pmf",
    "plans",
    "indicators",
    "scorecards",
    "risks",
    "assessments",
    "reports",
    "cycle",
    "people",
    "scrutiny",
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
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "pmf.middleware.PrivacyHeadersMiddleware",
    "pmf.middleware.RefuseNulMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "pmf.urls"
WSGI_APPLICATION = "pmf.wsgi.application"
ASGI_APPLICATION = "pmf.asgi.application"

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
                "pmf.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": database_config("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pmf.User"
AUTHENTICATION_BACKENDS = ["pmf.auth.EmailOrUsernameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins per account and per address before a lock-out, and how long it lasts.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# Month (1-12) in which the financial year starts; April for UK public bodies.
FINANCIAL_YEAR_START_MONTH = env_int("FINANCIAL_YEAR_START_MONTH", 4)
if not 1 <= FINANCIAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured(f"FINANCIAL_YEAR_START_MONTH must be 1-12; got {FINANCIAL_YEAR_START_MONTH}.")
# Largest CSV or Excel file an import accepts, in bytes.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 200 * 1024 * 1024)
if IMPORT_MAX_BYTES < 1:
    raise ImproperlyConfigured(f"IMPORT_MAX_BYTES must be a positive number of bytes; got {IMPORT_MAX_BYTES}.")
# Largest evidence file a self-assessment accepts, in bytes, and the extensions it accepts (each
# checked against the file's content; see assessments/evidence.py).
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured(f"EVIDENCE_MAX_BYTES must be a positive number of bytes; got {EVIDENCE_MAX_BYTES}.")
EVIDENCE_FILE_TYPES = [
    kind.lower().lstrip(".")
    for kind in env_list(
        "EVIDENCE_FILE_TYPES", ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "csv", "txt", "png", "jpg"]
    )
]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Redis: broker, result backend and cache when set; otherwise eager tasks and local memory.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = env_int("CELERY_RESULT_EXPIRES", 24 * 3600)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A deployment sharing its Redis with another names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Every job is idempotent, so a task is acknowledged only once it has finished and is handed to
# another worker when its worker dies: a restart never loses one. One task at a time per worker
# process, so a long import does not hold back the tasks queued behind it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
# The longest a task may run: past the soft limit it is asked to stop (and rolls back), past the
# hard limit its worker process is ended.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT; got "
        f"{CELERY_TASK_SOFT_TIME_LIMIT} and {CELERY_TASK_TIME_LIMIT}."
    )
# Redis hands an unacknowledged task to another worker after the visibility timeout; it must be
# longer than the longest task, or a running task would be started a second time.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 10 * 60)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT} s) must be longer than CELERY_TASK_TIME_LIMIT "
        f"({CELERY_TASK_TIME_LIMIT} s)."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for tasks whose worker died (the sweep runs every interval x throttle).
    "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# The daily cycle job (reminders, escalations, digests) runs at this time, HH:MM local time.
CYCLE_DAILY_AT = env_str("CYCLE_DAILY_AT", "06:30")
try:
    _cycle_hour, _cycle_minute = (int(part) for part in CYCLE_DAILY_AT.split(":"))
    if not (0 <= _cycle_hour <= 23 and 0 <= _cycle_minute <= 59):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(f"CYCLE_DAILY_AT must be a time as HH:MM; got {CYCLE_DAILY_AT!r}.") from None
# Every periodic job, in one place; each job is idempotent (safe to run twice or to catch up).
CELERY_BEAT_SCHEDULE: dict = {
    "plans-refresh-statuses": {"task": "plans.refresh_statuses", "schedule": crontab(hour=2, minute=15)},
    "scorecards-issue-editions": {"task": "scorecards.issue_due_editions", "schedule": crontab(hour=6, minute=0)},
    "cycle-daily": {"task": "cycle.daily", "schedule": crontab(hour=_cycle_hour, minute=_cycle_minute)},
    # Scheduled reports, after the day's editions are issued; and the sweep of runs whose worker died.
    "reports-run-schedule": {"task": "reports.run_schedule", "schedule": crontab(hour=7, minute=0)},
    "reports-sweep": {"task": "reports.sweep", "schedule": crontab(minute="*/10")},
}
# Imports of files larger than this many bytes run as background jobs with a progress page.
IMPORT_BACKGROUND_BYTES = env_int("IMPORT_BACKGROUND_BYTES", 1024 * 1024)

# E-mail: printed to the console unless EMAIL_BACKEND says otherwise ("smtp", "file" or a class path).
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = env_str("EMAIL_BACKEND", "console")
_email_options: dict = {}
if _email_backend == "file":
    _email_options = {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))}
elif _email_backend == "smtp":
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        # An SMTP server that stops answering fails the message after this long; it is retried later.
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
MAILERS = {"default": {"BACKEND": _EMAIL_BACKENDS.get(_email_backend, _email_backend), "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "performance@localhost")
# The address people open the system at: links in e-mails start with it.
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS=1 behind TLS turns on the secure-cookie, redirect and HSTS settings.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Every page, the public ones too: scripts, stylesheets, images and fonts only from our own static
# files, no inline script, never framed. (json_script data blocks are not scripts.) Style
# attributes are allowed (style-src-attr) and nothing else inline: the risk bands and assessment
# indents set CSS custom properties in them, and plotly.js styles its charts through them; a style
# attribute cannot run script. The two <style> elements plotly.js (the vendored v4.1.1) adds to
# a page are allowed by their hashes: an empty one it fills through the CSSOM, and its own rules.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
]
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": ["'self'", *PLOTLY_STYLE_HASHES],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
