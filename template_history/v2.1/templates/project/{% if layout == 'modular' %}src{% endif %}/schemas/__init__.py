"""Pydantic models: the API's schemas and the error taxonomy."""
