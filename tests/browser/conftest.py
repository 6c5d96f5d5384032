"""Browser tests: the real app under gunicorn, driven by Debian's Chromium through Playwright.

The site runs in subprocesses against its own temporary SQLite database (migrated and filled by
livesite.py), with the production static files storage, so what Chromium sees is what readers get.
tests/browser/setup.sh (run by `make test`) installs Chromium, a Japanese font, Java and the npm tools;
without them these tests fail rather than skip. `pytest -m "not browser"` leaves them out.
Screenshots land in build/screenshots/, Lighthouse reports in build/lighthouse/ (CI artifacts).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, NODE_MODULES, WIDTHS

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _missing_tools() -> list[str]:
    missing = [
        p
        for p in (
            CHROMIUM,
            NODE_MODULES / "axe-core" / "axe.min.js",
            NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar",
        )
        if not Path(p).exists()
    ]
    return [str(p) for p in missing] + ([] if shutil.which("java") else ["java"])


@pytest.fixture(scope="session", autouse=True)
def _browser_tools():
    if missing := _missing_tools():
        pytest.fail(
            f"Browser test tools are missing ({', '.join(missing)}): run `sh tests/browser/setup.sh` "
            "(make test runs it).",
            pytrace=False,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """The running site: its base URL, the covered pages, and a way to run livesite.py against its database."""

    def __init__(self, base_url: str, env: dict, seeded: dict):
        self.base_url = base_url
        self.env = env
        self.pages = seeded["pages"]
        self.admin = seeded["admin"]
        self.article_pk = seeded["article_pk"]
        self.headline = seeded.get("headline")
        self.draft_pk = seeded.get("draft_pk")
        self.sponsored_headline = seeded.get("sponsored_headline")

    def url(self, name_or_path: str) -> str:
        return self.base_url + self.pages.get(name_or_path, name_or_path)

    def run(self, *args: str):
        """Run livesite.py with these arguments against the site's database; its JSON answer."""
        out = _run(self.env, str(HERE / "livesite.py"), *args)
        return json.loads(out.strip().splitlines()[-1])


def _run(env: dict, *args: str) -> str:
    proc = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if proc.returncode:
        pytest.fail(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}", pytrace=False)
    return proc.stdout


def _manage(env: dict, *args: str) -> None:
    _run(env, "-m", "kiji.cli", "manage", *args)


def _site_env(var: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "PYTEST_CURRENT_TEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kiji.settings",
            "KIJI_VAR_DIR": str(var),
            "KIJI_MEDIA_ROOT": str(var / "media"),
            "DATABASE_URL": f"sqlite:///{var / 'kiji.sqlite3'}",
            "KIJI_SITE_URL": f"http://127.0.0.1:{port}",
            "KIJI_DEBUG": "false",
            "KIJI_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),  # the tree under test, even from a copy of it
            # Posting tests submit at once and several times from one address: no minimum time on the page,
            # a rate limit no test reaches (both are tested in kiji/comments).
            "KIJI_COMMENTS_MIN_SECONDS": "0",
            "KIJI_COMMENTS_RATE_PER_MINUTE": "100",
        }
    )
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    return env


@contextmanager
def _serving(env: dict, var: Path, port: int):
    """gunicorn with two workers on the site's database, as in production, until the block ends."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(var / "gunicorn.log", "w")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "kiji.ops.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/", server, var / "gunicorn.log")
        yield
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    var = tmp_path_factory.mktemp("site")
    port = _free_port()
    env = _site_env(var, port)
    seeded = Site(f"http://127.0.0.1:{port}", env, {"pages": {}, "admin": None, "article_pk": None}).run("seed")
    with _serving(env, var, port):
        yield Site(f"http://127.0.0.1:{port}", env, seeded)


@pytest.fixture(scope="session")
def wordpress_site(tmp_path_factory):
    """A fresh site that imported WordPress exports with `kiji import-wxr` (the files given by the test
    module through `wordpress_exports`), served like the main one: its base URL."""
    var = tmp_path_factory.mktemp("wordpress-site")
    port = _free_port()
    env = _site_env(var, port)
    from kiji.testing import shared_corpus

    exports = [shared_corpus("wxr", "themeunittestdata.wordpress.xml")]
    ruby = var / "ruby.xml"
    ruby.write_text(RUBY_EXPORT, encoding="utf-8")
    for export in [*exports, ruby]:
        _run(env, "-m", "kiji.cli", "import-wxr", str(export))
    with _serving(env, var, port):
        yield f"http://127.0.0.1:{port}"


# One post with ruby (the shared exports hold none), in the WXR 1.2 form WordPress writes.
RUBY_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>ふりがなの例</title><link>https://furigana.example.jp</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://furigana.example.jp</wp:base_site_url>
  <wp:base_blog_url>https://furigana.example.jp</wp:base_blog_url>
  <wp:author><wp:author_login><![CDATA[kisha]]></wp:author_login><wp:author_display_name><![CDATA[記者 一郎]]></wp:author_display_name></wp:author>
  <item>
    <title>難読地名の読み方</title>
    <link>https://furigana.example.jp/2024/04/01/nandoku/</link>
    <dc:creator><![CDATA[kisha]]></dc:creator>
    <content:encoded><![CDATA[<ruby>百舌鳥<rt>もず</rt></ruby>は大阪府堺市の地名です。

<ruby>放出<rt>はなてん</rt></ruby>も大阪の駅名です。]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date><![CDATA[2024-04-01 09:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2024-04-01 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[nandoku]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="chimei"><![CDATA[地名]]></category>
  </item>
</channel>
</rss>
"""


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited: {log.read_text()[-2000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.2)
    pytest.fail(f"The site did not answer at {url} within 30 s: {log.read_text()[-2000:]}", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page(width) opens a fresh context (no cookies) at that viewport width, Japanese locale."""
    contexts = []

    def open_page(width: int = WIDTHS["desktop"]):
        # bypass_csp: the harness injects axe-core as an inline script; test_browser_csp.py checks the
        # policy in contexts of its own, without this.
        context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="ja-JP", device_scale_factor=1, bypass_csp=True
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
