"""Pattern 4 dual authentication: a user's own JWT, or the service token acting for the user in X-User-ID."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .config import Settings

bearer = HTTPBearer(
    auto_error=False,  # so a missing token gets our 401 with WWW-Authenticate
    bearerFormat="JWT",
    description="A user's JWT, or the service token together with the X-User-ID header.",
)


@dataclass(frozen=True)
class Caller:
    user_id: str
    organization_id: str | None
    via_service: bool


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def _is_service_token(token: str, settings: Settings) -> bool:
    expected = settings.service_auth_token
    return expected is not None and hmac.compare_digest(token.encode(), expected.encode())


def _user_claims(token: str, settings: Settings) -> dict:
    keys = {"HS256": settings.jwt_secret, "RS256": settings.jwt_public_key}
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        key = keys.get(algorithm)
        if not key:
            raise _unauthorized("Invalid token")
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],  # pinned to the key's kind: no alg confusion
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp"], "verify_aud": settings.jwt_audience is not None},
        )
    except jwt.PyJWTError as exc:
        raise _unauthorized("Invalid token") from exc


def get_current_user_or_service(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    x_user_id: Annotated[
        str | None,
        Header(
            alias="X-User-ID",
            max_length=128,
            description="The user a service acts for: required with the service token, ignored with a JWT.",
        ),
    ] = None,
    x_organization_id: Annotated[
        str | None,
        Header(
            alias="X-Organization-ID",
            max_length=128,
            description="The user's organisation, sent by a service. Ignored with a user JWT.",
        ),
    ] = None,
) -> Caller:
    if credentials is None:
        raise _unauthorized("Not authenticated")
    settings: Settings = request.app.state.settings
    token = credentials.credentials
    if _is_service_token(token, settings):
        user_id = (x_user_id or "").strip()
        if not user_id:
            raise _unauthorized("The service token must be sent with an X-User-ID header")
        return Caller(user_id=user_id, organization_id=x_organization_id or None, via_service=True)
    # Identity headers are only trusted from the service: a user cannot claim to be someone else.
    claims = _user_claims(token, settings)
    user_id, org = str(claims["sub"]).strip(), claims.get("org_id")
    if not user_id:
        raise _unauthorized("Invalid token")
    return Caller(user_id=user_id, organization_id=str(org) if org else None, via_service=False)


CurrentCaller = Annotated[Caller, Depends(get_current_user_or_service)]
