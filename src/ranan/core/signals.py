"""Logins, failed logins and logouts go to the audit log, from pages and the API alike."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ranan.core import audit
from ranan.core.choices import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
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
