"""Typed readers for settings from the environment.

Each helper fails loudly (ImproperlyConfigured naming the variable) instead of silently
falling back when a value is present but malformed: a typo in production must stop the
process, not change its behaviour.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a boolean (use 1/0).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def var_dir() -> Path:
    """The writable state directory (SQLite file, secret key, demo accounts, uploads),
    readable by the server's user only (0700)."""
    path = Path(env_str("RANAN_VAR_DIR", str(Path.cwd() / "var"))).resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(name: str | Path) -> None:
    """Create `name` empty with mode 0600 if it is missing, else take away any group and other
    permission it has: the SQLite database, made before SQLite opens it (its -wal and -shm
    files take its mode), with no umask change that would touch the rest of the process."""
    path = Path(name)
    if str(name) in {"", ":memory:"} or str(name).startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDONLY, 0o600)
    except FileNotFoundError:  # a directory that does not exist yet: SQLite will say so
        return
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm"):
        sidecar = path.with_name(path.name + suffix)
        if sidecar.exists() and sidecar.stat().st_mode & 0o077:
            sidecar.chmod(0o600)


def secret_key() -> str:
    """SECRET_KEY from the environment, else generated once and kept in var/secret_key."""
    value = os.environ.get("SECRET_KEY")
    if value:
        return value
    path = var_dir() / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
