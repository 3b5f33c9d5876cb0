"""GET /ready: whether this replica should get traffic. It is ready when the backend answers and the circuit
toward it is not open. GET /health (serving) only says the process is alive, so that an orchestrator
restarts a replica for what a restart can fix, and stops routing to it for what it cannot."""

import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse

from .client import get_backend
from .config import get_settings


async def ready(request: Request) -> JSONResponse:
    settings = get_settings()
    breaker = get_backend().breaker
    report: dict[str, object] = {"circuit": breaker.state}
    if breaker.state == "open":
        # The circuit closes only after a call tries the backend again; half-open counts as ready for that.
        report.update(
            status="not_ready",
            reason="the circuit toward the backend is open",
            retry_in=breaker.retry_in(),
        )
        return JSONResponse(report, status_code=503)
    problem = await _backend_problem(
        settings.backend_url + settings.backend_ready_path, settings.ready_timeout
    )
    if problem:
        report.update(status="not_ready", reason=problem)
        return JSONResponse(report, status_code=503)
    report.update(status="ready", backend="reachable")
    return JSONResponse(report)


async def _backend_problem(url: str, timeout: float) -> str | None:
    """None when the backend answers at `url` without a server error; else what went wrong, without the URL
    (it may carry credentials)."""
    try:
        async with httpx2.AsyncClient(timeout=timeout, follow_redirects=False) as http:
            response = await http.get(url)
    except httpx2.TimeoutException:
        return f"the backend did not answer within {timeout:g} seconds"
    except httpx2.HTTPError as error:
        return f"the backend could not be reached ({error.__class__.__name__})"
    if response.status_code >= 500:
        return f"the backend answered HTTP {response.status_code}"
    return None
