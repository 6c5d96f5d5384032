"""Jobs register one way: each app's jobs.py lists its JOBS, and the scheduler finds every one of them."""

import signal
import subprocess
import sys
import threading
from datetime import timedelta
from functools import partial
from unittest import mock

from django.utils import timezone

from kiji.newsroom.models import Article
from kiji.ops.management.commands.run_scheduler import SlowProcess
from kiji.ops.scheduler import jobs, run_due_jobs, slow_jobs
from kiji.testing import NewsroomTestCase


def test_the_scheduler_finds_each_apps_jobs_under_the_apps_name():
    found = jobs()
    expected = {"newsroom.publish_due", "comments.clock", "audience.flush", "audience.lists", "audience.also_read"}
    assert expected <= set(found)
    assert all(callable(job) for job in found.values())
    assert list(found)[0] == "newsroom.publish_due"  # INSTALLED_APPS order: publishing comes first


class PublishingDuringARebuildTests(NewsroomTestCase):
    def test_the_full_also_read_rebuild_runs_in_the_slow_process_only(self):
        self.assertIn("audience.also_read", slow_jobs())
        self.assertNotIn("newsroom.publish_due", slow_jobs())

    def test_a_scheduled_article_is_published_on_time_while_a_rebuild_runs(self):
        due = self.make_article(
            headline="定時公開の記事",
            status=Article.Status.SCHEDULED,
            published_at=timezone.now() - timedelta(seconds=1),
        )
        rebuilding, release = threading.Event(), threading.Event()

        def endless_rebuild():
            rebuilding.set()
            release.wait(30)

        with mock.patch.dict(jobs(), {"audience.also_read": endless_rebuild}):
            slow = threading.Thread(target=run_due_jobs, kwargs={"slow": True})
            slow.start()
            try:
                rebuilding.wait(30)
                run_due_jobs(slow=False)  # the scheduler's own round, meanwhile
                due.refresh_from_db()
                self.assertEqual(due.status, Article.Status.PUBLISHED)
                self.assertTrue(slow.is_alive())  # the rebuild had not finished
            finally:
                release.set()
                slow.join()


def test_a_stop_ends_the_slow_process_even_when_it_ignores_sigterm():
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    )
    helper = SlowProcess([sys.executable, "-c", stubborn])
    with mock.patch("subprocess.Popen", partial(subprocess.Popen, stdout=subprocess.PIPE)):
        helper.ensure_running()
    assert helper.process.stdout.readline() == b"up\n"
    with mock.patch("kiji.ops.management.commands.run_scheduler.STOP_GRACE", 0.2):
        helper.stop()
    assert helper.process.returncode == -signal.SIGKILL


def test_a_dead_slow_process_is_started_again_at_the_next_round():
    helper = SlowProcess([sys.executable, "-c", "pass"])
    helper.ensure_running()
    first = helper.process
    first.wait()
    helper.ensure_running()
    assert helper.process is not first
    helper.stop()


def test_statistics_are_refreshed_in_the_slow_process_every_few_hours():
    from kiji.newsroom import jobs as newsroom_jobs

    assert "newsroom.statistics" in slow_jobs()
    with mock.patch.object(newsroom_jobs, "refresh_statistics") as analyze:
        assert [newsroom_jobs.statistics() for _ in range(3)] == [True, False, False]
    assert analyze.call_count == 1
