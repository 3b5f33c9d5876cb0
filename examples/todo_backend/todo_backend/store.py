"""Tasks kept in memory and written through to a JSON file, so a restarted backend keeps them.

Every lookup takes the owner: another user's task is indistinguishable from a missing one.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from .models import Task, TaskCreate, TaskUpdate


def _now() -> datetime:
    return datetime.now(UTC)


class TaskStore:
    def __init__(self, path: Path):
        self._path = path
        self._lock = threading.Lock()
        self._tasks: dict[int, Task] = {}
        self._next_id = 1
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self._tasks = {t.id: t for t in (Task.model_validate(raw) for raw in data["tasks"])}
            self._next_id = data["next_id"]

    def list(self, owner_id: str) -> list[Task]:
        with self._lock:
            return [t for t in self._tasks.values() if t.owner_id == owner_id]

    def get(self, owner_id: str, task_id: int) -> Task | None:
        with self._lock:
            return self._owned(owner_id, task_id)

    def create(self, owner_id: str, organization_id: str | None, new: TaskCreate) -> Task:
        with self._lock:
            now = _now()
            task = Task(
                id=self._next_id,
                owner_id=owner_id,
                organization_id=organization_id,
                created_at=now,
                updated_at=now,
                **new.model_dump(),
            )
            self._tasks[task.id] = task
            self._next_id += 1
            self._save()
            return task

    def update(self, owner_id: str, task_id: int, changes: TaskUpdate) -> Task | None:
        return self._change(owner_id, task_id, changes.model_dump(exclude_none=True))

    def complete(self, owner_id: str, task_id: int) -> Task | None:
        return self._change(owner_id, task_id, {"completed": True}, completing=True)

    def delete(self, owner_id: str, task_id: int) -> bool:
        with self._lock:
            if self._owned(owner_id, task_id) is None:
                return False
            del self._tasks[task_id]
            self._save()
            return True

    def _change(self, owner_id: str, task_id: int, fields: dict, completing: bool = False) -> Task | None:
        with self._lock:
            task = self._owned(owner_id, task_id)
            if task is None:
                return None
            now = _now()
            if completing and not task.completed:
                fields["completed_at"] = now
            task = task.model_copy(update={**fields, "updated_at": now})
            self._tasks[task_id] = task
            self._save()
            return task

    def _owned(self, owner_id: str, task_id: int) -> Task | None:
        task = self._tasks.get(task_id)
        return task if task is not None and task.owner_id == owner_id else None

    def _save(self) -> None:
        # Write then rename, so a backend killed mid-write leaves the previous file intact.
        data = {"next_id": self._next_id, "tasks": [t.model_dump(mode="json") for t in self._tasks.values()]}
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_name(self._path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self._path)
