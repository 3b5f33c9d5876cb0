"""The example backend on its own: dual auth, per-user isolation, validation and persistence."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

BACKEND_DIR = Path(__file__).resolve().parents[2] / "examples" / "todo_backend"
sys.path.insert(0, str(BACKEND_DIR))

from todo_backend.app import create_app  # noqa: E402
from todo_backend.config import Settings  # noqa: E402
from todo_backend.export_openapi import openapi  # noqa: E402

SERVICE_TOKEN = "s" * 40
JWT_SECRET = "test-secret-that-is-long-enough-for-hs256"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def settings(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Settings:
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return Settings(
        service_auth_token=SERVICE_TOKEN,
        jwt_secret=JWT_SECRET,
        jwt_public_key=public_pem.decode(),
        db_path=tmp_path / "tasks.json",
    )


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def user(sub: str, **claims) -> dict[str, str]:
    return bearer(jwt.encode({"sub": sub, "exp": int(time.time()) + 300, **claims}, JWT_SECRET, "HS256"))


def service(user_id: str | None, token: str = SERVICE_TOKEN, **extra: str) -> dict[str, str]:
    headers = {**bearer(token), **extra}
    if user_id is not None:
        headers["X-User-ID"] = user_id
    return headers


def create(client: TestClient, headers: dict[str, str], title: str = "Buy milk") -> dict:
    response = client.post("/tasks", json={"title": title, "priority": "high"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# ---- dual auth -----------------------------------------------------------------------------------------


def test_a_user_jwt_and_the_service_token_act_for_the_same_user(client: TestClient) -> None:
    task = create(client, user("alice"))
    assert task["owner_id"] == "alice"
    listed = client.get("/tasks", headers=service("alice")).json()
    assert [t["id"] for t in listed] == [task["id"]]


def test_rs256_user_tokens_are_accepted(client: TestClient, rsa_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode({"sub": "carol", "exp": int(time.time()) + 300}, rsa_key, algorithm="RS256")
    response = client.get("/tasks", headers=bearer(token))
    assert response.status_code == 200, response.text


def test_the_organisation_comes_from_the_header_or_the_claim(client: TestClient) -> None:
    assert create(client, service("alice", **{"X-Organization-ID": "acme"}))["organization_id"] == "acme"
    assert create(client, user("bob", org_id="globex"))["organization_id"] == "globex"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no token"),
        pytest.param(service("alice", token="x" * 40), id="wrong service token"),
        pytest.param(service(None), id="service token without X-User-ID"),
        pytest.param(service("  "), id="service token with a blank X-User-ID"),
        pytest.param(bearer(jwt.encode({"sub": "a", "exp": 9e9}, "k" * 32, "HS256")), id="another key"),
        pytest.param(bearer(jwt.encode({"sub": "a", "exp": 1}, JWT_SECRET, "HS256")), id="expired JWT"),
        pytest.param(bearer(jwt.encode({"sub": "a", "exp": 9e9}, None, "none")), id="unsigned JWT"),
    ],
)
def test_bad_credentials_get_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/tasks", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_user_cannot_claim_another_identity_with_the_header(client: TestClient) -> None:
    create(client, user("bob"))
    listed = client.get("/tasks", headers={**user("alice"), "X-User-ID": "bob"}).json()
    assert listed == []


def test_a_short_service_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SERVICE_AUTH_TOKEN must be at least 32 characters"):
        Settings(service_auth_token="too-short", db_path=tmp_path / "db.json")


# ---- isolation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"title": "mine now"}),
        ("POST", "/complete", None),
        ("DELETE", "", None),
    ],
)
def test_another_users_task_looks_exactly_like_a_missing_one(
    client: TestClient, method: str, suffix: str, body: dict | None
) -> None:
    task = create(client, service("alice"))
    theirs = client.request(method, f"/tasks/{task['id']}{suffix}", json=body, headers=service("bob"))
    missing = client.request(method, f"/tasks/999{suffix}", json=body, headers=service("bob"))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert client.get(f"/tasks/{task['id']}", headers=service("alice")).json() == task


def test_lists_only_show_the_callers_tasks(client: TestClient) -> None:
    create(client, service("alice"), "alice's")
    create(client, service("bob"), "bob's")
    assert [t["title"] for t in client.get("/tasks", headers=service("bob")).json()] == ["bob's"]


# ---- the task lifecycle ---------------------------------------------------------------------------------


def test_update_complete_delete(client: TestClient) -> None:
    alice = service("alice")
    task = create(client, alice)
    url = f"/tasks/{task['id']}"

    updated = client.patch(url, json={"description": "2 litres"}, headers=alice).json()
    assert (updated["title"], updated["description"]) == ("Buy milk", "2 litres")

    done = client.post(f"{url}/complete", headers=alice).json()
    assert done["completed"] is True and done["completed_at"]
    assert client.get("/tasks", params={"completed": "false"}, headers=alice).json() == []

    response = client.delete(url, headers=alice)
    assert (response.status_code, response.content) == (204, b"")
    assert client.get(url, headers=alice).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x", "owner_id": "bob"}, "owner_id"),
        ({"priority": "asap"}, "priority"),
    ],
)
def test_invalid_bodies_get_422_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    response = client.post("/tasks", json=body, headers=service("alice"))
    assert response.status_code == 422
    assert ["body", field] in [error["loc"] for error in response.json()["detail"]]


def test_tasks_survive_a_restart(settings: Settings) -> None:
    task = create(TestClient(create_app(settings)), service("alice"))
    restarted = TestClient(create_app(settings))
    assert restarted.get(f"/tasks/{task['id']}", headers=service("alice")).json() == task
    assert create(restarted, service("alice"))["id"] == task["id"] + 1


# ---- the OpenAPI document mcpgen reads -----------------------------------------------------------------


def test_the_openapi_document_declares_pattern_4() -> None:
    document = openapi()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    assert set(operations) == {
        "list_tasks",
        "create_task",
        "get_task",
        "update_task",
        "mark_completed",
        "delete_task",
    }
    for op in operations.values():
        headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
        assert headers == {"X-User-ID", "X-Organization-ID"}
        assert op["security"] == [{"HTTPBearer": []}]


def test_the_bundled_openapi_json_is_the_apps_export() -> None:
    bundled = json.loads((BACKEND_DIR / "openapi.json").read_text())
    assert bundled == openapi(), (
        "examples/todo_backend/openapi.json is stale: "
        "cd examples/todo_backend && python -m todo_backend.export_openapi > openapi.json"
    )
