"""Production start-up: clean `check --deploy`, and a clear sentence when secrets are missing."""

import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase

MANAGE = str(settings.BASE_DIR / "manage.py")


def manage(*args: str, tmp: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, "KIJI_ENV": "production", "KIJI_VAR_DIR": tmp, **env},
    )


class ProductionStartupTests(SimpleTestCase):
    def setUp(self):
        import tempfile

        self.tmp = tempfile.mkdtemp()

    def test_it_passes_the_deploy_checks_with_secret_key_and_allowed_hosts(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            tmp=self.tmp,
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="news.example.jp",
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_refuses_to_start_without_a_secret_key(self):
        result = manage("check", tmp=self.tmp, ALLOWED_HOSTS="news.example.jp")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY is not set. In production (KIJI_ENV=production) set SECRET_KEY", result.stderr)

    def test_it_refuses_to_start_without_allowed_hosts(self):
        result = manage("check", tmp=self.tmp, SECRET_KEY=secrets.token_urlsafe(50))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ALLOWED_HOSTS is not set. In production (KIJI_ENV=production) set ALLOWED_HOSTS", result.stderr)
