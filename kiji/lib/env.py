"""Reading settings from the environment: the one module that does, typed, strict, with clear errors.

Only kiji/settings.py calls these; the rest of the code reads django.conf.settings. An empty value
means unset (so `.env.example`, with its empty lines, works as a systemd EnvironmentFile as
shipped). A value that cannot be used stops start-up with ImproperlyConfigured: one sentence naming
the variable, the accepted form and the value found. It never becomes an error on a reader's page.
"""

import os
import re
import unicodedata
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, stripped; None when it is absent or empty."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _refuse(name: str, accepted: str, raw: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} must be {accepted}, not {raw!r}.")


def env(name: str, default: str | None = None) -> str | None:
    raw = _raw(name)
    return default if raw is None else raw


def is_set(name: str) -> bool:
    return _raw(name) is not None


def env_bool(name: str, default: bool) -> bool:
    """True/false from the environment; anything else stops start-up with the variable's name."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise _refuse(name, "true or false", raw)


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number within [minimum, maximum]."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(unicodedata.normalize("NFKC", raw).replace("_", ""))
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise _refuse(name, _range_words("a whole number", minimum, maximum), raw)
    return value


def env_float(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A number (decimals allowed) within [minimum, maximum]."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(unicodedata.normalize("NFKC", raw))
    except ValueError:
        value = None
    if (
        value is None
        or value != value
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        raise _refuse(name, _range_words("a number", minimum, maximum), raw)
    return value


def _range_words(kind: str, minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{kind} of at least {minimum}"
    if maximum is not None:
        return f"{kind} of at most {maximum}"
    return kind


def env_choice(name: str, choices: tuple[str, ...], default: str, *, case_sensitive: bool = False) -> str:
    """One of `choices` (compared without case unless case_sensitive); the choice as written in `choices`."""
    raw = _raw(name)
    if raw is None:
        return default
    for choice in choices:
        if raw == choice or (not case_sensitive and raw.lower() == choice.lower()):
            return choice
    raise _refuse(name, "one of " + ", ".join(choices), raw)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated values; empty means the default."""
    raw = _raw(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str]) -> list[str]:
    """Comma-separated IP networks (192.0.2.0/24, 2001:db8::/32, or single addresses); empty means the default."""
    import ipaddress

    values = env_list(name, default)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise _refuse(name, "comma-separated IP addresses or networks (e.g. 10.0.0.0/8,::1)", value) from None
    return values


def env_url(name: str, default: str | None, *, schemes: tuple[str, ...], example: str) -> str | None:
    """A URL with one of `schemes` and, except for sqlite and unix sockets, a host."""
    raw = _raw(name)
    if raw is None:
        return default
    parts = urlsplit(raw)
    if parts.scheme.lower() not in schemes or (parts.scheme.lower() not in ("sqlite", "unix") and not parts.hostname):
        raise _refuse(name, f"a URL starting with {' or '.join(s + '://' for s in schemes)} (e.g. {example})", raw)
    return raw


# A time window as people type it: 23:00-06:00, 23:00〜06:00, 23:00～6:00, 23時〜6時, 23時半から6時まで.
_CLOCK = r"(\d{1,2})(?:(?::|時)(\d{2}|半)?分?)?"
_WINDOW = re.compile(rf"^{_CLOCK}\s*(?:-|~|〜|〰|–|—|―|ー|から)\s*{_CLOCK}\s*(?:まで)?$")
WINDOW_FORM = "a time window such as 23:00-06:00 (also written 23:00〜06:00 or 23時〜6時), or empty for none"


def parse_time_window(value: str) -> tuple[time, time]:
    """(start, end) of a daily window; it may cross midnight. ValueError names the accepted form."""
    text = unicodedata.normalize("NFKC", value).strip()
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(WINDOW_FORM)
    h1, m1, h2, m2 = match.groups()
    start, end = _clock(h1, m1), _clock(h2, m2)
    if start == end:
        raise ValueError(WINDOW_FORM + " (its start and end differ)")
    return start, end


def _clock(hours: str, minutes: str | None) -> time:
    h = int(hours)
    m = 30 if minutes == "半" else int(minutes or 0)
    if h == 24 and m == 0:
        h = 0
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(WINDOW_FORM)
    return time(h, m)


def env_time_window(name: str) -> str:
    """A daily window (see parse_time_window), given back as HH:MM-HH:MM; "" when unset."""
    raw = _raw(name)
    if raw is None:
        return ""
    try:
        start, end = parse_time_window(raw)
    except ValueError:
        raise _refuse(name, WINDOW_FORM, raw) from None
    return f"{start:%H:%M}-{end:%H:%M}"


def owner_only(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or take group and other access from an existing one.
    Here because settings.py may import only this module (it secures the SQLite file it names)."""
    if str(path) in ("", ":memory:") or str(path).startswith("file:"):
        return
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
