"""API token authentication: knox's hashed tokens, with an explicit 'expired' answer."""

from django.utils import timezone
from django.utils.translation import gettext as _
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
