from django.http import HttpResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.permissions import Requires, requires

SEEN: list = []


@requires("plugin_app.use")
def home(request):
    return HttpResponse("plugin")


class PluginApi(APIView):
    permission_classes = [Requires("plugin_app.use")]

    def get(self, request):
        return Response({"who": request.user.username})


def home_panel(request, obj):
    return {"who": request.user.username}


def customer_panel(request, customer):
    return {"name": customer.name}


def demo(world):
    SEEN.append(("demo", sorted(world)))


def on_findings(findings):
    SEEN.append(("findings", len(findings)))
