"""Request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


def _not_blank(value: str) -> str:
    # min_length in the schema cannot say "not only spaces"; this is checked here and answered with a 422.
    value = value.strip()
    if not value:
        raise ValueError("title must not be blank")
    return value


Title = Annotated[
    str,
    Field(min_length=1, max_length=200, description="A short title.", examples=["Buy milk"]),
    AfterValidator(_not_blank),
]
Description = Annotated[str, Field(max_length=2000, description="Free text details.")]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    priority: Priority = Field(Priority.medium, description="How urgent the task is.")
    due_date: date | None = Field(None, description="The day the task is due (YYYY-MM-DD).")


class TaskUpdate(BaseModel):
    """A partial update: fields left out (or null) keep their value."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    priority: Priority | None = None
    due_date: date | None = None


class Task(BaseModel):
    id: int = Field(description="The task's id.")
    title: str
    description: str | None = None
    priority: Priority
    due_date: date | None = None
    completed: bool = False
    owner_id: str = Field(description="The user who owns the task.")
    organization_id: str | None = Field(None, description="The owner's organisation, when known.")
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
