"""A small todo API whose every route accepts a user's JWT or the service token plus X-User-ID (Pattern 4).

Run it with `uvicorn todo_backend.app:create_app --factory`; settings come from the environment
(see config.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, status

from .auth import CurrentCaller
from .config import Settings
from .models import Priority, Task, TaskCreate, TaskUpdate
from .store import TaskStore

TaskId = Annotated[int, Path(ge=1, description="The task's id.")]
NOT_FOUND = {404: {"description": "No such task, or it belongs to another user."}}


def _not_found() -> HTTPException:
    # The same answer whether the task is missing or someone else's, so ids leak nothing.
    return HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")


def _found(task: Task | None) -> Task:
    if task is None:
        raise _not_found()
    return task


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="Todo API",
        version="1.0.0",
        description="Personal task lists. Each task belongs to one user; users never see each other's tasks.",
    )
    app.state.settings = settings
    app.state.store = TaskStore(settings.db_path)
    app.include_router(_routes(app.state.store))

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _routes(store: TaskStore) -> APIRouter:
    router = APIRouter(prefix="/tasks", tags=["tasks"])

    @router.get("", operation_id="list_tasks", summary="List my tasks")
    def list_tasks(
        caller: CurrentCaller,
        completed: Annotated[bool | None, Query(description="Only tasks with this completion state.")] = None,
        priority: Annotated[Priority | None, Query(description="Only tasks with this priority.")] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="At most this many tasks.")] = 100,
    ) -> list[Task]:
        """The caller's tasks, oldest first, optionally filtered."""
        tasks = store.list(caller.user_id)
        if completed is not None:
            tasks = [t for t in tasks if t.completed == completed]
        if priority is not None:
            tasks = [t for t in tasks if t.priority == priority]
        return tasks[:limit]

    @router.post("", operation_id="create_task", summary="Create a task", status_code=status.HTTP_201_CREATED)
    def create_task(caller: CurrentCaller, body: TaskCreate) -> Task:
        """Create a task owned by the caller."""
        return store.create(caller.user_id, caller.organization_id, body)

    @router.get("/{task_id}", operation_id="get_task", summary="Get one task", responses=NOT_FOUND)
    def get_task(caller: CurrentCaller, task_id: TaskId) -> Task:
        """One of the caller's tasks, by id."""
        return _found(store.get(caller.user_id, task_id))

    @router.patch(
        "/{task_id}", operation_id="update_task", summary="Change a task's fields", responses=NOT_FOUND
    )
    def update_task(caller: CurrentCaller, task_id: TaskId, body: TaskUpdate) -> Task:
        """Change some fields of one of the caller's tasks; fields not given keep their value."""
        return _found(store.update(caller.user_id, task_id, body))

    @router.post(
        "/{task_id}/complete",
        operation_id="mark_completed",
        summary="Mark a task as completed",
        responses=NOT_FOUND,
    )
    def mark_completed(caller: CurrentCaller, task_id: TaskId) -> Task:
        """Mark one of the caller's tasks as done. Completing a completed task changes nothing."""
        return _found(store.complete(caller.user_id, task_id))

    @router.delete(
        "/{task_id}",
        operation_id="delete_task",
        summary="Delete a task",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=NOT_FOUND,
    )
    def delete_task(caller: CurrentCaller, task_id: TaskId) -> None:
        """Delete one of the caller's tasks for good."""
        if not store.delete(caller.user_id, task_id):
            raise _not_found()

    return router
