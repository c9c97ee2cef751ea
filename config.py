"""Configuration read from the environment (and an optional .env file)."""
import os
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")  # gunicorn does not read .env by itself


DEFAULT_SECRET = "dev-only-not-secret"  # public: the app refuses it unless in development on loopback
INSTANCE_SECRET_FILE = BASE_DIR / "instance" / "secret_key"  # written once by `make run` (mode 0600)


def instance_secret(path: Path = INSTANCE_SECRET_FILE) -> str | None:
    """The random key `make run` keeps in instance/, when there is one."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings shared by every environment; each one can come from an environment variable."""

    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or instance_secret() or DEFAULT_SECRET
    SERVER_BIND = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # where gunicorn listens (gunicorn.conf.py)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'congdanso.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
    # A PostgreSQL streaming replica for reports, exports and the dashboards' and feed's database
    # fallbacks (quiz/infra/replica.py); empty = read from the primary. A read waits at most this long
    # for the replica to replay what the primary had committed, else it reads from the primary.
    DATABASE_READ_URL = os.environ.get("DATABASE_READ_URL", "")
    DATABASE_READ_MAX_WAIT_SECONDS = float(os.environ.get("DATABASE_READ_MAX_WAIT_SECONDS", "2"))
    # A pooled connection idle longer than this is tested before use (quiz.database.ping_idle_connections);
    # 0 tests every checkout, as SQLAlchemy's pool_pre_ping does, at a round trip per request.
    DATABASE_POOL_PING_IDLE_SECONDS = float(os.environ.get("DATABASE_POOL_PING_IDLE_SECONDS", "10"))
    SQLITE_BUSY_TIMEOUT_MS = _env_int("SQLITE_BUSY_TIMEOUT_MS", 10000)
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # Redis must never stall a citizen's request: fail fast and fall back to the database.
    REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "1.0"))
    # The admission room for "Bắt đầu" (quiz/admission.py): starts let through per minute by the whole
    # platform (0 = no room); the first seconds after an opening are a random draw among those waiting;
    # processes = app processes sharing the capacity when Redis is down and each admits its own share.
    ADMISSION_STARTS_PER_MINUTE = float(os.environ.get("ADMISSION_STARTS_PER_MINUTE", "0"))
    ADMISSION_DRAW_SECONDS = float(os.environ.get("ADMISSION_DRAW_SECONDS", "10"))
    ADMISSION_BURST_SECONDS = float(os.environ.get("ADMISSION_BURST_SECONDS", "5"))  # starts let through at once
    ADMISSION_PROCESSES = _env_int("ADMISSION_PROCESSES", _env_int("GUNICORN_WORKERS", 5))
    PROVINCE_CODE = os.environ.get("PROVINCE_CODE", "31").zfill(2)
    CONTEST_TITLE = os.environ.get("CONTEST_TITLE", "Công dân số – sử dụng thông minh, sống an toàn")
    # the footer of every page: who runs the contest and how to reach them
    ORGANIZER_NAME = os.environ.get("ORGANIZER_NAME", "Ban Tổ chức cuộc thi Công dân số")
    ORGANIZER_HOTLINE = os.environ.get("ORGANIZER_HOTLINE", "")
    ORGANIZER_HOURS = os.environ.get("ORGANIZER_HOURS", "7:30–17:00, Thứ Hai – Thứ Sáu")
    ORGANIZER_EMAIL = os.environ.get("ORGANIZER_EMAIL", "")
    ORGANIZER_ADDRESS = os.environ.get("ORGANIZER_ADDRESS", "")
    BABEL_DEFAULT_LOCALE = "vi"
    # A quiz page can stay open for a whole round: CSRF tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    SUBMIT_GRACE_SECONDS = _env_int("SUBMIT_GRACE_SECONDS", 30)
    # Its own secret (not SECRET_KEY): the keyed hash of a phone in the per-round allowances, one-time codes
    # and integrity signals; rotating it resets every allowance. Required in production.
    ALLOWANCE_HMAC_KEY = os.environ.get("ALLOWANCE_HMAC_KEY", "dev-only-allowance-key")
    # The overdue sweep run by requests: at most once per this many seconds per process, this many attempts
    # (cron runs `flask attempts close-overdue` for the rest); a negative interval turns it off.
    OVERDUE_SWEEP_EVERY_SECONDS = float(os.environ.get("OVERDUE_SWEEP_EVERY_SECONDS", "60"))
    OVERDUE_SWEEP_BATCH = _env_int("OVERDUE_SWEEP_BATCH", 200)
    # The SMS gateway for one-time codes (quiz/sms.py); empty URL: codes by SMS are off.
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
    SMS_SENDER_ID = os.environ.get("SMS_SENDER_ID", "CONGDANSO")
    DEVICE_COOKIE_NAME = "cds_device"
    # The site's public address, printed in certificates' QR codes; empty: the address of the request
    # (a CLI run without it uses http://127.0.0.1:8000, which is only right on a test machine).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Where bulk certificate zips are written (shared by the workers): default instance/certificates.
    CERTIFICATE_BATCH_DIR = os.environ.get("CERTIFICATE_BATCH_DIR", str(BASE_DIR / "instance" / "certificates"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL)
    # the limits' own Redis connections get the app's short timeouts too (a silent Redis stalls no request)
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
    # No X-RateLimit-* headers on every answer (a second Redis call each); a 429 still gets Retry-After.
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down: limits fall back to memory, requests go on
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_KEY_PREFIX = "cds:v1:limits"
    # failed log-ins and password checks (quiz.login_throttle): a growing delay per account and per address
    LOGIN_THROTTLE_ENABLED = os.environ.get("LOGIN_THROTTLE_ENABLED", "1") == "1"
    LOGIN_THROTTLE_PREFIX = "cds:v1:login"
    # X-Forwarded-For is trusted only when this is set explicitly (1 behind one nginx); never by default,
    # or any client could pick the address its log-in attempts are counted against
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    IMPORT_MAX_BYTES = 5 * 1024 * 1024  # question files; every other request body is small
    SMALL_BODY_MAX_BYTES = 256 * 1024
    MAX_CONTENT_LENGTH = IMPORT_MAX_BYTES + 64 * 1024  # the multipart envelope around a 5 MB file
    # argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): about 20 ms of one core per log-in or
    # registration (Werkzeug's scrypt took 100 ms). See quiz.infra.passwords_hash.py.
    ARGON2_MEMORY_KIB = _env_int("ARGON2_MEMORY_KIB", 19 * 1024)
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 2)
    ARGON2_LANES = _env_int("ARGON2_LANES", 1)
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static URLs carry a content hash
    COMPRESS_ALGORITHM = ["br", "gzip"]  # nginx may compress instead; then set COMPRESS_REGISTER=0
    COMPRESS_REGISTER = os.environ.get("COMPRESS_REGISTER", "1") == "1"
    COMPRESS_MIN_SIZE = 500
    COMPRESS_STREAMS = False  # Flask-Compress's stream mode leaves the static file open
    # static CSS, JS, SVG are read into memory (quiz.web.hooks.buffer_static_text) so the app compresses them
    # too and a first visit stays under 50 KB without nginx; 0 when nginx compresses static files
    COMPRESS_STATIC = os.environ.get("COMPRESS_STATIC", "1") == "1"


class DevelopmentConfig(Config):
    """Local runs: `make run`."""

    # sample values so that the footer shows as it will in production (set the real ones in .env)
    ORGANIZER_HOTLINE = os.environ.get("ORGANIZER_HOTLINE", "0225 3000 000")
    ORGANIZER_EMAIL = os.environ.get("ORGANIZER_EMAIL", "congdanso@example.vn")


class TestConfig(Config):
    """The test suite: databases and Redis come from TEST_DATABASE_URL and TEST_REDIS_URL."""

    APP_ENV = "testing"
    TESTING = True
    ORGANIZER_HOTLINE = "0225 3000 000"
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    DATABASE_READ_URL = ""  # tests/test_replica.py builds its own app against a real replica
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    RATELIMIT_STORAGE_URI = REDIS_URL
    RATELIMIT_ENABLED = False
    ARGON2_MEMORY_KIB, ARGON2_TIME_COST = 64, 1  # fast in tests only; production keeps OWASP's minimum
    LOGIN_THROTTLE_ENABLED = False  # the throttle's own tests turn it on (every test logs in from 127.0.0.1)
    ALLOWANCE_HMAC_KEY = "test-allowance-key"
    OVERDUE_SWEEP_EVERY_SECONDS = -1.0  # tests that want the request-driven sweep turn it on


class ProductionConfig(Config):
    """Production: a real secret is required and cookies are secure."""

    APP_ENV = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {"development": DevelopmentConfig, "testing": TestConfig, "production": ProductionConfig}


def config_for(env_name: str | None = None) -> type[Config]:
    """Pick the configuration class named by APP_ENV (default development)."""
    name = env_name or os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"APP_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
