import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kiji.newsletters.models import Issue
from kiji.newsletters.services import send_batch, start_sending


class Command(BaseCommand):
    help = "Send one newsletter issue now, in batches; run it again after a crash to finish (nobody gets it twice)."

    def add_arguments(self, parser):
        parser.add_argument("issue", type=int)

    def handle(self, *args, issue, **options):
        try:
            issue = Issue.objects.get(pk=issue)
        except Issue.DoesNotExist:
            raise CommandError(f"No issue {issue}.") from None
        stopping = []
        # SIGTERM: finish the message in hand, record it, and stop; a later run goes on from there.
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        start_sending(issue=issue)
        total = 0
        while not stopping:
            sent = send_batch(issue=issue, limit=settings.KIJI_NEWSLETTER_BATCH, stop=lambda: bool(stopping))
            total += sent
            issue.refresh_from_db()
            if issue.status == Issue.Status.SENT or not sent:
                break
        self.stdout.write(f"Sent {total} mail(s); issue is {issue.get_status_display()}.")
