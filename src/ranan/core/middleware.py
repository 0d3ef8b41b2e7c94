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


LAST_SEEN = "ranan_last_seen"
STARTED = "ranan_started"


def start_session(session) -> None:
    """Note a new login's start and activity in its session (called on user_logged_in)."""
    import time

    now = int(time.time())
    session[STARTED] = now
    session[LAST_SEEN] = now


def _json_error(code: str, message: str, status: int):
    from django.http import JsonResponse

    return JsonResponse({"errors": [{"field": None, "code": code, "message": message}]},
                        status=status)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SessionSecurityMiddleware:
    """For a signed-in session (issue 16 item 9), in this order:

    1. Idle timeout: a session unused for SESSION_IDLE_MINUTES is logged out (pages: back to
       the login page with a message; the API with session auth: 401 JSON). The absolute
       limit stays SESSION_COOKIE_AGE from the session's first request (checked here too:
       each write of the session moves its cookie's expiry). The last activity is written at
       most once a minute.
    2. Under the dengbao3 profile, a privileged account (core.credentials.privileged) that has
       not passed the second factor in this session sees only the verify / enrol pages.
    3. Under dengbao3, an account whose password is too old sees only the change page.

    API requests with a token carry no session: TokenView asks for the code instead."""

    WRITE_EVERY = 60  # seconds between writes of the last activity

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def exempt(self, request) -> bool:
        if self._exempt is None:
            from django.urls import reverse

            names = ["login", "logout", "otp-verify", "otp-enrol", "password-change",
                     "switch-language"]
            self._exempt = tuple(reverse(n) for n in names)
        return request.path in self._exempt  # static files never get here (whitenoise)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        answer = self.idle(request) or self.gate(request, user)
        return answer or self.get_response(request)

    def idle(self, request):
        import time

        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.utils.translation import gettext as _

        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        started = request.session.get(STARTED)
        limit = settings.SESSION_IDLE_MINUTES * 60
        # Writing the session moves its cookie's expiry: the absolute limit is kept here.
        too_old = isinstance(started, int) and now - started > settings.SESSION_COOKIE_AGE
        if too_old or (isinstance(last, int) and limit > 0 and now - last > limit):
            logout(request)
            message = _("Your session has expired: log in again.") if too_old else _(
                "You were logged out after %(minutes)d minutes without activity.") % {
                "minutes": settings.SESSION_IDLE_MINUTES}
            if _is_api(request):
                return _json_error("session_idle", message, 401)
            messages.info(request, message)
            return redirect_to_login(request.get_full_path())
        if not isinstance(started, int):
            request.session[STARTED] = now
        if not isinstance(last, int) or now - last >= self.WRITE_EVERY:
            request.session[LAST_SEEN] = now
        return None

    def gate(self, request, user):
        from django.shortcuts import redirect
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        from ranan.core import credentials

        if not credentials.dengbao3() or self.exempt(request):
            return None
        if credentials.otp_required(user) and not user.is_verified():
            if _is_api(request):
                return _json_error("otp_required", _(
                    "Verify your second factor (authenticator code) first."), 403)
            target = "otp-verify" if credentials.has_totp(user) else "otp-enrol"
            return redirect(f"{_reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if credentials.password_expired(user):
            if _is_api(request):
                return _json_error("password_expired", _(
                    "Your password has expired: change it first."), 403)
            return redirect(f"{_reverse('password-change')}?"
                            f"{urlencode({'next': request.get_full_path()})}")
        return None


def _reverse(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
