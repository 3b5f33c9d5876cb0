"""Per-caller rate limits: a token bucket per user (and, with RATE_LIMIT_PER_TOOL_PER_MINUTE, per user and
tool), kept in this process or, with REDIS_URL, in Redis so that every replica draws from the same buckets.

A bucket holds up to RATE_LIMIT_BURST calls (default: one minute's worth) and refills continuously at
RATE_LIMIT_PER_MINUTE. A call takes one token from each of its buckets, or from none when one is empty: then
it is refused with a rate_limit_error saying when to retry. In http mode the answer to every tools/call
carries X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the bucket is full),
and Retry-After when refused.
"""

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import mcp_types
from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import Settings, get_settings
from .identity import caller_of, current_caller
from .metrics import RATE_LIMIT_REFUSALS, RATE_LIMIT_STORE_ERRORS, tool_label
from .schemas.errors import BackendError

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

# Where the http layer leaves its decision for the tool call of the same request (the ASGI scope's state).
DECISION_KEY = "rate_limit_decision"
# A tools/call body larger than this is passed on undecided; the tool middleware then decides alone.
_MAX_PEEKED_BODY = 1024 * 1024
# Redis outages are logged once per this many seconds, not once per call.
_OUTAGE_LOG_INTERVAL = 60.0


@dataclass(frozen=True)
class Bucket:
    key: str
    capacity: int  # tokens when full: the burst
    per_second: float  # refill rate


@dataclass(frozen=True)
class Decision:
    """The outcome of taking one token for a call, reported for its most constrained bucket."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float  # seconds until a token is back; 0 when allowed
    reset_after: float  # seconds until the bucket is full again
    per_minute: float = 0.0  # the constraining bucket's refill rate
    per_tool: bool = False  # the constraining bucket is the caller's bucket for this tool


@dataclass(frozen=True)
class Taken:
    """What a store did: whether the call got its tokens, and what each bucket holds now."""

    allowed: bool
    levels: list[float]


class BucketStore(Protocol):
    async def take(self, buckets: Sequence[Bucket]) -> Taken | None:
        """Take one token from every bucket, or from none when one has less than one; None when the
        store cannot be reached."""


class MemoryBuckets:
    """Buckets in this process: right for one replica."""

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._levels: dict[
            str, tuple[float, float, float]
        ] = {}  # key -> (tokens, when, full again at)

    async def take(self, buckets: Sequence[Bucket]) -> Taken:
        now = self.clock()
        levels = [self._level(bucket, now) for bucket in buckets]
        allowed = all(level >= 1 for level in levels)
        if allowed:
            levels = [level - 1 for level in levels]
        for bucket, level in zip(buckets, levels, strict=True):
            self._levels[bucket.key] = (
                level,
                now,
                now + (bucket.capacity - level) / bucket.per_second,
            )
        if len(self._levels) > self.max_keys:
            # A bucket that has refilled is the same as no bucket: forgetting it bounds memory, changes nothing.
            self._levels = {key: state for key, state in self._levels.items() if state[2] > now}
        return Taken(allowed, levels)

    def _level(self, bucket: Bucket, now: float) -> float:
        tokens, when, _ = self._levels.get(bucket.key, (float(bucket.capacity), now, now))
        return min(float(bucket.capacity), tokens + (now - when) * bucket.per_second)


# All-or-nothing over the call's buckets, atomic in Redis, on Redis' own clock so that replicas agree.
# KEYS: the buckets; ARGV: capacity and tokens per millisecond of each. Returns 1 or 0 (allowed), then each
# bucket's level as text (Redis would truncate numbers to integers).
_TAKE = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local levels = {}
local allowed = 1
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  levels[i] = math.min(capacity, tokens + math.max(0, now - at) * rate)
  if levels[i] < 1 then allowed = 0 end
end
local result = {allowed}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[2 * i - 1])
  local rate = tonumber(ARGV[2 * i])
  local level = levels[i] - allowed
  redis.call('HSET', key, 'tokens', tostring(level), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((capacity - level) / rate) + 1000)
  result[i + 1] = tostring(level)
end
return result
"""


class RedisBuckets:
    """Buckets in Redis, shared by every replica configured with the same REDIS_URL and key prefix."""

    def __init__(self, client: "Redis", prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(_TAKE)
        self._last_outage_log = -math.inf

    @classmethod
    def from_url(cls, url: str, prefix: str) -> "RedisBuckets":
        from redis.asyncio import Redis

        # Short timeouts: a rate-limit check must never be what makes a tool call slow.
        return cls(Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5), prefix)

    async def take(self, buckets: Sequence[Bucket]) -> Taken | None:
        keys = [f"{self.prefix}:{bucket.key}" for bucket in buckets]
        rates = [
            value for bucket in buckets for value in (bucket.capacity, bucket.per_second / 1000)
        ]
        try:
            allowed, *levels = await self._script(keys=keys, args=rates)
        except (
            Exception
        ) as error:  # any Redis failure: let the call through rather than fail every call
            RATE_LIMIT_STORE_ERRORS.inc()
            now = time.monotonic()
            if now - self._last_outage_log >= _OUTAGE_LOG_INTERVAL:
                self._last_outage_log = now
                logger.warning(
                    "rate limits not applied: Redis could not be reached (%s)",
                    error.__class__.__name__,
                    extra={"event": "rate_limit_store_error"},
                )
            return None
        return Taken(int(allowed) == 1, [float(level) for level in levels])

    async def aclose(self) -> None:
        await self.client.aclose()


class RateLimiter:
    """The limits of the settings, applied to one call at a time."""

    def __init__(self, settings: Settings, store: BucketStore | None = None) -> None:
        self.per_minute = settings.rate_limit_per_minute
        self.burst = settings.rate_limit_burst or self.per_minute
        self.per_tool_per_minute = settings.rate_limit_per_tool_per_minute
        if store is None:
            url = settings.redis_url
            store = (
                RedisBuckets.from_url(url.get_secret_value(), settings.rate_limit_key_prefix)
                if url
                else MemoryBuckets()
            )
        self.store = store

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0 or self.per_tool_per_minute > 0

    def buckets(self, user: str | None, tool: str) -> list[Bucket]:
        # Buckets are named by a digest of the user: the id need not appear in Redis, nor its characters matter.
        who = hashlib.sha256((user or "").encode()).hexdigest()[:24]
        found = []
        if self.per_minute > 0:
            found.append(Bucket(f"user:{who}", self.burst, self.per_minute / 60))
        if self.per_tool_per_minute > 0:
            found.append(
                Bucket(
                    f"user:{who}:tool:{tool}",
                    self.per_tool_per_minute,
                    self.per_tool_per_minute / 60,
                )
            )
        return found

    async def take(self, user: str | None, tool: str) -> Decision | None:
        """One token for `user` calling `tool`; None when no limit applies (or Redis is unreachable)."""
        buckets = self.buckets(user, tool)
        if not buckets:
            return None
        taken = await self.store.take(buckets)
        if taken is None:
            return None
        # Report the bucket that constrains the call most: the one that refused it, else the emptiest.
        waits = [
            max(0.0, 1 - level) / bucket.per_second
            for bucket, level in zip(buckets, taken.levels, strict=True)
        ]
        index = max(
            range(len(buckets)), key=lambda i: (waits[i], -taken.levels[i] / buckets[i].capacity)
        )
        bucket, level = buckets[index], taken.levels[index]
        return Decision(
            allowed=taken.allowed,
            limit=bucket.capacity,
            remaining=max(0, math.floor(level)),
            retry_after=0.0 if taken.allowed else round(waits[index], 3),
            reset_after=round((bucket.capacity - level) / bucket.per_second, 3),
            per_minute=round(bucket.per_second * 60, 3),
            per_tool=":tool:" in bucket.key,
        )

    async def aclose(self) -> None:
        if isinstance(self.store, RedisBuckets):
            await self.store.aclose()


def refusal(tool: str, decision: Decision) -> BackendError:
    per = f"calls of {tool} a minute" if decision.per_tool else "tool calls a minute"
    burst = f" ({decision.limit} at once)" if decision.limit != decision.per_minute else ""
    wait = max(1, math.ceil(decision.retry_after))
    seconds = "1 second" if wait == 1 else f"{wait} seconds"
    return BackendError(
        "rate_limit_error",
        f"This server allows each caller {decision.per_minute:g} {per}{burst}; try again in {seconds}.",
        retry_after=wait,
        details={
            "per_minute": decision.per_minute,
            "burst": decision.limit,
            **({"tool": tool} if decision.per_tool else {}),
        },
        hints=(
            f"Wait {seconds} (details.retry_after) before calling {'it' if decision.per_tool else 'any tool'} again.",
            "Batch the work into fewer calls where the tools allow it.",
        ),
    )


_limiter: RateLimiter | None = None


def get_limiter() -> RateLimiter:
    """The process-wide limiter, made from the settings on first use."""
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter(get_settings())
    return _limiter


def set_limiter(limiter: RateLimiter | None) -> None:
    """Install the limiter every call uses; None forgets it, so that the next call builds one afresh."""
    global _limiter
    _limiter = limiter


async def close_limiter() -> None:
    global _limiter
    limiter, _limiter = _limiter, None
    if limiter is not None:
        await limiter.aclose()


class RateLimit(Middleware):
    """Refuses a tool call whose caller (or caller and tool) has no token left. In http mode the decision
    was already taken as the request arrived (RateLimitHeaders), so that its headers could report it."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mcp_types.CallToolRequestParams],
        call_next: CallNext[Any, ToolResult],
    ) -> ToolResult:
        tool = context.message.name
        decision = _decided_on_arrival()
        if decision is None:
            limiter = get_limiter()
            if limiter.enabled:
                decision = await limiter.take(
                    current_caller(get_settings()).user_id, tool_label(tool)
                )
        if decision is not None and not decision.allowed:
            RATE_LIMIT_REFUSALS.labels(tool_label(tool)).inc()
            raise refusal(tool, decision).to_tool_error()
        return await call_next(context)


def _decided_on_arrival() -> Decision | None:
    try:
        request = get_http_request()
    except RuntimeError:  # stdio, or an in-memory client: no HTTP request
        return None
    # Taken once: the calls a program makes inside execute (code mode) are each limited on their own.
    decision = request.scope.get("state", {}).pop(DECISION_KEY, None)
    return decision if isinstance(decision, Decision) else None


class RateLimitHeaders:
    """http mode, as ASGI middleware inside authentication: takes the rate-limit token of a tools/call
    request as it arrives, leaves the decision for RateLimit, and adds the X-RateLimit-* headers (and
    Retry-After on refusal) to its answer. The refusal itself is the tool's typed error, not an HTTP 429,
    so that MCP clients show the assistant why and for how long."""

    def __init__(self, app: ASGIApp, path: str = "/mcp") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"].rstrip("/") != self.path
        ):
            await self.app(scope, receive, send)
            return
        body, receive = await _peek_body(receive)
        tool = _called_tool(body)
        limiter = get_limiter()
        user = _user(scope)
        if tool is None or not limiter.enabled or user is False:
            await self.app(scope, receive, send)
            return
        decision = await limiter.take(user, tool_label(tool))
        if decision is None:
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[DECISION_KEY] = decision

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(name.encode(), value.encode()) for name, value in _headers(decision)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers(decision: Decision) -> list[tuple[str, str]]:
    headers = [
        ("X-RateLimit-Limit", str(decision.limit)),
        ("X-RateLimit-Remaining", str(decision.remaining)),
        ("X-RateLimit-Reset", str(math.ceil(decision.reset_after))),
    ]
    if not decision.allowed:
        headers.append(("Retry-After", str(max(1, math.ceil(decision.retry_after)))))
    return headers


def _user(scope: Scope) -> str | None | bool:
    """The caller's user id; False when the request is not authenticated (it is about to get a 401)."""
    user = scope.get("user")
    if user is None:  # no MCP client auth configured: MCP_ALLOW_ANONYMOUS
        return get_settings().mcp_user_id
    token = getattr(user, "access_token", None)
    if token is None:
        return False
    return caller_of(token, get_settings()).user_id


async def _peek_body(receive: Receive) -> tuple[bytes, Receive]:
    """The request body, and a `receive` that hands the same body on to the app."""
    chunks: list[bytes] = []
    size = 0
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False) or size > _MAX_PEEKED_BODY:
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return (b"".join(chunks) if size <= _MAX_PEEKED_BODY else b""), replay


def _called_tool(body: bytes) -> str | None:
    # Not JSON, or nested too deep for the parser (RecursionError): the MCP layer answers it, typed.
    try:
        message = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    if not isinstance(message, dict) or message.get("method") != "tools/call":
        return None
    params = message.get("params")
    name = params.get("name") if isinstance(params, dict) else None
    return name if isinstance(name, str) else None
