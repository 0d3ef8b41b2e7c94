"""API token authentication: knox's hashed tokens, with an explicit 'expired' answer."""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions


class ExpiringTokenAuthentication(TokenAuthentication):
    """One query per request: the token by its key and digest, with its account, the
    account's organisation and its roles (which the permission and scoping rules read
    next). knox's own check reads the token twice and every other token of the account to
    delete the expired ones; here an expired token is deleted when it is presented, and the
    account's others at its next login (`TokenView`)."""

    def authenticate_credentials(self, token):
        text = token.decode("utf-8")
        try:
            digest = hash_token(text)
        except (TypeError, ValueError):
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token") from None
        # One row per role of the account (a LEFT JOIN: none is one row with role None).
        rows = list(get_token_model().objects.select_related("user", "user__organisation")
                    .filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH], digest=digest)
                    .annotate(role=F("user__role_rows__role")))
        row = rows[0] if rows else None
        if row is None or not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="invalid_token")
        row.user.__dict__["roles"] = frozenset(r.role for r in rows if r.role)  # Account.roles
        if row.expiry is not None and row.expiry < timezone.now():
            row.delete()
            raise exceptions.AuthenticationFailed(
                _("The token has expired: ask for a new one."), code="token_expired"
            )
        if knox_settings.AUTO_REFRESH and row.expiry:
            self.renew_token(row)
        return row.user, row


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """How the token is sent, for the OpenAPI schema (and the docs' Authorize button)."""

    target_class = "ranan.core.api_auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>`, the token from POST /api/v1/auth/token"}
