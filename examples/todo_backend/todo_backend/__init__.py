"""An example FastAPI backend with Pattern 4 dual authentication, used by mcpgen's end-to-end test."""

from .app import create_app

__all__ = ["create_app"]
