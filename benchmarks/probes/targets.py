"""The MCP servers the probes start: an mcpgen-generated project, or FastMCP.from_openapi over a spec.

Only the generated project's runtime conventions are used (its server module and its settings from the
environment), never mcpgen's own code.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

# Imported before the server is, so that the probe's own imports are the same on every side.
from fastmcp import FastMCP


def generated_server(project: Path) -> FastMCP:
    """The FastMCP instance of a generated project: `src.server` (modular layout) or `main` (monolithic)."""
    if (project / "src" / "server.py").exists():
        module_name = "src.server"
    elif (project / "main.py").exists():
        module_name = "main"
    else:
        raise SystemExit(f"{project} has neither src/server.py nor main.py: not a generated project")
    sys.path.insert(0, str(project))
    module = importlib.import_module(module_name)
    for value in vars(module).values():
        if isinstance(value, FastMCP):
            return value
    raise SystemExit(f"{module_name} in {project} defines no FastMCP instance")


def load_spec(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def first_server_url(spec: dict[str, Any]) -> str:
    servers = spec.get("servers") or []
    url = servers[0].get("url", "") if servers else ""
    return url if url.startswith(("http://", "https://")) else "http://127.0.0.1"


def openapi_server(
    spec_path: Path, base_url: str | None = None, headers: dict[str, str] | None = None
) -> FastMCP:
    """FastMCP's own OpenAPI server for the spec, calling `base_url` (default: the spec's first server)."""
    import httpx2

    spec = load_spec(spec_path)
    client = httpx2.AsyncClient(base_url=base_url or first_server_url(spec), headers=headers or {})
    return FastMCP.from_openapi(openapi_spec=spec, client=client)


def tools_json(tools: list[Any]) -> str:
    """The tools list as a client receives it, as JSON text."""
    return json.dumps([tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools])
