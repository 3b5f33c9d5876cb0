"""Print the app's OpenAPI document: `python -m todo_backend.export_openapi > openapi.json`."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from .app import create_app
from .config import Settings


def openapi() -> dict:
    # The document does not depend on settings; a throwaway store keeps the export free of side effects.
    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Settings(db_path=Path(tmp) / "tasks.json")).openapi()


def main() -> None:
    json.dump(openapi(), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
