"""Two small HTTP proxies for the production proof (test_production_proof.py), each run as its own process:

- `roundrobin --port P --upstream URL --upstream URL`: a load balancer without sticky sessions; each request
  goes to the next upstream in turn, and its answer names the upstream in `X-Replica` (0, 1, ...).
- `faulty --port P --upstream URL`: passes requests to the backend, except that `POST /_faults
  {"skip": K, "fail": N}` makes it answer the N requests after the next K with 503 itself. `GET /_faults`
  counts what it saw.

Loopback only; answers are read whole before they are passed on (stateless MCP answers end with the call).
"""

from __future__ import annotations

import argparse
import itertools

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Hop-by-hop headers, and the ones the answer's new framing replaces.
DROPPED = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


async def forward(http: httpx2.AsyncClient, upstream: str, request: Request) -> httpx2.Response:
    headers = [(name, value) for name, value in request.headers.items() if name.lower() not in DROPPED]
    return await http.request(
        request.method,
        upstream + request.url.path,
        params=request.url.query or None,
        headers=headers,
        content=await request.body(),
    )


def answer(response: httpx2.Response, **extra: str) -> Response:
    headers = {name: value for name, value in response.headers.items() if name.lower() not in DROPPED}
    return Response(response.content, status_code=response.status_code, headers={**headers, **extra})


def roundrobin(upstreams: list[str]) -> Starlette:
    turns = itertools.cycle(range(len(upstreams)))
    http = httpx2.AsyncClient(timeout=60, limits=httpx2.Limits(max_connections=500))

    async def route(request: Request) -> Response:
        index = next(turns)
        return answer(await forward(http, upstreams[index], request), **{"X-Replica": str(index)})

    return Starlette(routes=[Route("/{path:path}", route, methods=["GET", "POST", "DELETE"])])


def faulty(upstream: str) -> Starlette:
    state = {"skip": 0, "fail": 0, "seen": 0, "failed": 0}
    http = httpx2.AsyncClient(timeout=60, limits=httpx2.Limits(max_connections=500))

    async def control(request: Request) -> JSONResponse:
        if request.method == "POST":
            plan = await request.json()
            state.update(skip=int(plan.get("skip", 0)), fail=int(plan.get("fail", 0)))
        return JSONResponse(state)

    async def route(request: Request) -> Response:
        state["seen"] += 1
        if state["skip"] > 0:
            state["skip"] -= 1
        elif state["fail"] > 0:
            state["fail"] -= 1
            state["failed"] += 1
            return JSONResponse({"detail": "injected fault"}, status_code=503)
        return answer(await forward(http, upstream, request))

    return Starlette(
        routes=[
            Route("/_faults", control, methods=["GET", "POST"]),
            Route("/{path:path}", route, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["roundrobin", "faulty"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", action="append", required=True)
    options = parser.parse_args()
    app = roundrobin(options.upstream) if options.kind == "roundrobin" else faulty(options.upstream[0])

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app.router.routes.insert(0, Route("/health", health))
    uvicorn.run(app, host="127.0.0.1", port=options.port, log_level="warning")


if __name__ == "__main__":
    main()
