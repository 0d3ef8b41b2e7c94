"""Browser tests: Debian's Chromium, driven by Playwright, against a real `ranan demo` server.

The tests only speak HTTP to a demo server running in a subprocess with its own SQLite file
in a temporary directory: they never touch pytest-django's test database (nothing here is
marked django_db, nothing asks for the `db` fixture), so pytest-django has nothing to block.

Two servers, both started lazily and once per session:

* `demo_server` for every ordinary test;
* `lockout_server` for the login-lockout test alone. django-axes locks an address as well as
  a username after LOGIN_FAILURE_LIMIT failures, and every test comes from 127.0.0.1, so
  failing logins on the shared server would lock every other test out.

Run: .venv/bin/python -m pytest tests/browser -p no:cacheprovider -q
Screenshots land in tests/browser/artifacts/ (ignored by git).

Each server listens on a free port of 127.0.0.1 that the system picks; set
RANAN_BROWSER_PORTS=8700-8799 (a range, or a comma-separated list) to keep them to ports a
firewall or another service leaves free. A port in use there is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
START_TIMEOUT = 120  # seconds for migrate + demo world + runserver to answer /login/
LOGIN_FAILURE_LIMIT = 5
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BROWSER_DIR = Path(__file__).resolve().parent

# CI sets RANAN_REQUIRE_BROWSER=1: there a missing Chromium fails the tests instead of skipping.
REQUIRE_BROWSER = os.environ.get("RANAN_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}

SKIP_REASON = None
if not Path(CHROMIUM).exists():
    SKIP_REASON = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
else:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        SKIP_REASON = "browser tests need the Python playwright package (pip install -e .[test])"


# --- Markers and skipping -----------------------------------------------------------------


def _is_browser_item(item) -> bool:
    return BROWSER_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser/ is a browser test, and is skipped without Chromium
    (unless RANAN_REQUIRE_BROWSER=1, when its fixtures fail with the same reason)."""
    for item in items:
        if not _is_browser_item(item):
            continue
        item.add_marker(pytest.mark.browser)
        if SKIP_REASON and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def _no_browser():
    if REQUIRE_BROWSER:
        pytest.fail(f"RANAN_REQUIRE_BROWSER=1 but {SKIP_REASON}", pytrace=False)
    pytest.skip(SKIP_REASON)


def pytest_report_header(config):
    if SKIP_REASON:
        return [f"browser tests: {'FAIL' if REQUIRE_BROWSER else 'skipped'}: {SKIP_REASON}"]
    lines = [f"browser tests: {CHROMIUM}"]
    if shutil.which("fc-list"):
        zh = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
        if not zh.stdout.strip():
            lines.append("browser tests: no Chinese font installed (fonts-noto-cjk): "
                         "screenshots will show boxes instead of Chinese text")
    return lines


# --- The demo server ------------------------------------------------------------------------


@dataclass
class DemoServer:
    url: str
    var_dir: Path
    process: subprocess.Popen
    log_path: Path
    accounts: dict[str, dict] = field(default_factory=dict)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def password(self, username: str) -> str:
        return self.accounts[username]["password"]


def allowed_ports(spec: str) -> list[int]:
    """RANAN_BROWSER_PORTS as ports: "8700-8799", "8701,8702" or both mixed; "" for any."""
    ports: list[int] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, dash, last = part.partition("-")
        try:
            low, high = int(first), int(last if dash else first)
        except ValueError:
            raise pytest.UsageError(f"RANAN_BROWSER_PORTS: {part!r} is not a port or a range "
                                    "like 8700-8799") from None
        if not (0 < low <= high < 65536):
            raise pytest.UsageError(f"RANAN_BROWSER_PORTS: {part!r} is out of 1-65535")
        ports.extend(range(low, high + 1))
    return ports


def _free_port() -> int:
    spec = os.environ.get("RANAN_BROWSER_PORTS", "")
    candidates = allowed_ports(spec) or [0]
    for candidate in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"RANAN_BROWSER_PORTS={spec}: every port there is in use")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _start_demo_server(var_dir: Path) -> DemoServer:
    port = _free_port()
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "ranan.settings",
        "RANAN_VAR_DIR": str(var_dir),
        # Explicit, so a DATABASE_URL in the parent environment (PostgreSQL) is never used.
        "DATABASE_URL": f"sqlite:///{var_dir / 'browser.sqlite3'}",
        "LOGIN_FAILURE_LIMIT": str(LOGIN_FAILURE_LIMIT),
        "LOGIN_LOCKOUT_MINUTES": "15",
        # Production-like pages: the app's own 404/403 pages, not Django's debug pages.
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
        "PYTHONUNBUFFERED": "1",
    })
    (var_dir / "static").mkdir(exist_ok=True)  # STATIC_ROOT: whitenoise warns when it is missing
    ranan = Path(sys.executable).with_name("ranan")
    command = [str(ranan)] if ranan.exists() else [sys.executable, "-m", "ranan.cli"]
    log_path = var_dir / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen([*command, "demo", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               cwd=var_dir)
    log.close()  # the child holds its own descriptor
    server = DemoServer(url=f"http://127.0.0.1:{port}", var_dir=var_dir, process=process,
                        log_path=log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(f"{server.url}/login/"):
        if process.poll() is not None:
            raise RuntimeError(f"ranan demo exited with {process.returncode}:\n{server.log_tail()}")
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"ranan demo did not answer /login/ within {START_TIMEOUT} s:\n"
                               f"{server.log_tail()}")
        time.sleep(0.25)
    accounts = json.loads((var_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    server.accounts = {a["username"]: a for a in accounts}
    return server


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The shared demo server: never fail a login on it (see the module docstring)."""
    if SKIP_REASON:
        _no_browser()
    server = _start_demo_server(tmp_path_factory.mktemp("ranan-demo"))
    yield server
    _stop(server.process)


@pytest.fixture(scope="session")
def lockout_server(tmp_path_factory):
    """A second, separate demo server on which the lockout test may lock 127.0.0.1 out."""
    if SKIP_REASON:
        _no_browser()
    server = _start_demo_server(tmp_path_factory.mktemp("ranan-lockout"))
    yield server
    _stop(server.process)


# --- The browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    if SKIP_REASON:
        _no_browser()
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, demo_server):
    """new_page(server=demo_server, viewport=DESKTOP, locale="zh-CN") -> a page in a fresh
    context (no cookies) whose relative URLs go to the server.

    The browser asks for Chinese (Accept-Language zh-CN), like the app's users; a Chromium
    left to itself would ask for en-US and Django would answer in English.
    """
    contexts = []

    def make(server: DemoServer | None = None, *, viewport=None, locale="zh-CN", **options):
        server = server or demo_server
        context = browser.new_context(base_url=server.url, viewport=viewport or DESKTOP,
                                      locale=locale, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page on the shared demo server."""
    return new_page()


def _login(page, username: str, password: str):
    """Fill and send the login form; return the response to the POST."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.rstrip("/").endswith("/login")
    ) as response_info:
        page.click("form:has(#id_username) button[type=submit]")
    page.wait_for_load_state()
    return response_info.value


@pytest.fixture
def login(demo_server):
    """login(page, username[, password]): log in through the form and land on the home page."""

    def do_login(page, username: str, password: str | None = None):
        response = _login(page, username, password or demo_server.password(username))
        page.wait_for_url(lambda url: not url.rstrip("/").endswith("/login"))
        assert page.locator("[data-testid=role]").count() == 1, (
            f"{username} did not reach the home page (status {response.status})")
        return page

    return do_login


@pytest.fixture
def attempt_login():
    """attempt_login(page, username, password) -> response: one try, whatever its outcome."""
    return _login


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- The API, for looking up ids ---------------------------------------------------------------


@pytest.fixture(scope="session")
def api(demo_server):
    """api(path) -> JSON of a GET under /api/v1/ as the admin (token from POST auth/token)."""
    body = json.dumps({"username": "admin", "password": demo_server.password("admin")}).encode()
    request = urllib.request.Request(f"{demo_server.url}/api/v1/auth/token", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["token"]

    def get(path: str):
        request = urllib.request.Request(f"{demo_server.url}/api/v1/{path.lstrip('/')}",
                                         headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    return get


@pytest.fixture(scope="session")
def area_ids(api):
    """Names -> ids of 达孜区, its townships and their villages (all unique names)."""
    ids = {}
    townships = api("jurisdictions/?parent=540104")["results"]
    assert townships, "the API listed no township under 达孜区 (540104)"
    ids["达孜区"] = townships[0]["parent"]
    for township in townships:
        ids[township["name"]] = township["id"]
        for village in api(f"jurisdictions/?parent={township['code']}")["results"]:
            ids[village["name"]] = village["id"]
    return ids
