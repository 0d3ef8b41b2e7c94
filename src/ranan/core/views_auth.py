"""Second factor, recovery codes, own password change (issue 16 item 9).

Every page here is for any signed-in account, about itself only (tests/core/test_access.py
lists them as open to any signed-in account). Under the dengbao3 profile a privileged account
is sent here by core.middleware.SessionSecurityMiddleware until it has passed the second
factor in its session (or changed an expired password).
"""

from __future__ import annotations

import base64
import secrets

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ranan.core import audit, credentials
from ranan.core.choices import AuditAction
from ranan.core.login_limit import LoginBusy, password_check
from ranan.core.views import LoginView as BaseLoginView

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class CodeForm(forms.Form):
    # Not inputmode=numeric: a recovery code has letters too.
    code = forms.CharField(label=gettext_lazy("Verification code"), max_length=16,
                           widget=forms.TextInput(attrs={
                               "class": "form-control", "autocomplete": "one-time-code",
                               "autocapitalize": "none", "autofocus": True,
                               "data-testid": "otp-code"}))


def _next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse(default)


def _verified(request) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def new_recovery_codes(user) -> list[str]:
    """Replace the account's recovery codes with 10 new ones (each works once)."""
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _record(request, what: str) -> None:
    audit.record(actor=request.user, action=AuditAction.UPDATE, instance=request.user,
                 details={"security": what}, ip_address=audit.client_ip(request))


class LoginView(BaseLoginView):
    """The login page, its password check bounded (core.login_limit): when every slot is
    taken for LOGIN_WAIT_SECONDS the answer is 503 with Retry-After, "busy, retry"."""

    def post(self, request, *args, **kwargs):
        try:
            with password_check():
                return super().post(request, *args, **kwargs)
        except LoginBusy:
            form = self.get_form()
            response = render(request, self.template_name, {
                "form": form, "next": request.POST.get("next", ""), "busy": True}, status=503)
            response["Retry-After"] = str(LoginBusy.retry_after)
            return response


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Login step 2: the code from the authenticator app, or one recovery code."""
    if not credentials.has_totp(request.user):
        return redirect(f"{reverse('otp-enrol')}?next={_next(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = credentials.match_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device__user=request.user).count()
                messages.warning(request, _("Recovery code used: %(left)d left.") % {"left": left})
            return redirect(_next(request))
        form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "core/auth/otp_verify.html", {
        "form": form, "next": _next(request)}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """Set up the authenticator app: a QR code of the otpauth:// address and the secret as
    text; the first code confirms it, then the recovery codes are shown once."""
    if credentials.has_totp(request.user) and not _verified(request):
        return redirect(f"{reverse('otp-verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator",
                                           confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            _record(request, "otp_enrolled")
            return render(request, "core/auth/recovery_codes.html", {
                "codes": new_recovery_codes(request.user), "next": _next(request)})
        form.add_error("code", _("The code is wrong or has expired."))
    return render(request, "core/auth/otp_enrol.html", {
        "form": form, "next": _next(request),
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        "secret": base64.b32encode(device.bin_key).decode(),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; new ones (replacing the old) shown once."""
    if not credentials.has_totp(request.user):
        return redirect("otp-enrol")
    if not _verified(request):
        return redirect(f"{reverse('otp-verify')}?next={request.path}")
    if request.method == "POST":
        _record(request, "recovery_codes_renewed")
        return render(request, "core/auth/recovery_codes.html", {
            "codes": new_recovery_codes(request.user), "next": reverse("account-security")})
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(request, "core/auth/recovery_codes.html", {"codes": None, "left": left})


@login_required
@require_http_methods(["GET", "POST"])
def account_security(request):
    """The account's own page: its second factor (set up, turn off where the profile lets)
    and the password change."""
    user = request.user
    required = credentials.otp_required(user)
    if request.method == "POST" and request.POST.get("action") == "disable_otp":
        if required or not _verified(request):
            messages.error(request, _("The second factor cannot be turned off for this account."))
        else:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            _record(request, "otp_disabled")
            messages.success(request, _("The second factor is off."))
        return redirect("account-security")
    return render(request, "core/auth/security.html", {
        "has_totp": credentials.has_totp(user), "required": required,
        "privileged": credentials.privileged(user), "verified": _verified(request),
        "recovery_left": StaticToken.objects.filter(device__user=user).count(),
        "password_changed_at": user.password_changed_at,
    })


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's own password (the old one first). Other sessions and API tokens end
    (core.credentials); this session stays."""
    form = PasswordChangeForm(request.user, request.POST or None)
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        _record(request, "password_changed")
        messages.success(request, _("Your password has been changed."))
        return redirect(_next(request, "account-security"))
    return render(request, "core/auth/password_change.html", {
        "form": form, "next": _next(request, "account-security"),
        "expired": credentials.password_expired(request.user),
    }, status=400 if form.errors else 200)
