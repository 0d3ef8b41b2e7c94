"""Issue 16, item 11: the deployment checks pass with the documented production environment,
the Content-Security-Policy runs no inline script, the API's description needs a login, and
the SQLite database, its WAL files, the var directory and uploads are the server's alone."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

import ranan

RANAN = Path(sys.executable).with_name("ranan")
SRC = Path(ranan.__file__).resolve().parent

# The production environment docs/deploy.md gives (behind nginx terminating TLS).
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "gas.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://gas.example.cn",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def ranan_manage(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG"}}
    environment.update(RANAN_VAR_DIR=str(tmp_path / "var"), SECRET_KEY=secrets.token_urlsafe(50),
                       **env)
    return subprocess.run([str(RANAN), "manage", *args], env=environment, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- check --deploy ------------------------------------------------------------------------


def test_the_deploy_check_passes_with_the_production_environment(tmp_path):
    done = ranan_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_deploy_check_fails_without_it_and_the_demo_settings_still_work(tmp_path):
    deploy = ranan_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert deploy.returncode != 0
    for warning in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert warning in deploy.stderr
    plain = ranan_manage(tmp_path, "check")
    assert plain.returncode == 0, plain.stderr


def test_the_production_settings_redirect_to_https_and_send_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/login/").status_code == 301
    secure = client.get("/login/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert "includeSubDomains" in secure.headers["Strict-Transport-Security"]


# --- Content-Security-Policy -------------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script(client):
    policy = _policy(client.get("/login/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in " ".join(sum(policy.values(), []))


SCRIPT_WITHOUT_SRC = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                                re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_no_template_holds_inline_script():
    templates = sorted(SRC.rglob("*.html"))
    assert len(templates) > 50
    found = []
    for path in templates:
        text = path.read_text()
        for name, pattern in [("script", SCRIPT_WITHOUT_SRC), ("handler", INLINE_HANDLER),
                              ("javascript:", JS_URL)]:
            found += [f"{path.relative_to(SRC)}: {name}: {m.group(0)[:80]}"
                      for m in pattern.finditer(text)]
    assert found == []


def test_no_script_of_ours_evaluates_strings():
    scripts = sorted((SRC / "static" / "ranan").glob("*.js"))
    assert scripts
    for path in scripts:
        text = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|\.on[a-z]+\s*=\s*['\"]|setAttribute\(\s*['\"]on",
                             text), path.name


def test_htmx_is_told_not_to_evaluate(client, cast):
    client.force_login(cast.inspector)
    page = client.get("/").content.decode()
    assert '<meta name="htmx-config" content=\'{"allowEval": false}\'>' in page
    assert "ranan/common.js" in page


@pytest.mark.django_db
def test_the_confirmations_and_the_language_switch_are_data_attributes():
    base = (SRC / "templates" / "base.html").read_text()
    assert "data-autosubmit" in base
    supply = (SRC / "inspections" / "templates" / "inspections" / "supply.html").read_text()
    assert supply.count("data-confirm=") == 2


# --- The API's description ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_schema_and_docs_need_a_login(client, cast):
    assert client.get(reverse("api-schema")).status_code in {401, 403}
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302 and docs.headers["Location"].startswith(reverse("login"))
    client.force_login(cast.inspector)
    assert client.get(reverse("api-schema")).status_code == 200
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    assert not SCRIPT_WITHOUT_SRC.search(page.content.decode())
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- File modes -------------------------------------------------------------------------------


def test_the_sqlite_database_and_its_wal_files_are_private(tmp_path):
    probe = ("import os, stat; from django.db import connection; "
             "c = connection.cursor(); c.execute('CREATE TABLE probe (x int)'); "
             "c.execute('INSERT INTO probe VALUES (1)'); "
             "name = connection.settings_dict['NAME']; "
             "print(*[oct(stat.S_IMODE(os.stat(str(name) + s).st_mode)) for s in ('', '-wal', '-shm')])")
    done = ranan_manage(tmp_path, "shell", "-c", probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["0o600", "0o600", "0o600"]
    assert mode(tmp_path / "var") == 0o700


def test_an_existing_database_and_var_directory_are_made_private(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    (var / "ranan.sqlite3").touch()
    (var / "ranan.sqlite3").chmod(0o644)
    done = ranan_manage(tmp_path, "check")
    assert done.returncode == 0, done.stderr
    assert mode(var) == 0o700
    assert mode(var / "ranan.sqlite3") == 0o600


def test_uploads_are_private(tmp_path, settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("visits/2026/12/photo.png", ContentFile(b"\x89PNG"))
    assert mode(Path(storage.path(name))) == 0o600
    assert mode(tmp_path / "media" / "visits" / "2026") == 0o700
