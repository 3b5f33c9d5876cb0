"""The SERVICE_AUTH_TOKEN setting for your backend (pydantic-settings).

Either copy the field and `hide_input_in_errors=True` into your own Settings class, or let that class
inherit from ServiceAuthSettings. Then connect `configured_service_token()` in dependencies.py to it.
"""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceAuthSettings(BaseSettings):
    # Without it a validation error would print the rejected value: here, a secret.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    # The token the MCP server sends as `Authorization: Bearer ...`; `mcpgen keygen` makes one.
    # Unset: only users' own tokens are accepted. Set but shorter than 32 characters (or empty): the
    # backend refuses to start. SecretStr keeps it out of reprs and logs.
    SERVICE_AUTH_TOKEN: SecretStr | None = Field(default=None, min_length=32)
