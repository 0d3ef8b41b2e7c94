"""Error pages. Under /api/ every error answers in the API's one JSON format."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "code": "not_found",
                                         "message": _("Not found.")}]}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "code": "permission_denied",
                                         "message": _("You do not have permission to do this.")}]},
                            status=403)
    return render(request, "403.html", status=403)
