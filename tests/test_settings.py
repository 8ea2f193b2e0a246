"""Production configuration comes only from the environment and passes Django's deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="x" * 30 + "not-a-real-secret-but-long-and-varied-0123456789",
        DJANGO_ALLOWED_HOSTS="rounds.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ROUNDS_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = manage("check", ROUNDS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_a_misspelt_flag_is_refused_with_its_name(tmp_path: Path) -> None:
    result = manage("check", DJANGO_DEBUG="maybe", ROUNDS_VAR_DIR=str(tmp_path))
    assert "DJANGO_DEBUG: expected yes/no" in result.stderr
