"""Settings: defaults, clear one-line errors, and refusing to serve http without client authentication."""

import json
from pathlib import Path

import pytest
from fastmcp.server.auth import JWTVerifier, StaticTokenVerifier
from fastmcp.server.auth.providers.jwt import RSAKeyPair
from pydantic import ValidationError

from src.config import (
    Settings,
    describe_validation_error,
    env_file,
    get_settings,
    require_user,
    reset_settings,
)
from src.identity import build_auth
from src.server import mcp
from src.serving import run


def config_error(monkeypatch: pytest.MonkeyPatch, **env: str | None) -> str:
    """The one-line message for the settings the environment gives after applying `env`."""
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    reset_settings()
    with pytest.raises(ValidationError) as caught:
        get_settings()
    message = describe_validation_error(caught.value)
    assert "\n" not in message
    return message


def test_defaults(settings: Settings):
    assert settings.backend_url == "http://localhost:8000".rstrip("/")
    assert settings.request_timeout == 30
    assert settings.mcp_transport == "stdio"
    # Not 8000: the backend usually listens there.
    assert (settings.mcp_host, settings.mcp_port) == ("127.0.0.1", 8765)
    assert (settings.retry_attempts, settings.retry_after_cap) == (3, 30)


def test_the_dotenv_file_is_the_projects_wherever_the_server_starts(
    tmp_path, monkeypatch: pytest.MonkeyPatch
):
    # Desktop clients start the server in / or in their own folder, not in the project.
    monkeypatch.chdir(tmp_path)

    assert env_file() == Path(__file__).resolve().parents[2] / ".env"


def test_the_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REQUEST_TIMEOUT", raising=False)
    # Blank values, as .env.example leaves them, mean "not set".
    (tmp_path / ".env").write_text(
        "REQUEST_TIMEOUT=12.5\nLOG_LEVEL=debug\nMCP_DEV_TOKENS_FILE=\nMCP_JWT_PUBLIC_KEY=\n"
    )

    settings = Settings(_env_file=tmp_path / ".env")

    assert settings.request_timeout == 12.5
    assert settings.log_level == "DEBUG"
    assert settings.mcp_dev_tokens_file is None
    assert not settings.verifies_jwt


def test_a_short_service_token_is_rejected(monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, SERVICE_AUTH_TOKEN="too-short-1234567890")

    assert message == "SERVICE_AUTH_TOKEN must be at least 32 characters"


def test_a_32_character_service_token_is_accepted(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SERVICE_AUTH_TOKEN", "s" * 32)
    reset_settings()

    assert get_settings().service_auth_token.get_secret_value() == "s" * 32


def test_the_backend_credential_is_required(monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, SERVICE_AUTH_TOKEN=None)

    assert message.startswith("SERVICE_AUTH_TOKEN is required")


def test_the_credential_never_appears_in_messages_or_reprs(
    monkeypatch: pytest.MonkeyPatch, service_token
):
    settings = get_settings()
    assert service_token not in repr(settings)
    assert service_token not in str(settings.model_dump())

    message = config_error(monkeypatch, BACKEND_URL="ftp://" + service_token)
    assert service_token not in message


@pytest.mark.parametrize("url", ["ftp://files.example.com", "not a url", "http://", "/api/v1"])
def test_a_bad_backend_url_is_rejected(monkeypatch: pytest.MonkeyPatch, url):
    message = config_error(monkeypatch, BACKEND_URL=url)

    assert message.startswith("BACKEND_URL must be an http:// or https:// URL")


def test_a_bad_number_names_its_variable(monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, MCP_PORT="eighty")

    assert message.startswith("MCP_PORT: ")


def test_http_without_client_auth_refuses_to_start(monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, MCP_TRANSPORT="http")

    assert "MCP_TRANSPORT=http needs client authentication" in message
    assert "MCP_ALLOW_ANONYMOUS" in message


def test_http_can_be_anonymous_when_allowed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MCP_TRANSPORT", "http")
    monkeypatch.setenv("MCP_ALLOW_ANONYMOUS", "true")
    reset_settings()

    assert build_auth(get_settings()) is None


def test_http_with_a_public_key_verifies_jwts(monkeypatch: pytest.MonkeyPatch):
    key = RSAKeyPair.generate()
    monkeypatch.setenv("MCP_TRANSPORT", "http")
    # One-line form, as a PEM usually travels through environment files.
    monkeypatch.setenv("MCP_JWT_PUBLIC_KEY", key.public_key.replace("\n", "\\n"))
    monkeypatch.setenv("MCP_JWT_ISSUER", "https://issuer.example")
    monkeypatch.setenv("MCP_JWT_AUDIENCE", "tasks-mcp")
    reset_settings()

    auth = build_auth(get_settings())

    # Wrapped to serve the OAuth protected resource metadata, which names the issuer.
    verifier = auth.token_verifier
    assert isinstance(verifier, JWTVerifier)
    assert verifier.issuer == "https://issuer.example"
    assert verifier.audience == "tasks-mcp"


def test_jwt_verification_needs_issuer_and_audience(monkeypatch: pytest.MonkeyPatch):
    key = RSAKeyPair.generate()
    message = config_error(monkeypatch, MCP_TRANSPORT="http", MCP_JWT_PUBLIC_KEY=key.public_key)

    assert message == "MCP_JWT_ISSUER and MCP_JWT_AUDIENCE are required when JWTs are verified"


def test_a_public_key_must_be_pem(monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, MCP_JWT_PUBLIC_KEY="not-a-key")

    assert message.startswith("MCP_JWT_PUBLIC_KEY must be a PEM public key")


async def test_dev_tokens_file_maps_tokens_to_users(tmp_path, monkeypatch: pytest.MonkeyPatch):
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            {"dev-token-for-bob-123": {"user_id": "bob", "scopes": ["read"], "org_id": "acme"}}
        )
    )
    monkeypatch.setenv("MCP_TRANSPORT", "http")
    monkeypatch.setenv("MCP_DEV_TOKENS_FILE", str(tokens))
    reset_settings()

    auth = build_auth(get_settings())

    assert isinstance(auth, StaticTokenVerifier)
    access = await auth.verify_token("dev-token-for-bob-123")
    assert access is not None
    assert (access.claims["sub"], access.claims["org_id"], access.scopes) == (
        "bob",
        "acme",
        ["read"],
    )
    assert await auth.verify_token("someone-elses-token") is None


def test_a_missing_dev_tokens_file_is_rejected(tmp_path, monkeypatch: pytest.MonkeyPatch):
    message = config_error(monkeypatch, MCP_DEV_TOKENS_FILE=str(tmp_path / "absent.json"))

    assert message.startswith("MCP_DEV_TOKENS_FILE does not name a file")


def test_stdio_needs_no_client_auth(settings: Settings):
    assert build_auth(settings) is None


def test_stdio_without_a_user_refuses_to_start(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.delenv("MCP_USER_ID")
    reset_settings()

    with pytest.raises(SystemExit) as exited:
        run(mcp)

    assert exited.value.code == 2
    error_output = capsys.readouterr().err.strip()
    assert error_output.startswith("configuration error: MCP_USER_ID is required in stdio mode")
    assert "\n" not in error_output


def test_http_with_verified_tokens_needs_no_configured_user(monkeypatch: pytest.MonkeyPatch):
    key = RSAKeyPair.generate()
    monkeypatch.delenv("MCP_USER_ID")
    monkeypatch.setenv("MCP_TRANSPORT", "http")
    monkeypatch.setenv("MCP_JWT_PUBLIC_KEY", key.public_key)
    monkeypatch.setenv("MCP_JWT_ISSUER", "https://issuer.example")
    monkeypatch.setenv("MCP_JWT_AUDIENCE", "tasks-mcp")
    reset_settings()

    require_user(get_settings())  # the user comes from each token


def test_bad_configuration_exits_with_one_line_and_code_2(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setenv("BACKEND_URL", "ftp://files.example.com")
    reset_settings()

    with pytest.raises(SystemExit) as exited:
        run(mcp)

    assert exited.value.code == 2
    error_output = capsys.readouterr().err.strip()
    assert error_output.startswith("configuration error: BACKEND_URL must be")
    assert "\n" not in error_output
    assert "Traceback" not in error_output
