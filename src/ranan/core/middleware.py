from django.conf import settings
from django.utils import translation


class AccountLanguageMiddleware:
    """Chinese first: the language is the account's saved choice, else the language cookie
    set by the switch, else LANGUAGE_CODE (zh-hans). The browser's Accept-Language is not
    consulted: a station's shared PC with an English Windows still shows Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = settings.LANGUAGE_CODE
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and user.language in self.supported:
            language = user.language
        elif cookie in self.supported:
            language = cookie
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
