"""Every auth scheme real specs use (issue 21): the scheme most operations accept decides, HTTP basic is sent
as configured, an apiKey named Authorization goes out verbatim, and a scheme mcpgen cannot send is said
loudly."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen.cli import app
from mcpgen.generate import Request, generate, prepare
from tests.generated import run_project_tests

AUTH = Path(__file__).parent / "breadth" / "auth"
runner = CliRunner()


def auth_of(spec: str):
    return prepare(Request(spec=str(AUTH / spec), out=Path("."))).project.auth


def test_the_scheme_most_operations_accept_decides_and_the_reason_says_so():
    """Discord: a bot token in Authorization on most operations, OAuth2 on a few; bots cannot use OAuth2."""
    auth = auth_of("bot_token.json")
    assert auth.pattern == "api-key"
    assert (auth.api_key.name, auth.api_key.location) == ("Authorization", "header")
    assert auth.reason == (
        "security scheme 'BotToken' (an API key in the header 'Authorization') is accepted by 10 of 11 "
        "operations, more than any other ('OAuth2' by 1)"
    )


def test_among_schemes_every_operation_accepts_a_bearer_token_is_preferred(tmp_path):
    """Stripe takes its secret key as a bearer token or as a basic user name, on all 417 operations."""
    spec = json.loads((AUTH / "basic_auth.json").read_text())
    spec["components"]["securitySchemes"]["bearerAuth"] = {"type": "http", "scheme": "bearer"}
    spec["security"] = [{"accountSid_authToken": []}, {"bearerAuth": []}]
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    auth = prepare(Request(spec=str(tmp_path / "spec.json"), out=Path("."))).project.auth
    assert auth.pattern == "bearer"
    assert auth.reason.endswith("as is 'accountSid_authToken': the bearer pattern is the simplest to hold")


def test_http_basic_is_a_pattern_of_its_own():
    auth = auth_of("basic_auth.json")
    assert auth.pattern == "basic" and auth.unsupported is None
    assert "HTTP basic authentication" in auth.reason


def test_a_scheme_that_cannot_be_honoured_is_said_first_and_fails_the_review(tmp_path):
    result = runner.invoke(app, ["from-openapi", str(AUTH / "digest_only.json"), "-o", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    progress = ("loaded ", "layout ", "rendering ", "tools: ")
    first = next(line for line in result.output.splitlines() if not line.startswith(progress))
    assert first.startswith(
        "WARNING: the backend requires 'digest' (HTTP digest authentication), which mcpgen "
    )
    review = (tmp_path / "out" / "SECURITY_REVIEW.md").read_text()
    assert "| Backend authentication | fail |" in review
    summary = runner.invoke(
        app, ["from-openapi", str(AUTH / "digest_only.json"), "-o", str(tmp_path / "again"), "--json"]
    )
    assert "cannot send" in json.loads(summary.stdout)["backend_auth_unsupported"]


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["basic_auth.json", "bot_token.json"])
def test_the_credential_reaches_the_backend_as_configured(tmp_path, spec):
    out = tmp_path / "project"
    generate(Request(spec=str(AUTH / spec), out=out))
    credentials = out / "tests" / "unit" / "test_credential_as_configured.py"
    credentials.write_text(CREDENTIAL_TEST[spec])
    assert " passed" in run_project_tests(out, "tests/unit/test_client.py", str(credentials.relative_to(out)))


CREDENTIAL_TEST = {
    "basic_auth.json": """import base64

from src.config import get_settings, reset_settings


async def test_basic_authentication_is_sent_as_configured(monkeypatch, backend_mock, client):
    monkeypatch.setenv("BACKEND_USERNAME", "AC0123")
    monkeypatch.setenv("BACKEND_PASSWORD", "s3cret:with-colon")
    reset_settings()
    backend_mock.install(get_settings())
    backend_mock.reply(json=[])
    await client.call_tool("list_message", {"account_sid": "AC0123"})
    expected = "Basic " + base64.b64encode(b"AC0123:s3cret:with-colon").decode()
    assert backend_mock.last.headers["Authorization"] == expected
""",
    "bot_token.json": """from src.config import get_settings, reset_settings


async def test_an_api_key_named_authorization_is_sent_verbatim(monkeypatch, backend_mock, client):
    monkeypatch.setenv("BACKEND_API_KEY", "Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ")
    reset_settings()
    backend_mock.install(get_settings())
    backend_mock.reply(json={"id": "41771983423143937"})
    await client.call_tool("get_channel", {"channel_id": "41771983423143937"})
    assert backend_mock.last.headers["Authorization"] == "Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ"
""",
}
