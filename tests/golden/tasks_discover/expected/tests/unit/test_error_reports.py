"""A backend's error answer reaches the assistant as what helps it: the status, a short message and the
fields at fault. Stack traces, HTML pages and credentials (connection strings included) stay behind."""

import pytest

from src.client import get_backend
from src.config import get_settings
from src.identity import current_caller
from src.invoke import Operation
from src.schemas.errors import MAX_BODY_CHARS, BackendError, error_from_status

GET_THING = Operation(tool="get_thing", method="GET", path="/things/{thing_id}")
DSN = "postgresql://app:hunter2-db-password@db.internal:5432/prod"

PYTHON_TRACE = f"""Internal Server Error
Traceback (most recent call last):
  File "/srv/app/db.py", line 12, in connect
    engine = create_engine("{DSN}")
sqlalchemy.exc.OperationalError: could not connect to {DSN}
"""
JAVA_TRACE = """Request processing failed
java.lang.IllegalStateException: pool exhausted for jdbc:postgresql://db.internal/prod?password=s3cr3t-value
\tat com.example.Pool.borrow(Pool.java:88)
\tat com.example.Api.handle(Api.java:12)
"""
HTML_PAGE = """<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1><hr><center>nginx/1.25.3 at 10.0.3.7</center></body></html>"""


def report(status: int, body: str, payload: object = None) -> dict:
    error = error_from_status(status, body, payload, method="GET", endpoint="/things/1")
    return {"message": error.message, **error.details}


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (PYTHON_TRACE, "Internal Server Error (stack trace left out)"),
        (
            JAVA_TRACE,
            "Request processing failed java.lang.IllegalStateException: pool exhausted for "
            "jdbc:postgresql://db.internal/prod?password=[REDACTED] (stack trace left out)",
        ),
    ],
)
def test_a_stack_trace_is_left_out(body, shown):
    assert report(500, body)["backend_body"] == shown


def test_an_html_error_page_is_reduced_to_its_title():
    assert report(502, HTML_PAGE)["backend_body"] == "502 Bad Gateway"


def test_a_connection_string_in_a_message_loses_its_password():
    details = report(500, "", {"detail": f"cannot reach {DSN}"})

    assert "hunter2" not in details["backend_message"]
    assert "postgresql://app:[REDACTED]@db.internal:5432/prod" in details["backend_message"]
    assert "hunter2" not in details["message"]


def test_a_message_that_carries_a_trace_keeps_only_its_first_words():
    details = report(500, "", {"detail": PYTHON_TRACE})

    assert details["backend_message"] == "Internal Server Error (stack trace left out)"


def test_fastapi_field_errors_keep_field_and_message_only():
    detail = [
        {
            "type": "missing",
            "loc": ["body", "title"],
            "msg": "Field required",
            "input": {"secret": "x"},
            "url": "https://errors.pydantic.dev/2/v/missing",
        }
    ]

    details = report(422, "", {"detail": detail})

    assert details["fields"] == [
        {"field": "title", "location": "body", "message": "Field required", "type": "missing"}
    ]


def test_a_long_plain_body_is_cut_to_one_short_line():
    shown = report(500, "first line\n" + "more text " * 500)["backend_body"]

    assert shown.startswith("first line more text")
    assert "\n" not in shown
    assert len(shown) < MAX_BODY_CHARS + 40


async def test_through_the_client_no_trace_or_password_reaches_the_error(backend_mock):
    for _ in range(3):
        backend_mock.reply(500, text=PYTHON_TRACE)

    with pytest.raises(BackendError) as caught:
        await get_backend().send(GET_THING, current_caller(get_settings()), path={"thing_id": 1})

    text = caught.value.to_response().model_dump_json()
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert caught.value.details["backend_body"] == "Internal Server Error (stack trace left out)"
