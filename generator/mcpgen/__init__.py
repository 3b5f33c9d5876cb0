"""mcpgen: generate a standalone FastMCP server project from an OpenAPI spec."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mcpgen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
