"""The navigation: the menu entries the installed apps declare (`ranan.core.contract`), those
whose capability the account holds and which concern its organisation's kind, in their declared
order."""

from django.urls import reverse

from ranan.core import contract


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for entry in contract.navigation():
        if entry.shows_to(user):
            url = reverse(entry.url_name)
            active = path == url if entry.url_name == "home" else path.startswith(url)
            items.append({"url": url, "label": entry.label, "active": active,
                          "name": entry.url_name})
    return {"nav_items": items}
