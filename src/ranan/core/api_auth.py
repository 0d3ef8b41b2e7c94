"""API token authentication: knox's hashed tokens, with an explicit 'expired' answer."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS
from rest_framework import exceptions


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token):
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, ValueError):
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token") from None
        row = get_token_model().objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH], digest=digest
        ).first()
        if row is not None and row.expiry is not None and row.expiry < timezone.now():
            row.delete()
            raise exceptions.AuthenticationFailed(
                _("The token has expired: ask for a new one."), code="token_expired"
            )
        try:
            return super().authenticate_credentials(token)
        except exceptions.AuthenticationFailed as exc:
            raise exceptions.AuthenticationFailed(str(exc.detail), code="invalid_token") from None


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """How the token is sent, for the OpenAPI schema (and the docs' Authorize button)."""

    target_class = "ranan.core.api_auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>`, the token from POST /api/v1/auth/token"}
