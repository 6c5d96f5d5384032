"""/healthz and /readyz: a load balancer's probes, answered before Django, never cached."""

import json
from datetime import timedelta
from unittest import mock
from wsgiref.util import setup_testing_defaults

import time_machine
from django.core.management import call_command
from django.db import OperationalError, connections
from django.test import TestCase, override_settings
from django.utils import timezone

from kiji.ops.models import Heartbeat
from kiji.ops.wsgi import application


def probe(path: str, host: str = "10.0.0.7") -> tuple[str, dict, dict]:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": host}
    setup_testing_defaults(environ)
    answer = {}
    body = b"".join(application(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    return answer["status"], dict(answer["headers"]), json.loads(body)


@override_settings(REDIS_URL=None, KIJI_AUDIENCE_REDIS_URL="")
class HealthTests(TestCase):
    def setUp(self):
        Heartbeat.objects.create(name="scheduler", beat_at=timezone.now())  # a scheduler is running

    def test_healthz_answers_while_the_process_lives_for_any_host(self):
        status, headers, body = probe("/healthz")
        self.assertEqual((status, body), ("200 OK", {"status": "ok"}))
        self.assertEqual(headers["Cache-Control"], "no-store")

    def test_readyz_checks_the_database(self):
        status, headers, body = probe("/readyz")
        self.assertEqual((status, body), ("200 OK", {"status": "ok", "database": "ok", "scheduler": "ok"}))
        self.assertEqual(headers["Cache-Control"], "no-store")

    def test_readyz_fails_while_the_database_is_away_and_recovers_after(self):
        with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("down")):
            status, _, body = probe("/readyz")
        self.assertEqual(status, "503 Service Unavailable")
        self.assertEqual(body["database"], "error: OperationalError")
        self.assertEqual(probe("/readyz")[0], "200 OK")  # asked again, not a remembered answer

    @override_settings(REDIS_URL="redis://127.0.0.1:1/0")
    def test_readyz_fails_while_a_configured_redis_is_away(self):
        status, _, body = probe("/readyz")
        self.assertEqual(status, "503 Service Unavailable")
        self.assertEqual(body["redis"], "error: ConnectionError")
        self.assertEqual(body["database"], "ok")

    @override_settings(KIJI_SCHEDULER_HEARTBEAT_MAX_AGE=120)
    def test_readyz_fails_naming_the_scheduler_when_its_heartbeat_is_old(self):
        self.assertEqual(probe("/readyz")[2]["scheduler"], "ok")
        with time_machine.travel(timezone.now() + timedelta(seconds=300)):
            status, _, body = probe("/readyz")
        self.assertEqual(status, "503 Service Unavailable")
        self.assertEqual(body["scheduler"], "error: last heartbeat 300 s ago")
        self.assertEqual(body["database"], "ok")

    def test_readyz_fails_when_no_scheduler_ever_ran_and_recovers_after_a_round(self):
        Heartbeat.objects.all().delete()
        status, _, body = probe("/readyz")
        self.assertEqual(status, "503 Service Unavailable")
        self.assertIn("no heartbeat", body["scheduler"])

        with (
            time_machine.travel(timezone.now() + timedelta(hours=1)),
            # (the command drops its connections after a round; the test's transaction must stay open)
            mock.patch("kiji.ops.management.commands.run_scheduler.close_old_connections"),
        ):
            call_command("run_scheduler", "--once")  # one round of the real command
            self.assertEqual(probe("/readyz")[:1], ("200 OK",))

    @override_settings(KIJI_SCHEDULER_HEARTBEAT_MAX_AGE=0)
    def test_readyz_leaves_the_scheduler_alone_when_told_to(self):
        Heartbeat.objects.all().delete()
        self.assertEqual(probe("/readyz")[2], {"status": "ok", "database": "ok"})
