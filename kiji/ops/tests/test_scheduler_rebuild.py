"""The real `kiji scheduler` during a full also-read rebuild: publishing is on time, SIGTERM stops it
within 10 s, and the next start continues the rebuild instead of starting over.

The rebuild is split into many units and held after its second one (until the test removes a hold
file) by a sitecustomize module given to the scheduler's processes only, which also logs every unit
done and every model fit: the test is mid-rebuild however slow the machine is.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from kiji.ops.tests.sites import ROOT, drop_site, fresh_site, kiji, python
from kiji.ops.tests.test_scheduler_stop import alive, children

SLOW_REBUILD = """
import os, time
from kiji.search import similar

similar.CLUSTER_SIZE, similar.PROBES = 2, 2  # many units for a small site
_unit, _fit = similar.unit_neighbours, similar.index_model


def _log(line):
    with open(os.environ["KIJI_TEST_REBUILD_LOG"], "a") as log:
        log.write(line + "\\n")


def unit_neighbours(model, unit):
    deadline = time.monotonic() + 300
    while unit >= 2 and os.path.exists(os.environ["KIJI_TEST_REBUILD_HOLD"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    found = _unit(model, unit)
    _log(f"unit {unit}")
    return found


def index_model():
    _log("fit")
    return _fit()


similar.unit_neighbours, similar.index_model = unit_neighbours, index_model
"""

CORPUS = """
from django.utils import timezone
from kiji.newsroom.models import Article, Category
from kiji.search.services import sync_article
c = Category.objects.create(name="経済", slug="economy")
subjects = [
    ("日銀 金利", "日本銀行は金融政策決定会合で政策金利を据え置いた。円安と物価上昇が続く。"),
    ("日本シリーズ", "プロ野球の日本シリーズ第七戦で、エースが完投し、チームが日本一に輝いた。"),
    ("火星探査機", "火星探査機が赤い砂漠に着陸し、地表の岩石を採取した。水の痕跡を調べる。"),
]
for i in range(24):
    head, body = subjects[i % 3]
    a = Article.objects.create(headline=f"{head} {i}", body=f"<p>{body}</p>", category=c, status="published",
                               published_at=timezone.now())
    sync_article(a.pk)
"""

SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from kiji.newsroom.models import Article, Category
due = timezone.now() + timedelta(seconds=2)
Article.objects.create(headline="予定稿: 新内閣の顔ぶれ", category=Category.objects.get(), status="scheduled",
                       published_at=due)
print(due.timestamp())
"""

PUBLISHED_AT = """
from kiji.newsroom.models import Article, Revision
a = Article.objects.get(headline__startswith="予定稿")
if a.status == "published":  # when the scheduler published it: the revision it recorded
    print(Revision.objects.filter(article=a).latest("created_at").created_at.timestamp())
"""


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def start_scheduler(env: dict) -> subprocess.Popen:
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "kiji.cli", "scheduler", "--interval", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert scheduler.stdout.readline().startswith("Scheduler running every 1 s.")
    return scheduler


def test_publishing_is_on_time_and_sigterm_stops_a_rebuild_that_the_next_start_continues(tmp_path):
    env = fresh_site(tmp_path, "rebuild")
    env.pop("KIJI_AUDIENCE_REDIS_URL", None)  # each process its own claims: the slow one rebuilds at once
    hooks, log, hold = tmp_path / "hooks", tmp_path / "rebuild.log", tmp_path / "hold"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLOW_REBUILD)
    hold.touch()
    slow_env = {
        **env,
        "PYTHONPATH": f"{hooks}:{ROOT}",
        "KIJI_TEST_REBUILD_LOG": str(log),
        "KIJI_TEST_REBUILD_HOLD": str(hold),
    }
    checkpoint = Path(env["KIJI_VAR_DIR"]) / "also-read-rebuild"
    scheduler = None
    try:
        kiji(env, "manage", "migrate", "--noinput")
        python(env, CORPUS)
        scheduler = start_scheduler(slow_env)
        assert wait_for(lambda: (checkpoint / "model.json").exists(), 60), "the rebuild did not start"

        # An article scheduled while the rebuild runs is published on time.
        due = float(python(env, SCHEDULE))
        assert wait_for(lambda: python(env, PUBLISHED_AT).strip(), 60), "not published"
        late = float(python(env, PUBLISHED_AT)) - due
        assert late <= 15, f"published {late:.1f} s late"
        assert (checkpoint / "model.json").exists()  # the rebuild was still running meanwhile

        # SIGTERM mid-rebuild: the scheduler and its slow process are gone within 10 s.
        slow = children(scheduler.pid)
        scheduler.send_signal(signal.SIGTERM)
        output, _ = scheduler.communicate(timeout=10)
        assert scheduler.returncode == 0 and "Scheduler stopped." in output
        assert not any(alive(pid) for pid in slow)
        first_run = log.read_text().split("\n")
        done = {line for line in first_run if line.startswith("unit")}
        assert (checkpoint / "model.json").exists() and done, "the stop did not come mid-rebuild"

        # The next start continues: the same model, only the units not yet done, then the folder is gone.
        hold.unlink()
        scheduler = start_scheduler(slow_env)
        assert wait_for(lambda: not checkpoint.exists(), 120), "the rebuild did not finish"
        second_run = log.read_text().split("\n")[len(first_run) - 1 :]
        assert "fit" not in second_run
        assert done.isdisjoint(second_run)
    finally:
        if scheduler is not None and scheduler.poll() is None:
            scheduler.send_signal(signal.SIGTERM)
            try:
                scheduler.wait(timeout=15)
            except subprocess.TimeoutExpired:
                scheduler.kill()
                scheduler.wait()
        drop_site(env)
