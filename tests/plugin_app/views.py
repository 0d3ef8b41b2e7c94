from django.http import HttpResponse

from ranan.core.permissions import requires

SEEN: list = []


@requires("plugin_app.use")
def home(request):
    return HttpResponse("plugin")


def home_panel(request, obj):
    return {"who": request.user.username}


def customer_panel(request, customer):
    return {"name": customer.name}


def demo(world):
    SEEN.append(("demo", sorted(world)))


def on_findings(findings):
    SEEN.append(("findings", len(findings)))
