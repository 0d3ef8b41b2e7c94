"""Who may do what: one table of role -> capabilities (each app declares its rows in its
AppConfig, `ranan.core.contract`), checked by one helper in services, views and the API.

    can(user, "hazards.work")              # a bool, for menus and buttons
    require(user, "hazards.work")          # PermissionDenied (403) when not
    @requires("delivery.manage")           # a page; the generic access test reads it
    permission_classes = [Requires("delivery.order")]   # an API view (read: safe methods)

Which rows an account sees is the other half, `Model.objects.visible_to(user)`: an object out
of scope is a 404, never a 403.
"""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ranan.core import contract


def can(user, capability: str) -> bool:
    grant = contract.capabilities()[capability]  # KeyError: a capability nobody declared
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser and grant.superuser:
        return True
    return bool(user.roles & grant.roles)


def may_open(user, url: str | None) -> bool:
    """Whether the page at `url` (a path of this site) lets `user` in, as far as the
    capability it declares with @requires says: a link is shown only where it leads
    somewhere, never to a 403 (issue 15). A path no view answers is left to its 404."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    if not url:
        return False
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return True
    capability = getattr(match.func, "capability", None)
    return capability is None or can(user, capability)


def require(user, capability: str, message: str | None = None) -> None:
    """PermissionDenied (a 403; `message` says why, e.g. from a service) unless `user` holds
    `capability`."""
    if not can(user, capability):
        raise PermissionDenied(*([message] if message else []))


def requires(capability: str):
    """A page needing `capability` (login is checked first: an anonymous visitor is sent to
    the login page, a signed-in account without it gets 403)."""
    from django.contrib.auth.decorators import login_required

    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            require(request.user, capability)
            return view(request, *args, **kwargs)

        # Read by the generic access test.
        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorate


def Requires(capability: str, write: str | None = None,  # noqa: N802 (reads like a class)
             message: str | None = None):
    """A DRF permission class: `capability` to read (safe methods), `write` (default the
    same) to change; `message` is the 403's text (DRF's generic one by default)."""

    class _Requires(BasePermission):
        write_capability: str

        def has_permission(self, request, view):
            needed = capability if request.method in SAFE_METHODS else (write or capability)
            return can(request.user, needed)

    _Requires.capability = capability  # type: ignore[attr-defined]
    _Requires.write_capability = write or capability
    if message is not None:
        _Requires.message = message  # type: ignore[attr-defined]  # DRF's 403 text (a lazy translation is fine)
    _Requires.__name__ = f"Requires({capability!r}, {write!r})"
    return _Requires


# The platform's own rows, used everywhere: shorthands over the table.
def is_admin(user) -> bool:
    return can(user, "core.admin")


def is_auditor(user) -> bool:
    return can(user, "core.audit")


def has_data_role(user) -> bool:
    return can(user, "core.data")


ReadDataWriteAdmin = Requires("core.data", write="core.admin")
AdminOnly = Requires("core.admin")
AuditorOnly = Requires("core.audit")
