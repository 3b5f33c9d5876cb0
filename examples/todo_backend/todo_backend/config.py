"""Settings, read from the environment once when the app is built."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MIN_SERVICE_TOKEN_LENGTH = 32


def _default_db() -> Path:
    return Path(tempfile.gettempdir()) / "todo_backend.json"


@dataclass(frozen=True)
class Settings:
    # Unset: only user JWTs are accepted. Set: the MCP server may act for any user it names in X-User-ID,
    # so the token must be long enough not to be guessed.
    service_auth_token: str | None = None
    jwt_secret: str | None = None  # HS256
    jwt_public_key: str | None = None  # RS256, PEM
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    db_path: Path = field(default_factory=_default_db)

    def __post_init__(self) -> None:
        token = self.service_auth_token
        if token is not None and len(token) < MIN_SERVICE_TOKEN_LENGTH:
            raise ValueError(
                f"SERVICE_AUTH_TOKEN must be at least {MIN_SERVICE_TOKEN_LENGTH} characters, "
                f"got {len(token)}; "
                'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def get(name: str) -> str | None:
            return environ.get(name) or None

        db = get("TODO_DB")
        return cls(
            service_auth_token=get("SERVICE_AUTH_TOKEN"),
            jwt_secret=get("JWT_SECRET"),
            jwt_public_key=get("JWT_PUBLIC_KEY"),
            jwt_issuer=get("JWT_ISSUER"),
            jwt_audience=get("JWT_AUDIENCE"),
            db_path=Path(db) if db else _default_db(),
        )
