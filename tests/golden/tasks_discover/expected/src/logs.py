"""Structured JSON logs on stderr, with every credential redacted before any handler sees it.Redaction hooks the log record factory rather than a handler, so it also covers records from httpx2,
httpcore2, FastMCP and uvicorn, and any handler added later (a test's capture, an APM agent).
"""

import json
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"

# Shorter secrets are too likely to occur inside ordinary words to be replaced wherever they appear: they are
# replaced where they stand alone, between characters that cannot continue a token (a header dump, a query
# string, a JSON value), which is how a credential appears in a log line.
_MIN_SECRET_LENGTH = 6

# Names under which credentials travel: in key=value text, and as keys of structured log fields.
_CREDENTIAL_NAME = (
    r"(?:api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|password|secret|token)"
)
_CREDENTIAL_KEY = re.compile(rf"(?i)\b(?:{_CREDENTIAL_NAME}|(?:proxy-)?authorization|cookie)\b")

_PATTERNS = (
    # Authorization headers as they appear in dumps, reprs and curl-style traces.
    re.compile(
        r"(?i)(\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token)\s+)?)"
        r"(?!\[REDACTED\])[^\s\"',;}\]]+"
    ),
    re.compile(r"(?i)(\bbearer\s+)(?!\[REDACTED\])[A-Za-z0-9\-._~+/]+=*"),
    # Credential-looking key=value or "key": "value" pairs.
    re.compile(
        rf"(?i)(\b{_CREDENTIAL_NAME}\b[\"']?\s*[:=]\s*[\"']?)(?!\[REDACTED\])[^\s\"'&,;}}\]]+"
    ),
    # The password of a URL's userinfo, as in connection strings: postgresql://app:<password>@db/prod.
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/?#@:\"']*:)(?!\[REDACTED\])[^\s/?#@\"']+(?=@)"),
)
# A JWT anywhere: three base64url segments, the first two JSON objects ("eyJ" is base64 for '{"').
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

_lock = threading.Lock()
_secrets: set[str] = set()
_secrets_pattern: re.Pattern[str] | None = None


def protect(*values: str | None) -> None:
    """Redact these exact values, and their URL-encoded forms, from every log record from now on."""
    global _secrets_pattern
    with _lock:
        for value in values:
            if value:
                _secrets.update({value, quote(value, safe=""), quote_plus(value), quote(value)})
        if _secrets:
            ordered = sorted(_secrets, key=len, reverse=True)
            _secrets_pattern = re.compile("|".join(_secret_pattern(secret) for secret in ordered))


def _secret_pattern(secret: str) -> str:
    if len(secret) >= _MIN_SECRET_LENGTH:
        return re.escape(secret)
    return rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"


def redact(text: str) -> str:
    """`text` with every known secret, bearer token, JWT and credential-looking value replaced."""
    if _secrets_pattern is not None:
        text = _secrets_pattern.sub(REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


def _clean(value: object) -> object:
    """A log argument with secrets removed, keeping its type when it has nothing to hide."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


def _literal_message(record: logging.LogRecord) -> str:
    """A record's format and arguments side by side, for a record whose arguments do not fit its format."""
    try:
        return f"{record.msg} {record.args!r}"
    except Exception:  # an argument whose repr fails: its type is all that can be said
        return f"{record.msg!s:.200} (unprintable arguments)"


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:
        # A logging call whose arguments do not fit its format, typically because text with a "%" (a server
        # name, say) was pasted into the format. Every handler would fail on it, and logging's error report
        # prints the raw arguments, so it is made literal here and then redacted like any other message.
        message = _literal_message(record)
        record.msg, record.args = message, None
    if redact(message) != message:
        # Cleaning argument by argument keeps record.args a tuple for the formatters that unpack it
        # (uvicorn's); when a secret only appears once message and arguments are joined, the joined text goes.
        args = record.args
        if isinstance(args, tuple):
            args = tuple(_clean(value) for value in args)
        elif isinstance(args, dict):
            args = {key: _clean(value) for key, value in args.items()}
        try:
            candidate = str(record.msg) % args if args else None
        except (TypeError, ValueError, KeyError):
            candidate = None
        if candidate is not None and redact(candidate) == candidate:
            record.args = args
        else:
            record.msg, record.args = redact(message), None
    if record.exc_info:
        # Formatters print exc_text when it is set, so the traceback is rendered once here, already clean;
        # the exception object goes, since its arguments may hold what the text no longer shows.
        if not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _install_redaction() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


# On import, so that nothing logged in this process escapes it, whether or not configure_logging ran.
_install_redaction()

# uvicorn adds color_message: the same text with terminal escapes.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


# Their per-request lines repeat the backend call and access records; they are kept for LOG_LEVEL=DEBUG.
_CHATTY = ("httpx2", "httpcore2", "uvicorn.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message and the record's `extra` fields.

    It never fails on a record: a failure would make logging print the record's raw arguments instead.
    """

    def format(self, record: logging.LogRecord) -> str:
        try:
            return self._format(record)
        except Exception as error:
            return json.dumps(
                {
                    "timestamp": _timestamp(record),
                    "level": record.levelname,
                    "logger": record.name,
                    "message": f"a log record could not be formatted ({error.__class__.__name__})",
                }
            )

    def _format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:
            # A record built without the record factory (logging.makeLogRecord) was never made literal.
            message = _literal_message(record)
        entry: dict[str, object] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        entry.update(
            (key, value)
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        # `extra` fields are set after the record factory ran, so every value is checked again; value by
        # value, so that a redaction can never break the JSON around it.
        return json.dumps(_redacted(entry))


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def _redacted(value: object) -> object:
    """A JSON-ready copy of `value` with every text redacted; other objects become their redacted text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            # A field named like a credential (extra={"api_key": ...}) is hidden whatever its value looks like.
            hidden = item and _CREDENTIAL_KEY.search(str(key))
            cleaned[redact(str(key))] = REDACTED if hidden else _redacted(item)
        return cleaned
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return redact(value if isinstance(value, str) else str(value))


class StderrHandler(logging.StreamHandler):
    """stderr, with a failure report that cannot leak: logging's own prints the record's raw arguments."""

    def handleError(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(
                json.dumps(
                    {
                        "timestamp": _timestamp(record),
                        "level": "ERROR",
                        "logger": __name__,
                        "message": f"a log record from {record.name} could not be written",
                    }
                )
                + self.terminator
            )
        except Exception:  # stderr itself is gone: nothing left to report to
            pass


def configure_logging(level: str = "INFO") -> None:
    """Send every log record, as JSON, to stderr (stdout carries the MCP protocol in stdio mode)."""
    handler = StderrHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    for existing in root.handlers[:]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # FastMCP gives its logger a console handler of its own on import; route it through ours instead.
    for name in ("fastmcp", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for existing in logger.handlers[:]:
            logger.removeHandler(existing)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    if level != "DEBUG":
        for name in _CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
