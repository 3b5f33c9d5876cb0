"""Settings, read from the environment and the project's `.env`."""

import sys
from functools import cache
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Literal, NoReturn, Self
from urllib.parse import urlsplit

from joserfc.jwk import RSAKey
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The names a client on this machine uses for it.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def env_file() -> Path:
    """The project's `.env`, wherever the server is started from: desktop clients start it in `/` or in their
    own folder. An installed wheel has no project folder beside it, so there `.env` is read from the working
    directory."""
    project = Path(__file__).resolve().parent.parent
    return project / ".env" if (project / "pyproject.toml").is_file() else Path(".env")


class ConfigError(ValueError):
    """A setting that cannot work; its message is one line naming the variable."""


class Settings(BaseSettings):
    # Empty values count as unset, so that a copy of .env.example with blanks left in works as is. Real
    # environment variables (a client config's `env` block) take precedence over the file.
    model_config = SettingsConfigDict(
        env_file=env_file(), env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    backend_url: str = "http://localhost:8000"
    request_timeout: float = Field(default=30.0, gt=0)
    # Larger backend answers are refused unread: one huge answer must not exhaust the server's memory.
    max_response_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    # The most a tool answer may cost an assistant, in tokens (bytes / 4 of its text and structured content
    # together); a larger answer is shortened and says how to get the rest (README "Answer budget"). 0: off.
    response_token_budget: int = Field(default=25000, ge=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    service_auth_token: SecretStr

    mcp_transport: Literal["stdio", "http"] = "stdio"
    mcp_host: str = "127.0.0.1"
    # Not 8000, where the backend itself usually listens.
    mcp_port: int = Field(default=8765, ge=1, le=65535)
    mcp_user_id: str | None = None
    mcp_org_id: str | None = None
    mcp_jwt_public_key: str | None = None
    mcp_jwt_jwks_uri: str | None = None
    mcp_jwt_issuer: str | None = None
    mcp_jwt_audience: str | None = None
    # Seconds of clock difference tolerated in a JWT's nbf and iat claims.
    mcp_jwt_leeway: float = Field(default=60.0, ge=0, le=600)
    mcp_dev_tokens_file: Path | None = None
    mcp_allow_anonymous: bool = False
    # http mode: the Host names (and browser Origins) requests may carry, comma-separated, "*" wildcards
    # allowed; the loopback names and MCP_HOST are always allowed. Anything else is DNS rebinding or a
    # misrouted request, refused before it reaches MCP.
    mcp_allowed_hosts: Annotated[list[str], NoDecode] = []
    mcp_allowed_origins: Annotated[list[str], NoDecode] = []

    retry_attempts: int = Field(default=3, ge=1, le=10)
    retry_backoff: float = Field(default=1.0, ge=0)
    retry_after_cap: float = Field(default=30.0, ge=0)

    # Production serving; README "Production" explains each.
    # http mode: a fresh MCP transport per request, so that replicas behind a load balancer need no sticky
    # sessions.
    mcp_stateless_http: bool = False
    # The URL MCP clients use for this server (https://mcp.example.com), named in the OAuth protected
    # resource metadata; default http://MCP_HOST:MCP_PORT.
    mcp_public_url: str | None = None
    # The authorization servers that issue this server's tokens (comma-separated URLs); default the issuer.
    mcp_authorization_servers: Annotated[list[str], NoDecode] = []
    # Seconds between JWKS fetches when a token names a key id the cached set lacks (keys rotate).
    mcp_jwt_jwks_refresh_interval: float = Field(default=30.0, ge=0)
    # Per caller: calls per minute (0: no limit), calls at once (default: one minute's worth), per tool too.
    rate_limit_per_minute: int = Field(default=120, ge=0)
    rate_limit_burst: int | None = Field(default=None, ge=1)
    rate_limit_per_tool_per_minute: int = Field(default=0, ge=0)
    # Shares the rate limits between replicas; it may hold a password.
    redis_url: SecretStr | None = None
    rate_limit_key_prefix: str = Field(default="tasks-mcp:ratelimit", min_length=1)
    # Backend failures in a row that open the circuit (0: never), and seconds before it tries again.
    circuit_failure_threshold: int = Field(default=5, ge=0)
    circuit_recovery_seconds: float = Field(default=30.0, gt=0)
    # GET /ready checks BACKEND_URL + this path (any answer below 500 is fine) within READY_TIMEOUT seconds.
    backend_ready_path: str = ""
    ready_timeout: float = Field(default=2.0, gt=0)
    # When set, GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".
    metrics_token: SecretStr | None = None
    # Traces over OTLP/HTTP to this collector (http://collector:4318); needs the otel extra.
    otel_exporter_otlp_endpoint: str | None = None
    otel_service_name: str = "tasks-mcp"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("response_token_budget")
    @classmethod
    def _check_budget(cls, value: int) -> int:
        if 0 < value < 500:
            raise ValueError("RESPONSE_TOKEN_BUDGET must be 0 (no budget) or at least 500 tokens")
        return value

    @field_validator("backend_url")
    @classmethod
    def _check_backend_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            # The value is not echoed: a URL can carry credentials.
            raise ValueError(
                "BACKEND_URL must be an http:// or https:// URL with a host, like https://api.example.com"
            )
        return value.strip().rstrip("/")

    @field_validator("service_auth_token")
    @classmethod
    def _check_service_token(cls, value: SecretStr) -> SecretStr:
        # Anything shorter is guessable; the backend compares it in constant time but cannot fix its entropy.
        if len(value.get_secret_value()) < 32:
            raise ValueError("SERVICE_AUTH_TOKEN must be at least 32 characters")
        return value

    @field_validator(
        "mcp_allowed_hosts", "mcp_allowed_origins", "mcp_authorization_servers", mode="before"
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("mcp_jwt_public_key")
    @classmethod
    def _unescape_pem(cls, value: str | None) -> str | None:
        if not value:
            return None
        # A PEM key in a one-line environment variable usually arrives with literal "\n".
        pem = value.replace("\\n", "\n").strip()
        if not pem.startswith("-----BEGIN"):
            raise ValueError(
                "MCP_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY----- ...)"
            )
        # Checked now rather than on the first request, where every token would be refused with no clue why.
        try:
            key = RSAKey.import_key(pem)
        except Exception as error:
            raise ValueError(
                f"MCP_JWT_PUBLIC_KEY is not a readable RSA public key ({error.__class__.__name__}); "
                "paste the issuer's PEM public key, -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----"
            ) from None
        if key.is_private:
            raise ValueError(
                "MCP_JWT_PUBLIC_KEY holds a private key; set the issuer's public key instead"
            )
        return pem

    @field_validator("mcp_jwt_jwks_uri")
    @classmethod
    def _check_jwks_uri(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        # Keys fetched over plain http could be replaced on the way, and then any token would verify.
        local = parts.scheme == "http" and is_loopback(parts.hostname or "")
        if not parts.hostname or not (parts.scheme == "https" or local):
            raise ValueError(
                "MCP_JWT_JWKS_URI must be an https:// URL (http:// only for localhost)"
            )
        return value.strip()

    @field_validator("mcp_public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            raise ValueError(
                "MCP_PUBLIC_URL must be the server's http(s):// origin, like https://mcp.example.com"
            )
        return value.strip().rstrip("/")

    @field_validator("mcp_authorization_servers")
    @classmethod
    def _check_authorization_servers(cls, value: list[str]) -> list[str]:
        for server in value:
            if urlsplit(server).scheme not in ("http", "https") or not urlsplit(server).hostname:
                raise ValueError(
                    "MCP_AUTHORIZATION_SERVERS must be http(s):// URLs, comma-separated"
                )
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        # The value is not echoed: it may carry a password.
        if urlsplit(value.get_secret_value().strip()).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
        try:
            import redis  # noqa: F401
        except ImportError:
            raise ValueError(
                "REDIS_URL is set but the redis package is not installed; install this project with its "
                "redis extra (pip install '.[redis]')"
            ) from None
        return SecretStr(value.get_secret_value().strip())

    @field_validator("backend_ready_path")
    @classmethod
    def _check_ready_path(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("BACKEND_READY_PATH must start with /, like /health")
        return value

    @field_validator("otel_exporter_otlp_endpoint")
    @classmethod
    def _check_otlp_endpoint(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL, like http://collector:4318"
            )
        return value.strip()

    @model_validator(mode="after")
    def _check_mcp_auth(self) -> Self:
        if self.mcp_jwt_public_key and self.mcp_jwt_jwks_uri:
            raise ValueError("set MCP_JWT_PUBLIC_KEY or MCP_JWT_JWKS_URI, not both")
        if self.verifies_jwt and not (self.mcp_jwt_issuer and self.mcp_jwt_audience):
            # Without both, a token minted for another service would be accepted here.
            raise ValueError(
                "MCP_JWT_ISSUER and MCP_JWT_AUDIENCE are required when JWTs are verified"
            )
        if self.mcp_dev_tokens_file is not None and not self.mcp_dev_tokens_file.is_file():
            raise ValueError(
                f"MCP_DEV_TOKENS_FILE does not name a file: {self.mcp_dev_tokens_file}"
            )
        if (
            self.mcp_transport == "http"
            and not self.verifies_jwt
            and self.mcp_dev_tokens_file is None
            and not self.mcp_allow_anonymous
        ):
            raise ValueError(
                "MCP_TRANSPORT=http needs client authentication: set MCP_JWT_PUBLIC_KEY or MCP_JWT_JWKS_URI "
                "(with MCP_JWT_ISSUER and MCP_JWT_AUDIENCE), or MCP_DEV_TOKENS_FILE; "
                "MCP_ALLOW_ANONYMOUS=true serves without it"
            )
        return self

    @property
    def verifies_jwt(self) -> bool:
        return bool(self.mcp_jwt_public_key or self.mcp_jwt_jwks_uri)


def require_user(settings: Settings) -> None:
    """Pattern 4 sends every backend call for a user. Without an MCP client token to read the user from (stdio
    mode, or http with MCP_ALLOW_ANONYMOUS) that user is MCP_USER_ID; missing, every tool call would fail, so
    the server refuses to start instead."""
    reads_tokens = settings.mcp_transport == "http" and (
        settings.verifies_jwt or settings.mcp_dev_tokens_file is not None
    )
    if not reads_tokens and not settings.mcp_user_id:
        mode = (
            "stdio mode" if settings.mcp_transport == "stdio" else "http mode without client tokens"
        )
        raise ConfigError(
            f"MCP_USER_ID is required in {mode}: the backend is told which user every call is for; "
            f"set it in the client's env block or in {env_file()}"
        )


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address, IPv6 with or without brackets) is this machine only."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings so that the next `get_settings()` reads the environment again."""
    get_settings.cache_clear()


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, naming the variable and never repeating its value."""
    problems = []
    for item in error.errors():
        variable = "_".join(str(part) for part in item["loc"]).upper()
        if item["type"] == "missing":
            problems.append(f"{variable} is required; set it in the environment or in {env_file()}")
        elif item["type"] == "value_error":
            problems.append(str(item["ctx"]["error"]))
        else:
            problems.append(f"{variable}: {item['msg']}")
    return "; ".join(problems)


def exit_on_config_error(error: ValidationError | ConfigError) -> NoReturn:
    """Stop the process with one readable line instead of a traceback."""
    message = describe_validation_error(error) if isinstance(error, ValidationError) else str(error)
    print(f"configuration error: {message}", file=sys.stderr)
    raise SystemExit(2)
