"""The navigation: the menu entries the installed apps declare (`ranan.core.contract`), those
whose capability the account holds, in their declared order."""

from django.urls import reverse

from ranan.core import contract
from ranan.core.permissions import can


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for entry in contract.navigation():
        if entry.capability is None or can(user, entry.capability):
            url = reverse(entry.url_name)
            active = path == url if entry.url_name == "home" else path.startswith(url)
            items.append({"url": url, "label": entry.label, "active": active})
    return {"nav_items": items}
