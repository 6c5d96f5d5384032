"""Jobs register one way: each app's jobs.py lists its JOBS, and the scheduler finds every one of them."""

from kiji.ops.scheduler import jobs


def test_the_scheduler_finds_each_apps_jobs_under_the_apps_name():
    found = jobs()
    expected = {"newsroom.publish_due", "comments.clock", "audience.flush", "audience.lists", "audience.also_read"}
    assert expected <= set(found)
    assert all(callable(job) for job in found.values())
    assert list(found)[0] == "newsroom.publish_due"  # INSTALLED_APPS order: publishing comes first
