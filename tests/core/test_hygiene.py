"""Repository hygiene that CI also checks: no secret-looking file tracked."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = re.compile(r"(^|/)(secret_key|[^/]*\.(pem|key|p12|pfx)|id_(rsa|ed25519)[^/]*|\.env(\.[^/]*)?)$",
                    re.IGNORECASE)


def test_no_file_named_like_a_secret_is_tracked():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert [f for f in tracked if SECRET.search(f)] == []


@pytest.mark.parametrize("name", ["src/ranan/var/secret_key", "deploy/server.key", ".env",
                                  "ops/id_rsa", "certs/site.pem"])
def test_the_pattern_catches_a_secret(name):
    assert SECRET.search(name)
