"""backend_patches/ on a small FastAPI app: the service token with a user, a user's own token, and refusals.

This server does not depend on FastAPI; the tests run where it is installed (pip install fastapi).
"""

import logging

import pytest

pytest.importorskip(
    "fastapi", reason="backend_patches/ is for a FastAPI backend; pip install fastapi"
)

from fastapi import FastAPI, HTTPException  # noqa: E402 - only once FastAPI is known to be there
from fastapi.testclient import TestClient  # noqa: E402
from pydantic import SecretStr, ValidationError  # noqa: E402

from backend_patches import dependencies  # noqa: E402
from backend_patches.dependencies import (  # noqa: E402
    IDENTITY_HEADERS,
    USER_ID_HEADER,
    Caller,
    CurrentCaller,
)
from backend_patches.settings_snippet import ServiceAuthSettings  # noqa: E402

SERVICE_TOKEN = "service-token-for-tests-0123456789abcdef"
USER_TOKENS = {"token-of-bob": "bob"}


async def authenticate_user(token: str, request) -> Caller:
    """Stands in for the backend's get_current_user."""
    if token not in USER_TOKENS:
        raise HTTPException(401, "Invalid token")
    return Caller(user_id=USER_TOKENS[token], user={"name": USER_TOKENS[token]})


def make_client(monkeypatch: pytest.MonkeyPatch, configured: SecretStr | str | None) -> TestClient:
    monkeypatch.setattr(dependencies, "configured_service_token", lambda: configured)
    monkeypatch.setattr(dependencies, "authenticate_user", authenticate_user)
    app = FastAPI()

    @app.get("/me")
    def me(caller: CurrentCaller) -> dict:
        return {
            "user_id": caller.user_id,
            "via_service": caller.via_service,
            "claims": dict(caller.claims),
        }

    return TestClient(app)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    return make_client(monkeypatch, SecretStr(SERVICE_TOKEN))


def as_service(**headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", **headers}


def test_service_token_with_a_user_acts_for_that_user(client):
    response = client.get("/me", headers=as_service(**{USER_ID_HEADER: "alice"}))
    assert response.status_code == 200, response.text
    assert response.json() == {"user_id": "alice", "via_service": True, "claims": {}}


def test_every_identity_header_reaches_the_caller(client):
    sent = {header: f"{claim}-1" for header, claim in IDENTITY_HEADERS}
    response = client.get("/me", headers=as_service(**sent))
    others = {claim: f"{claim}-1" for _, claim in IDENTITY_HEADERS if claim != "sub"}
    assert response.json() == {"user_id": "sub-1", "via_service": True, "claims": others}


def test_a_wrong_service_token_is_refused(client):
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN[:-1]}x", USER_ID_HEADER: "alice"}
    assert client.get("/me", headers=headers).status_code == 401


def test_no_token_is_refused_with_a_bearer_challenge(client):
    response = client.get("/me", headers={USER_ID_HEADER: "alice"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("user_id", [None, ""])
def test_the_service_token_without_a_user_is_refused(client, user_id):
    headers = as_service() if user_id is None else as_service(**{USER_ID_HEADER: user_id})
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert USER_ID_HEADER in response.json()["detail"]


@pytest.mark.parametrize("user_id", ["alice smith", "a" * 129, "alice;drop", "<script>", "al\tice"])
def test_a_malformed_user_id_is_refused_without_echoing_it(client, user_id):
    response = client.get("/me", headers=as_service(**{USER_ID_HEADER: user_id}))
    assert response.status_code == 400
    assert USER_ID_HEADER in response.json()["detail"] and user_id not in response.text


def test_a_user_id_sent_twice_is_refused(client):
    headers = [
        ("Authorization", f"Bearer {SERVICE_TOKEN}"),
        (USER_ID_HEADER, "alice"),
        (USER_ID_HEADER, "bob"),
    ]
    assert client.get("/me", headers=headers).status_code == 400


def test_a_users_own_token_still_works_and_ignores_identity_headers(client):
    headers = {"Authorization": "Bearer token-of-bob", USER_ID_HEADER: "alice"}
    response = client.get("/me", headers=headers)
    assert response.json() == {"user_id": "bob", "via_service": False, "claims": {}}


def test_an_unknown_route_is_404_not_401(client):
    assert client.get("/nowhere").status_code == 404


@pytest.mark.parametrize("configured", [None, "", SecretStr("")])
def test_without_a_configured_token_service_calls_are_off(monkeypatch, configured):
    client = make_client(monkeypatch, configured)
    for token in ("", SERVICE_TOKEN):
        response = client.get(
            "/me", headers={"Authorization": f"Bearer {token}", USER_ID_HEADER: "alice"}
        )
        assert response.status_code == 401


def test_a_short_configured_token_is_refused_and_not_logged(monkeypatch, caplog):
    client = make_client(monkeypatch, "short-token")
    with caplog.at_level(logging.ERROR):
        response = client.get(
            "/me", headers={"Authorization": "Bearer short-token", USER_ID_HEADER: "alice"}
        )
    assert response.status_code == 401
    assert "shorter than 32" in caplog.text and "short-token" not in caplog.text


def test_the_setting_needs_32_characters_and_hides_the_value(monkeypatch):
    monkeypatch.setenv("SERVICE_AUTH_TOKEN", "too-short-secret")
    with pytest.raises(ValidationError) as error:
        ServiceAuthSettings()
    assert "too-short-secret" not in str(error.value)
    monkeypatch.setenv("SERVICE_AUTH_TOKEN", SERVICE_TOKEN)
    assert ServiceAuthSettings().SERVICE_AUTH_TOKEN.get_secret_value() == SERVICE_TOKEN
