"""Settings tell the truth: what an operator writes in the environment is what the site does.

Start-up is checked in a fresh Python process, as systemd would start it: a bad value stops the
process with a sentence naming the variable and the form it accepts, before any reader is served.
"""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from kiji.lib import env as kiji_env

ROOT = Path(__file__).resolve().parents[1]
SHOW = "import django; django.setup(); from django.conf import settings as s; print(repr({names}))"


def environment_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blank lines skipped)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip().strip('"')
    return found


def start(variables: dict[str, str], code: str = "import django; django.setup()", cwd: Path | None = None):
    """Start Django in a new process with only these variables (plus PATH), as a service manager would."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "kiji.settings", **variables}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd or ROOT, capture_output=True, text=True, timeout=120
    )


def refused(variables: dict[str, str]) -> str:
    result = start(variables)
    assert result.returncode != 0, f"started with {variables}"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_env_example_works_as_a_systemd_environment_file(tmp_path):
    variables = environment_file(ROOT / ".env.example")
    assert variables["DATABASE_URL"] == "" and variables["KIJI_VAR_DIR"] == ""  # shipped empty
    names = "[str(s.VAR_DIR), str(s.MEDIA_ROOT), s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']]"
    result = start(variables, SHOW.format(names=names), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    var_dir, media_root, engine, name = eval(result.stdout)  # noqa: S307  (our own repr of four strings)
    assert var_dir == str(ROOT / "var")  # not "." (the working directory)
    assert media_root == str(ROOT / "var" / "media")
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "var" / "kiji.sqlite3")


def test_every_variable_in_env_example_is_read_by_the_settings():
    settings_source = (ROOT / "kiji" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env\w*|is_set)\(\s*"([A-Z0-9_]+)"', settings_source))
    listed = set(environment_file(ROOT / ".env.example"))
    assert listed - read == set(), "listed in .env.example but never read"


def test_a_kiji_env_other_than_development_or_production_stops_start_up():
    assert refused({"KIJI_ENV": "prod"}) == (
        "django.core.exceptions.ImproperlyConfigured: KIJI_ENV must be one of development, production, not 'prod'."
    )
    assert refused({"KIJI_ENV": "Production"}).endswith("not 'Production'.")


def test_production_without_its_secret_key_stops_start_up():
    assert "SECRET_KEY is not set" in refused({"KIJI_ENV": "production", "SECRET_KEY": ""})


@pytest.mark.parametrize(
    ("variables", "sentence"),
    [
        (
            {"KIJI_COMMENTS_QUIET_HOURS": "夜11時から"},
            "KIJI_COMMENTS_QUIET_HOURS must be a time window such as 23:00-06:00",
        ),
        ({"KIJI_COMMENTS_QUIET_HOURS": "25:00-06:00"}, "KIJI_COMMENTS_QUIET_HOURS must be a time window"),
        ({"KIJI_COMMENTS_QUIET_ACTION": "delete"}, "KIJI_COMMENTS_QUIET_ACTION must be one of hold, close"),
        ({"KIJI_PAGE_SIZE": "0"}, "KIJI_PAGE_SIZE must be a whole number from 1 to 200, not '0'."),
        ({"KIJI_PAGE_SIZE": "twenty"}, "KIJI_PAGE_SIZE must be a whole number from 1 to 200"),
        ({"KIJI_COMMENTS_HIDE_SHARE": "150"}, "KIJI_COMMENTS_HIDE_SHARE must be a whole number from 1 to 100"),
        ({"KIJI_SITE_URL": "news.example.jp"}, "KIJI_SITE_URL must be a URL starting with http:// or https://"),
        ({"DATABASE_URL": "mysql://db/kiji"}, "DATABASE_URL must be a URL starting with sqlite://"),
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must be a URL starting with redis://"),
        ({"KIJI_AUDIENCE_RANKING_WINDOW": "12h"}, "KIJI_AUDIENCE_RANKING_WINDOW must be one of 1h, 24h, 7d"),
        ({"KIJI_LOG_LEVEL": "verbose"}, "KIJI_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ({"KIJI_SERVER": "uwsgi"}, "KIJI_SERVER must be one of granian, gunicorn"),
        ({"KIJI_BIND": "8000"}, "KIJI_BIND must be host:port"),
        ({"KIJI_FEED_FULL_TEXT": "maybe"}, "KIJI_FEED_FULL_TEXT must be true or false"),
        ({"KIJI_SMTP_URL": "smtp://relay:25?starttls=no"}, "KIJI_SMTP_URL's starttls must be on or off"),
    ],
)
def test_a_value_the_site_cannot_use_stops_start_up_naming_the_variable_and_the_form(variables, sentence):
    assert sentence in refused(variables)


def test_the_management_commands_refuse_bad_quiet_hours_too():
    # `kiji manage check` passed with a value that made every article page a 500.
    result = subprocess.run(
        [sys.executable, "-m", "kiji.cli", "manage", "check"],
        env={"PATH": os.environ["PATH"], "KIJI_COMMENTS_QUIET_HOURS": "23:00/06:00"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "KIJI_COMMENTS_QUIET_HOURS must be a time window" in result.stderr


@pytest.mark.parametrize(
    "typed",
    [
        "23:00-06:00",
        "23:00〜06:00",
        "23:00～06:00",
        "２３：００〜０６：００",
        "23時〜6時",
        "23時から6時まで",
        "23-6",
        " 23:00 - 6:00 ",
    ],
)
def test_quiet_hours_are_read_in_the_forms_people_type(typed, monkeypatch):
    monkeypatch.setenv("KIJI_COMMENTS_QUIET_HOURS", typed)
    assert kiji_env.env_time_window("KIJI_COMMENTS_QUIET_HOURS") == "23:00-06:00"
    assert kiji_env.parse_time_window(typed) == (time(23), time(6))


def test_half_hours_and_minutes_are_kept(monkeypatch):
    assert kiji_env.parse_time_window("22時半〜5時") == (time(22, 30), time(5))
    assert kiji_env.parse_time_window("1:15-4:45") == (time(1, 15), time(4, 45))
    with pytest.raises(ValueError):
        kiji_env.parse_time_window("6:00-6:00")


def test_an_empty_value_means_unset(monkeypatch):
    for name, value in {"KIJI_X_INT": "", "KIJI_X_BOOL": "  ", "KIJI_X_STR": "", "KIJI_X_LIST": ""}.items():
        monkeypatch.setenv(name, value)
    assert kiji_env.env_int("KIJI_X_INT", 7) == 7
    assert kiji_env.env_bool("KIJI_X_BOOL", True) is True
    assert kiji_env.env("KIJI_X_STR", "default") == "default"
    assert kiji_env.env_list("KIJI_X_LIST", ["a"]) == ["a"]
    monkeypatch.setenv("KIJI_X_BOOL", "off")
    assert kiji_env.env_bool("KIJI_X_BOOL", True) is False
    monkeypatch.setenv("KIJI_X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="KIJI_X_INT must be a whole number of at least 1, not '0'"):
        kiji_env.env_int("KIJI_X_INT", 7, minimum=1)


@pytest.mark.django_db
@override_settings(KIJI_COMMENTS_QUIET_HOURS="23:00-06:00")
def test_quiet_hours_written_the_japanese_way_reach_the_comment_rules(monkeypatch):
    from kiji.comments.rules import in_quiet_hours

    monkeypatch.setenv("KIJI_COMMENTS_QUIET_HOURS", "23時〜6時")
    with override_settings(KIJI_COMMENTS_QUIET_HOURS=kiji_env.env_time_window("KIJI_COMMENTS_QUIET_HOURS")):
        assert in_quiet_hours(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))  # 23:30 JST
        assert not in_quiet_hours(datetime(2026, 12, 1, 21, 30, tzinfo=UTC))  # 06:30 JST
    # The value as the rules receive it may also be written the Japanese way (an override, a shell).
    with override_settings(KIJI_COMMENTS_QUIET_HOURS="23:00〜06:00"):
        assert in_quiet_hours(datetime(2026, 12, 1, 14, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://desk%40news.jp:p%3Ass@mail.news.jp:587", ("mail.news.jp", 587, "desk@news.jp", "p:ss", True, False)),
        ("smtps://mail.news.jp", ("mail.news.jp", 465, "", "", False, True)),
        ("smtp://127.0.0.1:2525?starttls=off", ("127.0.0.1", 2525, "", "", False, False)),
    ],
)
def test_one_smtp_url_sends_the_desks_mail_and_the_newsletters(url, expected):
    names = "(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    result = start({"KIJI_SMTP_URL": url}, SHOW.format(names=names))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)
