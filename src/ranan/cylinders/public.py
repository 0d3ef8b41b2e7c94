"""The public page of a cylinder (`/c/<code>`): what a resident sees when scanning the QR
code. No login, no personal data, no script; in Chinese, English or Tibetan.

The language (issue 15 item 9): `?lang=` when the reader chose one with the page's links;
else the choice already made in Ranan (a signed-in account's language, the language cookie
of the switch); else the browser's Accept-Language among the three; else Chinese. The staff
pages keep Chinese whatever the browser asks (core.middleware); a resident's phone set to
Tibetan or English is asked nothing. Tibetan text is drawn in the bundled Noto Serif Tibetan
(docs/decisions/0004-tibetan-font.md), so it reads on a phone without a Tibetan font.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import cache_control

from ranan.cylinders import codes, selectors
from ranan.cylinders.models import Cylinder

PUBLIC_LANGUAGES = ("zh-hans", "en", "bo")
LANGUAGE_NAMES = {"zh-hans": "中文", "en": "English", "bo": "བོད་ཡིག"}
# Browser tags that mean one of the three (zh-CN, zh-SG, zh-Hans-CN: simplified Chinese).
_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "bo-cn": "bo",
            "bo-in": "bo", "en-us": "en", "en-gb": "en"}


def browser_language(header: str) -> str | None:
    """The first of the public page's languages the Accept-Language header asks for (in
    its order of preference), or None. Traditional Chinese (zh-TW, zh-HK, zh-Hant) reads
    simplified better than English: it maps to zh-hans too."""
    for tag, _quality in parse_accept_lang_header(header or ""):
        tag = tag.lower()
        for candidate in (tag, _ALIASES.get(tag), tag.split("-")[0], _ALIASES.get(
                tag.split("-")[0])):
            if candidate in PUBLIC_LANGUAGES:
                return candidate
    return None


def chosen_language(request) -> str | None:
    """A language the reader chose in Ranan: `?lang=`, the account's, the switch's cookie."""
    asked = request.GET.get("lang")
    if asked in PUBLIC_LANGUAGES:
        return asked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in PUBLIC_LANGUAGES:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in PUBLIC_LANGUAGES else None


def public_language(request) -> str:
    return (chosen_language(request)
            or browser_language(request.headers.get("Accept-Language", ""))
            or settings.LANGUAGE_CODE)


@cache_control(max_age=60, public=True)
def public_page(request, code):
    lang = public_language(request)
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    response = _page(request, code)
    # The same URL answers in the browser's language: a cache must keep one copy per language.
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    response.headers["Content-Language"] = lang
    return response


def _page(request, code):
    cylinder = None
    clean = codes.normalise(code)
    if codes.check_ok(clean):
        cylinder = (Cylinder.objects.select_related("type", "station")
                    .filter(code=clean).first())
    context = {"code": code[:20], "languages": PUBLIC_LANGUAGES, "language_names": LANGUAGE_NAMES}
    if cylinder is None:
        return render(request, "cylinders/public.html", context, status=404)
    today = timezone.localdate()
    fillings = (cylinder.events.filter(kind="filled").select_related("station")
                .order_by("-at")[:10])
    context.update({
        "cylinder": cylinder, "fillings": fillings,
        "station_phone": selectors.station_phone(cylinder.station),
        "past_scrap": today >= cylinder.scrap_on,
        "overdue": today > cylinder.next_inspection_due,
    })
    return render(request, "cylinders/public.html", context)
