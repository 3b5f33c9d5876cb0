"""OpenTelemetry traces, sent over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

FastMCP opens a span per MCP request itself ("tools/call <tool>"); this module adds a client span per
backend attempt under it, and sends the trace context to the backend as `traceparent`, so that the
backend's own spans join the same trace. Without the SDK (the project's `otel` extra) or without the
endpoint, every call here does nothing.
"""

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from .config import ConfigError, Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

    from .invoke import Operation

tracer = trace.get_tracer(__name__)


def configure_tracing(settings: Settings, exporter: "SpanExporter | None" = None) -> bool:
    """Install a tracer provider exporting to OTEL_EXPORTER_OTLP_ENDPOINT (or to `exporter`, in tests).
    False when tracing is off. OpenTelemetry takes one provider per process: call it once, at start."""
    endpoint = settings.otel_exporter_otlp_endpoint
    if exporter is None and not endpoint:
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        raise ConfigError(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed; "
            "install this project with its otel extra (pip install '.[otel]')"
        ) from None
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The signal's path is appended to the base endpoint, as the OTLP exporter specification says.
        exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return True


@contextmanager
def backend_span(operation: "Operation", method: str, attempt: int) -> Iterator[Span]:
    """The span of one backend attempt, named by the operation's route, never by its filled-in URL."""
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.template": operation.path,
        "mcp.tool.name": operation.tool,
    }
    if attempt > 1:
        attributes["http.request.resend_count"] = attempt - 1
    with tracer.start_as_current_span(
        f"{method} {operation.path}",
        kind=SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,
    ) as span:
        yield span


def inject_trace_context(headers: MutableMapping[str, str]) -> None:
    """Add traceparent (and tracestate) for the current span to a request's headers."""
    propagate.inject(headers)


def record_outcome(span: Span, status: int | None, outcome: str) -> None:
    if status is not None:
        span.set_attribute("http.response.status_code", status)
    if outcome != "success":
        span.set_attribute("error.type", outcome)
        span.set_status(Status(StatusCode.ERROR))
