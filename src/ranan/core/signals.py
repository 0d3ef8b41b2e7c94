"""Logins, failed logins and logouts go to the audit log, from pages and the API alike."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.test.signals import setting_changed

from ranan.core import audit
from ranan.core.choices import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        # The idle and absolute limits start at login, so the first page does not write the
        # session again (core.middleware.SessionSecurityMiddleware).
        from ranan.core.middleware import start_session

        start_session(session)
    audit.record(actor=user, action=AuditAction.LOGIN, instance=user,
                 ip_address=audit.client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=AuditAction.LOGOUT, instance=user,
                     ip_address=audit.client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit.record(actor=None, actor_username=username, action=AuditAction.LOGIN_FAILED,
                 model="core.account", ip_address=audit.client_ip(request))


@receiver(setting_changed)
def _forget_the_contract(sender, setting, **kwargs):
    """A test that changes the installed apps sees their declarations, not the cached ones."""
    if setting == "INSTALLED_APPS":
        from ranan.core import contract

        contract.clear()
