"""The navigation: which menu entries an account sees depends on its roles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.permissions import has_data_role, is_admin, is_auditor

# (url name, label, check): later apps append their own entries here.
NAVIGATION = [
    ("home", _("Home"), lambda u: True),
    ("jurisdiction-list", _("Areas"), has_data_role),
    ("organisation-list", _("Organisations"), is_admin),
    ("account-list", _("Accounts"), is_admin),
    ("audit-list", _("Audit log"), is_auditor),
    ("outbox", _("Outbox"), is_admin),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for name, label, check in NAVIGATION:
        if check(user):
            url = reverse(name)
            active = path == url if name == "home" else path.startswith(url)
            items.append({"url": url, "label": label, "active": active})
    return {"nav_items": items}
