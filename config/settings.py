"""Iterum's one settings module. Every knob is an environment variable (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Accepts true/false, 1/0, yes/no, on/off (any case); anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_url(name: str, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not raw.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        raise ImproperlyConfigured(f"{name} must start with one of {', '.join(schemes)}://")
    return raw


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# Production (DEBUG=false) is HTTPS-only by default: secure cookies, redirects and HSTS.
# Behind a proxy that terminates TLS, it must send X-Forwarded-Proto.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30 if HTTPS else 0)
# Turn these off if other sites share your domain. The preload directive submits nothing.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # Swagger UI's files for /api/v1/docs, served by us (our CSP allows no CDN)
    "django_eventstream",
    "django_tasks_db",
    "axes",
    "generations",
    "generations.running",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "generations.api.errors.json_errors_under_api",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.readable_request_body",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.htmx_login_redirect",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: scripts and styles from this site only, no inline code (the
# admin's scripts carry the per-request nonce), nothing framed, forms post here only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "generations.context_processors.model_provider",
            ],
        },
    },
]

# Database: a SQLite file by default (WAL, so the web server and the worker can share it).
DATABASE_URL = env_url("DATABASE_URL", ("sqlite", "postgres", "postgresql")) or (
    f"sqlite:///{BASE_DIR / 'var' / 'iterum.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Live tests share the test database with a server and a worker process: it must be a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: django.tasks with the database backend (worker: manage.py worker).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Live events: django-eventstream with database storage, so every event has an id and can
# be replayed. The database is the record; a relay tells the web process when a channel
# moved: by polling (always) and by Redis pub/sub when REDIS_URL is set.
EVENTSTREAM_STORAGE_CLASS = "django_eventstream.storage.DjangoModelStorage"
EVENTSTREAM_CHANNELMANAGER_CLASS = "generations.live.events.VersionChannelManager"
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss", "unix"))
EVENTS_RELAY = env_str("EVENTS_RELAY", "redis" if REDIS_URL else "database")
if EVENTS_RELAY not in ("database", "redis"):
    raise ImproperlyConfigured(f"EVENTS_RELAY={EVENTS_RELAY!r}: use database or redis.")
if EVENTS_RELAY == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("EVENTS_RELAY=redis needs REDIS_URL.")
# Deployments sharing one Redis database give each other different names here.
EVENTS_REDIS_CHANNEL = env_str("EVENTS_REDIS_CHANNEL", "iterum:events")
EVENTS_POLL_SECONDS = env_float("EVENTS_POLL_SECONDS", 0.1, minimum=0.01)
# Internet scale: Pushpin in front holds the browsers' connections (docs/operations.md).
# GRIP_URL is Pushpin's publish endpoint with the key it signs requests with, e.g.
# http://127.0.0.1:5561?key=SECRET (its sig_key). Events are then also published to it, and
# requests it signs get GRIP instructions instead of a stream held here.
GRIP_URL = env_url("GRIP_URL", ("http", "https"))
if GRIP_URL and "key=" not in GRIP_URL:
    raise ImproperlyConfigured(
        "GRIP_URL needs key=<Pushpin's sig_key>, so only Pushpin's signed requests are trusted."
    )
# Deployments sharing one Pushpin give their channels different prefixes here.
GRIP_PREFIX = env_str("GRIP_PREFIX", "")
if GRIP_URL:
    MIDDLEWARE.insert(0, "django_grip.GripMiddleware")

# The model. With no key and no server the offline demo model answers, so everything works
# without network. google-genai is Google's current SDK (its predecessor is retired: README).
GEMINI_API_KEY = env_str("GEMINI_API_KEY") or env_str("GOOGLE_API_KEY")
GEMINI_MODEL = env_str("GEMINI_MODEL", "gemini-2.5-flash")
GEMINI_BASE_URL = env_url("GEMINI_BASE_URL", ("http", "https"))
GEMINI_API_VERSION = env_str("GEMINI_API_VERSION", "v1")
# Ask thinking models for their thought summaries, shown folded in the live panel.
GEMINI_INCLUDE_THOUGHTS = env_bool("GEMINI_INCLUDE_THOUGHTS", True)
OPENAI_BASE_URL = env_url("OPENAI_BASE_URL", ("http", "https"))
OPENAI_MODEL = env_str("OPENAI_MODEL")
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
_default_provider = "gemini" if GEMINI_API_KEY else "openai" if OPENAI_BASE_URL else "demo"
MODEL_PROVIDER = env_str("MODEL_PROVIDER", _default_provider)
if MODEL_PROVIDER not in ("demo", "gemini", "openai"):
    raise ImproperlyConfigured(f"MODEL_PROVIDER={MODEL_PROVIDER!r}: use demo, gemini or openai.")
if MODEL_PROVIDER == "gemini" and not GEMINI_API_KEY:
    raise ImproperlyConfigured("MODEL_PROVIDER=gemini needs GEMINI_API_KEY (or GOOGLE_API_KEY).")
if MODEL_PROVIDER == "openai" and not (OPENAI_BASE_URL and OPENAI_MODEL):
    raise ImproperlyConfigured("MODEL_PROVIDER=openai needs OPENAI_BASE_URL and OPENAI_MODEL.")
DEMO_MODEL_CHUNK_DELAY = env_float("DEMO_MODEL_CHUNK_DELAY", 0.03)
# Seconds the demo model waits before answering, as real models do (0: answers at once).
DEMO_MODEL_FIRST_TOKEN_DELAY = env_float("DEMO_MODEL_FIRST_TOKEN_DELAY", 0.0)

# How hard one model call tries (seconds unless named otherwise).
MODEL_READ_TIMEOUT = env_float("MODEL_READ_TIMEOUT", 60, minimum=1)
MODEL_STALL_SECONDS = env_float("MODEL_STALL_SECONDS", 60, minimum=0.05)
MODEL_CALL_TIMEOUT = env_float("MODEL_CALL_TIMEOUT", 600, minimum=1)
MODEL_MAX_ATTEMPTS = env_int("MODEL_MAX_ATTEMPTS", 4, minimum=1)
MODEL_RETRY_BASE_SECONDS = env_float("MODEL_RETRY_BASE_SECONDS", 1.0)
MODEL_RETRY_MAX_SECONDS = env_float("MODEL_RETRY_MAX_SECONDS", 30.0)
MODEL_MAX_OUTPUT_TOKENS = env_int("MODEL_MAX_OUTPUT_TOKENS", 32768, minimum=256)
# How much of an existing project an iteration sends, in estimated tokens.
CONTEXT_BUDGET_TOKENS = env_int("CONTEXT_BUDGET_TOKENS", 60_000, minimum=1000)
# The API: how long a stream token lasts, how many runs one API token (or the user's login
# sessions, together) may start a minute, and how many one user may across all of them.
STREAM_TOKEN_SECONDS = env_int("STREAM_TOKEN_SECONDS", 300, minimum=10)
API_RUNS_PER_MINUTE = env_int("API_RUNS_PER_MINUTE", 10, minimum=1)
API_RUNS_PER_USER_PER_MINUTE = env_int("API_RUNS_PER_USER_PER_MINUTE", 20, minimum=1)
# Webhooks: attempts per delivery, and whether private and loopback addresses may be called.
WEBHOOK_ATTEMPTS = env_int("WEBHOOK_ATTEMPTS", 4, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 2.0)
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)

# Every new version is checked (syntax, ruff, imports, manifests); when the model's change
# brought errors, it gets this many rounds to fix them (0: show the findings, ask nothing).
CHECKS_ENABLED = env_bool("CHECKS_ENABLED", True)
CHECK_FIX_ROUNDS = env_int("CHECK_FIX_ROUNDS", 1)
# Keep what the checks learn of each file in the database, for every worker and restart.
CHECK_FACTS_STORED = env_bool("CHECK_FACTS_STORED", True)
# Run the project's own tests as part of the checks, so failures reach the fix round: by
# the runner, with the version's environment, in the sandbox (see "Running projects" below).
CHECK_RUN_TESTS = env_bool("CHECK_RUN_TESTS", False)
CHECK_TEST_SECONDS = env_float("CHECK_TEST_SECONDS", 120, minimum=1)
# Running projects (docs/running.md): each version's environment (uv for Python, npm for
# Node.js, built in an install sandbox with network and cached by manifest hash), its tests,
# and a live preview of its app, all in bubblewrap. `manage.py serve` starts the runner.
RUN_ENABLED = env_bool("RUN_ENABLED", True)
RUNNER_SOCKET = env_str("RUNNER_SOCKET", str(BASE_DIR / "var" / "runner.sock"))
RUNNER_DIR = env_str("RUNNER_DIR", str(BASE_DIR / "var" / "previews"))  # the apps' sockets
RUN_CACHE_DIR = env_str("RUN_CACHE_DIR", str(BASE_DIR / "var" / "run-cache"))
RUN_CACHE_BYTES = env_int("RUN_CACHE_BYTES", 5 * 1024**3, minimum=1)
RUN_PYTHON = env_str("RUN_PYTHON")  # the interpreter environments use; "" for Iterum's own
# Where packages come from; empty: what pip and npm are configured with on this machine.
RUN_PYTHON_INDEX_URL = env_url("RUN_PYTHON_INDEX_URL", ("http", "https", "file"))
RUN_NPM_REGISTRY = env_url("RUN_NPM_REGISTRY", ("http", "https"))
RUN_ONLY_BINARY = env_bool("RUN_ONLY_BINARY", True)  # wheels only: no package code installs
RUN_INSTALL_SECONDS = env_float("RUN_INSTALL_SECONDS", 600, minimum=1)
RUN_INSTALL_MAX_MB = env_int("RUN_INSTALL_MAX_MB", 2048, minimum=1)
RUN_MAX_TESTS = env_int("RUN_MAX_TESTS", 2, minimum=1)  # test runs at once, per runner
# A preview runs the app on a Unix socket in the sandbox, with no network; Iterum proxies it
# from <id>.PREVIEW_HOST (another host name: cookies ignore ports), owner and staff only.
PREVIEW_HOST = env_str("PREVIEW_HOST", "preview.localhost").lower()
PREVIEW_IDLE_SECONDS = env_float("PREVIEW_IDLE_SECONDS", 900, minimum=1)
PREVIEW_MAX_PER_USER = env_int("PREVIEW_MAX_PER_USER", 2, minimum=1)
PREVIEW_MAX_PER_RUNNER = env_int("PREVIEW_MAX_PER_RUNNER", 20, minimum=1)
PREVIEW_START_SECONDS = env_float("PREVIEW_START_SECONDS", 60, minimum=1)
PREVIEW_MEMORY_MB = env_int("PREVIEW_MEMORY_MB", 512, minimum=16)
PREVIEW_CPUS = env_float("PREVIEW_CPUS", 1.0, minimum=0.01)
PREVIEW_CPU_SECONDS = env_int("PREVIEW_CPU_SECONDS", 3600, minimum=1)
PREVIEW_PROCESSES = env_int("PREVIEW_PROCESSES", 64, minimum=4)
PREVIEW_DISK_MB = env_int("PREVIEW_DISK_MB", 200, minimum=1)
if RUN_ENABLED:
    # The version page frames its preview, served from the preview host (any port).
    SECURE_CSP["frame-src"] = [f"{'https' if HTTPS else 'http'}://*.{PREVIEW_HOST.split(':')[0]}:*"]

# US dollars per million tokens (input, output), for the cost shown on version pages.
# Google's published list prices when this was written; set your own contract's here.
MODEL_PRICES = {
    "gemini-2.5-flash": (0.30, 2.50),
    "gemini-2.5-flash-lite": (0.10, 0.40),
    "gemini-2.5-pro": (1.25, 10.00),
}

# Limits on what a user may ask and what a model may write.
PROMPT_MAX_CHARS = env_int("PROMPT_MAX_CHARS", 4000, minimum=1)
# The most one request's form may carry (uploaded files count apart: FILE_MAX_BYTES each).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
PROJECT_MAX_FILES = env_int("PROJECT_MAX_FILES", 2000, minimum=1)
PROJECT_MAX_BYTES = env_int("PROJECT_MAX_BYTES", 20_000_000, minimum=1)
FILE_MAX_BYTES = env_int("FILE_MAX_BYTES", 1_000_000, minimum=1)

# Per user: versions running at once (more wait in the queue) and versions waiting.
MAX_RUNNING_PER_USER = env_int("MAX_RUNNING_PER_USER", 2, minimum=1)
MAX_QUEUED_PER_USER = env_int("MAX_QUEUED_PER_USER", 5, minimum=1)

# How often an idle worker looks at the queue when nothing can wake it (SQLite, no Redis).
WORKER_IDLE_POLL_SECONDS = env_float("WORKER_IDLE_POLL_SECONDS", 0.05, minimum=0.01)

# A running version whose heartbeat is older than this is marked failed by the reaper.
WORKER_HEARTBEAT_TIMEOUT = env_int("WORKER_HEARTBEAT_TIMEOUT", 60, minimum=5)

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for LOGIN_LOCKOUT_MINUTES. The site's login
# and the admin's are both covered: axes watches Django's authenticate().
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("LOGIN_LOCKOUT_MINUTES", 15, minimum=0.01))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N reverse proxies that set X-Forwarded-For, the client's address is read from it.
LOGIN_PROXY_COUNT = env_int("LOGIN_PROXY_COUNT", 0)
if LOGIN_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = LOGIN_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "generation-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from static/ as well, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django_eventstream": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Git: each generation is a repository at /git/<id>.git (its object store is a cache here),
# pushes make at most this many versions at once; imports read .zip/.tar.gz uploads up to
# IMPORT_MAX_ARCHIVE_BYTES and git URLs over HTTPS from IMPORT_GIT_HOSTS only (comma-separated
# host names; IMPORT_GIT_ALLOW_HTTP is for tests against a loopback server).
GIT_CACHE_DIR = env_str("GIT_CACHE_DIR", str(BASE_DIR / "var" / "git"))
GIT_PUSH_MAX_COMMITS = env_int("GIT_PUSH_MAX_COMMITS", 50, minimum=1)
IMPORT_MAX_ARCHIVE_BYTES = env_int("IMPORT_MAX_ARCHIVE_BYTES", 50_000_000, minimum=1024)
IMPORT_MAX_ENTRIES = env_int("IMPORT_MAX_ENTRIES", 20_000, minimum=1)
IMPORT_GIT_HOSTS = [
    host.strip().lower()
    for host in env_str(
        "IMPORT_GIT_HOSTS", "github.com,gitlab.com,bitbucket.org,codeberg.org"
    ).split(",")
    if host.strip()
]
IMPORT_GIT_ALLOW_HTTP = env_bool("IMPORT_GIT_ALLOW_HTTP", False)
IMPORT_GIT_TIMEOUT = env_float("IMPORT_GIT_TIMEOUT", 30, minimum=1)
