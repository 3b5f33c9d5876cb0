"""Shared fixtures: isolated settings, a mock backend that records requests, and an in-memory MCP client."""

from collections import deque
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest
from fastmcp import Client

from src.client import Backend, set_backend
from src.config import Settings, get_settings, reset_settings
from src.identity import IDENTITY_HEADERS
from src.ratelimit import set_limiter
from src.server import mcp

CREDENTIAL_ENV = "SERVICE_AUTH_TOKEN"
CREDENTIAL = "test-service-token-6f1d0c8a2b9e4f7a3c5d8e1b"
USER_ID = "alice"
ORG_ID = "acme"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings built only from what the test sets: the shell's variables and the project's .env are ignored."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    if CREDENTIAL_ENV:
        monkeypatch.setenv(CREDENTIAL_ENV, CREDENTIAL)
    monkeypatch.setenv("MCP_USER_ID", USER_ID)
    monkeypatch.setenv("MCP_ORG_ID", ORG_ID)
    monkeypatch.setenv("RETRY_BACKOFF", "0")
    reset_settings()
    # Rate-limit buckets are process-wide; each test starts with full ones, under its own settings.
    set_limiter(None)
    yield get_settings()
    reset_settings()
    set_limiter(None)


@pytest.fixture
def service_token() -> str | None:
    """The credential this server sends to the backend (SERVICE_AUTH_TOKEN)."""
    return CREDENTIAL


@pytest.fixture
def auth_headers() -> dict[str, str]:
    """The credential and identity headers every backend request must carry for the stdio user."""
    headers: dict[str, str] = {}
    headers["Authorization"] = f"Bearer {CREDENTIAL}"
    claims = {"sub": USER_ID, "org_id": ORG_ID}
    headers.update({header: claims[claim] for header, claim in IDENTITY_HEADERS if claim in claims})
    return headers


class BackendMock:
    """Answers backend requests from a queue of replies, and records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.sleeps: list[float] = []
        self.backends: list[Backend] = []
        self._replies: deque[httpx2.Response | Exception] = deque()

    def reply(
        self,
        status: int = 200,
        json: Any = None,
        headers: dict[str, str] | None = None,
        text: str | None = None,
        content: bytes | None = None,
    ) -> None:
        """Queue one response. Without a queued reply the backend answers 200 with `{}`."""
        if text is not None:
            self._replies.append(httpx2.Response(status, text=text, headers=headers))
        elif content is not None:
            self._replies.append(httpx2.Response(status, content=content, headers=headers))
        elif json is not None:
            self._replies.append(httpx2.Response(status, json=json, headers=headers))
        else:
            self._replies.append(httpx2.Response(status, headers=headers))

    def fail(self, error: Exception) -> None:
        """Queue a transport failure, such as `httpx2.ConnectError("refused")` or `httpx2.ReadTimeout("slow")`."""
        self._replies.append(error)

    @property
    def last(self) -> httpx2.Request:
        assert self.requests, "the backend received no request"
        return self.requests[-1]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        reply = self._replies.popleft() if self._replies else httpx2.Response(200, json={})
        if isinstance(reply, httpx2.TransportError):
            reply.request = request
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def sleep(self, seconds: float) -> None:
        # Retries wait through here, so tests see the delays without spending them.
        self.sleeps.append(seconds)

    def install(self, settings: Settings) -> Backend:
        """Put a Backend built from `settings` in front of this mock, for every tool to use."""
        backend = Backend(settings, transport=httpx2.MockTransport(self.handle), sleep=self.sleep)
        set_backend(backend)
        self.backends.append(backend)
        return backend


@pytest.fixture
async def backend_mock(settings: Settings) -> AsyncIterator[BackendMock]:
    mock = BackendMock()
    mock.install(settings)
    yield mock
    set_backend(None)
    for backend in mock.backends:
        await backend.aclose()


@pytest.fixture
async def client(backend_mock: BackendMock) -> AsyncIterator[Client]:
    """An MCP client connected in memory to the server, whose backend is `backend_mock`."""
    async with Client(mcp) as connected:
        yield connected
