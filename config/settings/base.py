"""Settings shared by every environment; all deployment choices come from the environment.

See docs/deploy.md for the variables: ZHENGWU_DATA_DIR, DATABASE_URL, ZHENGWU_NOW, …
"""

from __future__ import annotations

import json
from typing import Any

import dj_database_url

from config.env import BASE_DIR, data_dir, debug_requested, env_bool, env_str, secret_key

DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = debug_requested()
ALLOWED_HOSTS = [h for h in env_str("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("DJANGO_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "zhengwu.core.task_results.TaskResultsConfig",  # django_tasks_db, named in Chinese
    "zhengwu.core",
    "zhengwu.ledger",
    "zhengwu.regions",
    "zhengwu.departments",
    "zhengwu.accounts",
    "zhengwu.workdays",
    "zhengwu.documents",
    "zhengwu.notifications",
    "zhengwu.licences",
    "zhengwu.sharing",
    "zhengwu.draws",
    "zhengwu.catalog",
    "zhengwu.cases",
    "zhengwu.bundles",
    "zhengwu.hall",
    "zhengwu.assistance",
    "zhengwu.jointreviews",
    "zhengwu.evaluations",
    "zhengwu.inspections",
    "zhengwu.unresolved",
    "zhengwu.market",
    "zhengwu.hotline",
    "zhengwu.policies",
    "zhengwu.openness",
    "zhengwu.plan",
    "zhengwu.portal",
    "zhengwu.packs",
]

MIDDLEWARE = [
    "zhengwu.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so that static files get the CSP too (quality.md #17).
    "zhengwu.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhengwu.accounts.middleware.SecondFactorMiddleware",
    "zhengwu.accounts.middleware.StaffIdleTimeoutMiddleware",
    "zhengwu.accounts.middleware.PrivacyConsentMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhengwu.core.middleware.MetricsMiddleware",
    "zhengwu.core.middleware.ApiMethodNotAllowedMiddleware",
    "zhengwu.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
# A stale form (signed in or out in another window, a page sent again) gets the site's own
# page in Chinese, not Django's bare one.
CSRF_FAILURE_VIEW = "zhengwu.core.views.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhengwu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengwu.portal.context_processors.site",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600,
                                                            conn_health_checks=True))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "zhengwu.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL + IMMEDIATE: writers queue on the write lock at BEGIN instead of failing with
        # "database is locked" halfway through a transaction (architecture.md, quality.md #5).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000;"
            ),
        }
        # Kept open per thread, as PostgreSQL's are: opening one runs the PRAGMAs above (WAL
        # is a write), ~6 ms a request when every request opened its own (docs/benchmarks.md,
        # "Electronic licences").
        config["CONN_MAX_AGE"] = 600
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The second-factor backend first: it checks no credentials, it marks a completed sign-in
# (zhengwu/accounts/backends.py, ADR 0011).
AUTHENTICATION_BACKENDS = [
    "zhengwu.accounts.backends.SecondFactorBackend",
    "zhengwu.accounts.backends.UsernameOrPhoneBackend",
    "zhengwu.accounts.backends.SingleSignOnBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # People sign in with their mobile number: a password like it is refused too.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "display_name", "phone", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Chinese for the English strings third-party apps show in the admin (locale/README).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Shared by web and worker processes on one host (import progress, rate limits). With several
# hosts use a network cache (docs/deploy.md).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    },
}

# The platform clock (zhengwu.core.clock). ZHENGWU_NOW freezes it for demos and tests;
# refused when DEBUG is off unless ZHENGWU_ALLOW_FROZEN_CLOCK=1 (architecture.md, Time).
ZHENGWU_NOW = env_str("ZHENGWU_NOW")
ZHENGWU_ALLOW_FROZEN_CLOCK = env_bool("ZHENGWU_ALLOW_FROZEN_CLOCK")
# Where the public can reach the platform; used in QR codes on printed notices.
ZHENGWU_PUBLIC_URL = env_str("ZHENGWU_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Whether it was set at all: QR codes, SMS links and the log's name are built from it, and the
# default is right only on the machine that runs `make run` (core.public_url warns).
ZHENGWU_PUBLIC_URL_SET = bool(env_str("ZHENGWU_PUBLIC_URL", ""))
ZHENGWU_DEFAULT_PACK = env_str("ZHENGWU_PACK", str(BASE_DIR / "packs" / "leiyang"))
# 实名核验 (accounts.identity_providers): `local` (the pack's illustrative registry, demo and
# tests) or `provincial` (the province's 统一身份认证 over HTTPS; docs/deploy.md).
ZHENGWU_IDENTITY_PROVIDER = env_str("ZHENGWU_IDENTITY_PROVIDER", "local")
ZHENGWU_IDENTITY_URL = env_str("ZHENGWU_IDENTITY_URL")
ZHENGWU_IDENTITY_APP_ID = env_str("ZHENGWU_IDENTITY_APP_ID")
ZHENGWU_IDENTITY_KEY = env_str("ZHENGWU_IDENTITY_KEY")
ZHENGWU_IDENTITY_TIMEOUT = float(env_str("ZHENGWU_IDENTITY_TIMEOUT", "5"))
# What each real-name level may do (accounts.levels; docs/identity.md): the least
# RealNameLevel for an action. ZHENGWU_REALNAME_LEVELS (JSON) overrides single entries.
ZHENGWU_REALNAME_LEVELS = {"file": 2, "consult": 1, "book": 1, "rate": 1,
                           **json.loads(env_str("ZHENGWU_REALNAME_LEVELS", "{}") or "{}")}
# Staff sessions end after this many idle seconds (quality.md #16).
ZHENGWU_STAFF_IDLE_SECONDS = int(env_str("ZHENGWU_STAFF_IDLE_SECONDS", "1800"))

# Single sign-on through the provincial identity platform (OpenID Connect; accounts/sso.py,
# docs/deploy.md). Off unless an issuer and a client id are set: no button, the URLs answer 404.
ZHENGWU_OIDC_ISSUER = env_str("ZHENGWU_OIDC_ISSUER").rstrip("/")
ZHENGWU_OIDC_CLIENT_ID = env_str("ZHENGWU_OIDC_CLIENT_ID")
ZHENGWU_OIDC_CLIENT_SECRET = env_str("ZHENGWU_OIDC_CLIENT_SECRET")
ZHENGWU_OIDC_SCOPES = env_str("ZHENGWU_OIDC_SCOPES", "openid profile")
ZHENGWU_OIDC_DISPLAY_NAME = env_str("ZHENGWU_OIDC_DISPLAY_NAME", "统一身份认证")
ZHENGWU_OIDC_NAME_CLAIM = env_str("ZHENGWU_OIDC_NAME_CLAIM", "name")
ZHENGWU_OIDC_ID_NUMBER_CLAIM = env_str("ZHENGWU_OIDC_ID_NUMBER_CLAIM", "id_number")
# The claim by which the provider says it verified the ID number (true/false); empty: the
# provider releases only verified numbers, so the number claim alone counts as verified.
ZHENGWU_OIDC_ID_VERIFIED_CLAIM = env_str("ZHENGWU_OIDC_ID_VERIFIED_CLAIM", "id_number_verified")
ZHENGWU_OIDC_TIMEOUT = float(env_str("ZHENGWU_OIDC_TIMEOUT", "10"))
# 电子监察: a yellow card when at most this many working days remain (issue 3 item 6; the
# sources give no number, see cases.caseclock.yellow_threshold). The only place it is set.
ZHENGWU_YELLOW_CARD_WORKDAYS = int(env_str("ZHENGWU_YELLOW_CARD_WORKDAYS", "1"))
# 好差评 (zhengwu/evaluations/rules.py): days after a service closes in which it may be rated.
ZHENGWU_RATING_WINDOW_DAYS = int(env_str("ZHENGWU_RATING_WINDOW_DAYS", "7"))
# Reverse proxies in front of the platform whose X-Forwarded-For is trusted (rate limits
# per client address); 0 = none, use the connection's address.
ZHENGWU_TRUSTED_PROXIES = int(env_str("ZHENGWU_TRUSTED_PROXIES", "0"))
# /metrics answers a loopback client, or a scraper sending `Authorization: Bearer <token>`.
ZHENGWU_METRICS_TOKEN = env_str("ZHENGWU_METRICS_TOKEN", "")
NINJA_NUM_PROXIES = ZHENGWU_TRUSTED_PROXIES
# Signed audit checkpoints (ADR 0010): the SM2 key stays outside the database; the checkpoint
# file is append-only JSON lines under the data dir (backups copy it, the key only if asked).
ZHENGWU_AUDIT_KEY_FILE = env_str("ZHENGWU_AUDIT_KEY_FILE", str(DATA_DIR / "keys" / "audit-sm2.key"))
ZHENGWU_AUDIT_CHECKPOINTS = env_str("ZHENGWU_AUDIT_CHECKPOINTS",
                                    str(DATA_DIR / "audit" / "checkpoints.jsonl"))
ZHENGWU_AUDIT_SIGNER = env_str("ZHENGWU_AUDIT_SIGNER", "zhengwu.core.checkpoints.FileSigner")
ZHENGWU_AUDIT_PUBLIC_KEYS = [k for k in env_str("ZHENGWU_AUDIT_PUBLIC_KEYS").split(",") if k.strip()]
ZHENGWU_AUDIT_CHECKPOINT_SECONDS = int(env_str("ZHENGWU_AUDIT_CHECKPOINT_SECONDS", "600"))
# 信用修复 (cases.credit, docs/credit.md): days after a 失信记录 before its repair may be asked
# for — the platform's default; the operator sets it from the rules in force.
ZHENGWU_CREDIT_REPAIR_MIN_DAYS = int(env_str("ZHENGWU_CREDIT_REPAIR_MIN_DAYS", "90"))
# The transparency log (docs/ledger.md, ADR 0025): its SM2 key outside the database (a file
# made on first use, or a remote signer by dotted path), the name its checkpoints carry, and
# the witnesses allowed to co-sign them ("name=<public key hex>,…").
ZHENGWU_LEDGER_KEY_FILE = env_str("ZHENGWU_LEDGER_KEY_FILE", str(DATA_DIR / "keys" / "ledger" / "ledger-sm2.key"))
ZHENGWU_LEDGER_SIGNER = env_str("ZHENGWU_LEDGER_SIGNER")
ZHENGWU_LEDGER_ORIGIN = env_str("ZHENGWU_LEDGER_ORIGIN", f"{ZHENGWU_PUBLIC_URL}/api/v1/ledger")
ZHENGWU_LEDGER_WITNESSES = env_str("ZHENGWU_LEDGER_WITNESSES")
# Electronic licences (docs/licences.md): development key files (made by `zhengwu licence-keys
# create`, never on first use), or a remote signing service in front of a certified module.
ZHENGWU_LICENCE_KEY_DIR = env_str("ZHENGWU_LICENCE_KEY_DIR", str(DATA_DIR / "keys" / "licences"))
ZHENGWU_LICENCE_SIGNING_SERVICE = env_str("ZHENGWU_LICENCE_SIGNING_SERVICE")
ZHENGWU_LICENCE_SIGNING_TOKEN = env_str("ZHENGWU_LICENCE_SIGNING_TOKEN")
# The trust-list authority's public key file (.pub); empty: no trust list can be accepted.
ZHENGWU_LICENCE_TRUST_AUTHORITY = env_str("ZHENGWU_LICENCE_TRUST_AUTHORITY")
# Render a licence's PDF in the background once it is issued (else on the first download).
ZHENGWU_LICENCE_PDF_PRERENDER = True
# The key of the holder reference (HMAC-SM3 of an ID number or USCC, core.holder_ref) that
# licences and the data-use log store instead of the number. Set it in production and never
# change it; empty: derived from SECRET_KEY (development).
ZHENGWU_HOLDER_REF_KEY = env_str("ZHENGWU_HOLDER_REF_KEY")
# 设立登记赋码 (cases.registration, docs/licences.md): the dotted path of the callable that
# takes a new enterprise's 统一社会信用代码 from the national 赋码 system; empty: minted
# locally per registration authority (development and the demo only).
ZHENGWU_USCC_ASSIGNER = env_str("ZHENGWU_USCC_ASSIGNER")
# The provincial data-sharing platform (docs/sharing.md); empty: the local demo provider.
ZHENGWU_SHARING_PROVIDER_URL = env_str("ZHENGWU_SHARING_PROVIDER_URL")
ZHENGWU_SHARING_PROVIDER_TOKEN = env_str("ZHENGWU_SHARING_PROVIDER_TOKEN")

# The service hall's appointment rules (zhengwu/hall/rules.py, docs/hall.md, ADR 0018).
HALL_BOOKING_DAYS_AHEAD = int(env_str("HALL_BOOKING_DAYS_AHEAD", "14"))
HALL_MAX_OPEN_APPOINTMENTS = int(env_str("HALL_MAX_OPEN_APPOINTMENTS", "3"))
HALL_PER_ITEM_PER_DAY = int(env_str("HALL_PER_ITEM_PER_DAY", "1"))
HALL_CANCEL_CUTOFF_MINUTES = int(env_str("HALL_CANCEL_CUTOFF_MINUTES", "120"))
HALL_NO_SHOW_LIMIT = int(env_str("HALL_NO_SHOW_LIMIT", "3"))
HALL_NO_SHOW_WINDOW_DAYS = int(env_str("HALL_NO_SHOW_WINDOW_DAYS", "90"))
HALL_NO_SHOW_RESTRICTION_DAYS = int(env_str("HALL_NO_SHOW_RESTRICTION_DAYS", "30"))
HALL_CHECK_IN_EARLY_MINUTES = int(env_str("HALL_CHECK_IN_EARLY_MINUTES", "60"))

# The 12345 routing model (zhengwu/hotline/classifier.py, docs/hotline.md): below this
# probability for its best department the model abstains and a dispatcher chooses; the trained
# model's file (`zhengwu hotline_train` writes it; `make run` trains it when absent).
HOTLINE_MODEL_THRESHOLD = float(env_str("HOTLINE_MODEL_THRESHOLD", "0.30"))
HOTLINE_MODEL_PATH = env_str("HOTLINE_MODEL_PATH", str(DATA_DIR / "hotline" / "model.joblib"))

# Senders per notification channel (zhengwu/notifications/senders.py); ZHENGWU_SMS_SENDER is
# the dotted path of the SMS gateway's sender. Unset: SMS are only logged, masked, and a
# verification code never appears (config.settings.dev prints them for development).
ZHENGWU_NOTIFY_SENDERS: dict[str, str] = (
    {"sms": env_str("ZHENGWU_SMS_SENDER")} if env_str("ZHENGWU_SMS_SENDER") else {})

# Open311 GeoReport v2 clients (zhengwu/hotline/open311.py, docs/deploy.md): env
# ZHENGWU_OPEN311_KEYS = "name:sha256hex,name2:sha256hex" — only the SHA-256 of each key is
# configured, never the key itself. Unset: no client may POST.
HOTLINE_OPEN311_KEYS: dict[str, str] = {
    name.strip(): digest.strip().lower()
    for name, _, digest in (pair.partition(":") for pair in env_str("ZHENGWU_OPEN311_KEYS").split(","))
    if name.strip() and digest.strip()}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ZHENGWU_LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
