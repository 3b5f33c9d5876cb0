"""The MCP server package."""
