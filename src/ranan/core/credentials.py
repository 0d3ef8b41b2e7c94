"""Credentials (issue 16 item 9): what revokes sessions and tokens, the password policy, who
needs the second factor.

A password change or reset, a deactivation and a re-enabling move the account's
`session_epoch` (part of its session hash, `Account._get_session_auth_hash`), so every session
opened before ends at its next request, and delete its API tokens (knox). This is a signal on
the model, so every path that saves an account (the account page, the API, the own password
change, Django's admin, a management command) revokes alike.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core.models import Account

_WATCHED = {"password", "is_active"}


def dengbao3() -> bool:
    return getattr(settings, "RANAN_SECURITY_PROFILE", "standard") == "dengbao3"


# --- Revocation ---------------------------------------------------------------------------------


@receiver(pre_save, sender=Account)
def _note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if instance._state.adding or instance.pk is None:
        if instance.password_changed_at is None:
            instance.password_changed_at = timezone.now()
        return
    if update_fields is not None and not _WATCHED.intersection(update_fields):
        return  # e.g. last_login at each login: no extra query
    old = Account.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    # Django re-hashes a password when its hasher changes (check_password's setter, which
    # clears _password): the same password, not a change.
    password_changed = old["password"] != instance.password and getattr(
        instance, "_password", None) is not None
    instance._credentials_changed = password_changed or old["is_active"] != instance.is_active
    instance._password_changed = password_changed


@receiver(post_save, sender=Account)
def _revoke_on_credential_change(sender, instance, created=False, raw=False, **kwargs):
    if raw or created or not getattr(instance, "_credentials_changed", False):
        return
    from knox.models import get_token_model

    fields: dict = {"session_epoch": F("session_epoch") + 1}
    if instance._password_changed:
        fields["password_changed_at"] = timezone.now()
    Account.objects.filter(pk=instance.pk).update(**fields)
    instance.refresh_from_db(fields=["session_epoch", "password_changed_at"])
    get_token_model().objects.filter(user=instance).delete()
    instance._credentials_changed = instance._password_changed = False


# --- Password policy ----------------------------------------------------------------------------

_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"),
            re.compile(r"[^a-zA-Z0-9]"))


class CompositionValidator:
    """Under the dengbao3 profile: at least 3 of the 4 classes lower case, upper case, digit,
    symbol (GB/T 22239-2019 8.1.4.1 a). Nothing under the standard profile (length and the
    common-password list apply always, through Django's validators)."""

    required = 3

    def validate(self, password, user=None):
        if not dengbao3():
            return
        if sum(1 for c in _CLASSES if c.search(password)) < self.required:
            raise ValidationError(
                _("The password must mix at least three of: lower-case letters, upper-case "
                  "letters, digits, symbols."), code="password_too_simple")

    def get_help_text(self):
        if not dengbao3():
            return ""
        return _("Mix at least three of: lower-case letters, upper-case letters, digits, symbols.")


def password_expired(user) -> bool:
    """Under dengbao3: the password is older than PASSWORD_MAX_AGE_DAYS (an account from
    before the field existed counts from when it joined)."""
    if not dengbao3() or not getattr(user, "is_authenticated", False):
        return False
    changed = user.password_changed_at or user.date_joined
    if changed is None:
        return False
    age = datetime.timedelta(days=getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
    return timezone.now() - changed > age


# --- Second factor ------------------------------------------------------------------------------


def privileged(user) -> bool:
    """The accounts that must use the second factor under dengbao3."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or bool(user.roles & set(settings.RANAN_OTP_ROLES))


def otp_required(user) -> bool:
    return dengbao3() and privileged(user)


def has_totp(user) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def match_code(user, code: str):
    """The device (the authenticator app, else a recovery code, used up) that accepts `code`,
    or None. django-otp throttles repeated failures per device."""
    from django_otp import match_token

    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > 16:
        return None
    return match_token(user, code)
