"""Pattern 4 projects ship backend_patches/: mounted on a FastAPI app, it lets the service in for a named
user, keeps users' own JWTs working and refuses everything else. Other patterns ship no such folder."""

import ast
import importlib.util
import json
import secrets
import sys
import time
from pathlib import Path
from types import ModuleType

import jwt
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mcpgen.cli import app as mcpgen_app
from tests.conftest import REPO
from tests.golden.regen import GOLDEN, cases

TODO_SPEC = REPO / "examples" / "todo_backend" / "openapi.json"
SERVICE_TOKEN = secrets.token_urlsafe(32)
JWT_SECRET = "user-jwt-signing-secret-for-tests-0123456789"


def generate(out: Path, *options: str) -> dict:
    result = CliRunner().invoke(
        mcpgen_app, ["from-openapi", str(TODO_SPEC), "-o", str(out), "--json", *options]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def load(path: Path) -> ModuleType:
    name = f"backend_patch_{path.stem}_{id(path)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def patches(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("p4") / "todo-mcp"
    generate(out, "--pattern", "service-to-service")
    return out / "backend_patches"


@pytest.fixture(scope="module")
def dependencies(patches) -> ModuleType:
    return load(patches / "dependencies.py")


def user_token(sub: str, secret: str = JWT_SECRET) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 300}, secret, algorithm="HS256")


@pytest.fixture
def client(patches, dependencies, monkeypatch) -> TestClient:
    """A small backend wired the way the patch's README says: its settings, its own get_current_user."""
    monkeypatch.setenv("SERVICE_AUTH_TOKEN", SERVICE_TOKEN)
    settings = load(patches / "settings_snippet.py").ServiceAuthSettings()

    def get_current_user(token: str) -> dict:
        try:
            claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
        except jwt.PyJWTError:
            raise HTTPException(401, "Could not validate credentials") from None
        return {"id": claims["sub"]}

    async def authenticate_user(token: str, request: Request):
        user = get_current_user(token=token)
        return dependencies.Caller(user_id=user["id"], user=user)

    monkeypatch.setattr(dependencies, "configured_service_token", lambda: settings.SERVICE_AUTH_TOKEN)
    monkeypatch.setattr(dependencies, "authenticate_user", authenticate_user)
    backend = FastAPI()

    @backend.get("/tasks")
    def list_tasks(caller: dependencies.CurrentCaller) -> dict:
        return {
            "user_id": caller.user_id,
            "via_service": caller.via_service,
            "org": caller.claims.get("org_id"),
        }

    return TestClient(backend)


def service(**headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", **headers}


def test_service_token_with_x_user_id_gets_in_as_that_user(client):
    response = client.get("/tasks", headers=service(**{"X-User-ID": "alice", "X-Organization-ID": "acme"}))
    assert response.status_code == 200, response.text
    assert response.json() == {"user_id": "alice", "via_service": True, "org": "acme"}


WRONG_TOKENS = [
    SERVICE_TOKEN[:-1] + ("A" if SERVICE_TOKEN[-1] != "A" else "B"),
    secrets.token_urlsafe(32),
    "",
    "é" * 43,  # non-ASCII: compare_digest would raise TypeError on str
]


@pytest.mark.parametrize("token", WRONG_TOKENS)
def test_a_wrong_token_gets_401(client, token):
    headers = {"Authorization": f"Bearer {token}".encode(), "X-User-ID": "alice"}
    assert client.get("/tasks", headers=headers).status_code == 401


def test_a_jwt_signed_with_another_key_gets_401(client):
    forged = user_token("alice", secret="not-the-backend-secret-0123456789abcdef")
    assert client.get("/tasks", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_missing_x_user_id_is_rejected(client):
    response = client.get("/tasks", headers=service())
    assert response.status_code == 401
    assert "X-User-ID" in response.json()["detail"]


@pytest.mark.parametrize("user_id", ["alice bob", "x" * 129, "alice\\", "' OR 1=1 --", "ali%0a"])
def test_malformed_x_user_id_is_rejected(client, user_id):
    response = client.get("/tasks", headers=service(**{"X-User-ID": user_id}))
    assert response.status_code == 400
    assert "X-User-ID" in response.json()["detail"]


def test_malformed_organization_header_is_rejected(client):
    headers = service(**{"X-User-ID": "alice", "X-Organization-ID": "acme corp"})
    assert client.get("/tasks", headers=headers).status_code == 400


def test_an_ordinary_user_token_still_works_and_cannot_claim_another_user(client):
    headers = {"Authorization": f"Bearer {user_token('bob')}", "X-User-ID": "alice"}
    response = client.get("/tasks", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"user_id": "bob", "via_service": False, "org": None}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, service(**{"X-User-ID": "alice"})]
)
def test_an_unknown_route_gets_404_not_401(client, headers):
    assert client.get("/nowhere", headers=headers).status_code == 404


def test_the_token_is_compared_with_hmac_compare_digest(patches):
    tree = ast.parse((patches / "dependencies.py").read_text())
    functions = {
        node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }

    def calls(node: ast.AST) -> list[str]:
        return [ast.unparse(call.func) for call in ast.walk(node) if isinstance(call, ast.Call)]

    checker = functions["is_service_token"]
    returned = [node.value for node in ast.walk(checker) if isinstance(node, ast.Return) and node.value]
    assert any(
        isinstance(value, ast.Call) and ast.unparse(value.func) == "hmac.compare_digest" for value in returned
    )
    assert "is_service_token" in calls(functions["get_current_user_or_service"])
    # Nowhere is a token compared with == or !=, which would return early on the first wrong character.
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            operands = [ast.unparse(side) for side in (node.left, *node.comparators)]
            assert not any("token" in operand or "expected" in operand for operand in operands), operands


def test_compare_digest_gets_bytes_so_non_ascii_tokens_cannot_crash_it(dependencies, monkeypatch):
    monkeypatch.setattr(dependencies, "configured_service_token", lambda: SERVICE_TOKEN)
    assert dependencies.is_service_token(SERVICE_TOKEN)
    assert not dependencies.is_service_token("é" * 43)


# Every pattern rendered through plain Copier is checked in test_template.py; the goldens here.
@pytest.mark.parametrize("case", cases())
def test_golden_trees_have_backend_patches_only_for_pattern_4(case):
    expected = GOLDEN / case / "expected"
    answers = (expected / ".copier-answers.yml").read_text()
    assert (expected / "backend_patches").is_dir() == ("\npattern: service-to-service\n" in answers)
