"""Settings helpers: every setting comes from the environment with a safe default."""

import secrets
from pathlib import Path

import environ

env = environ.Env()


def secret_key(base_dir: Path) -> str:
    """Return DJANGO_SECRET_KEY, or a per-install key kept in a git-ignored file.

    A fresh clone therefore never runs on a key that sits in the repository.
    """
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    key_file = base_dir / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
