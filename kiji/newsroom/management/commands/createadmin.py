import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from kiji.newsroom.roles import ensure_roles


class Command(BaseCommand):
    help = "Create an administrator account if none exists, and print its login once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", help="Default: a random password, printed once.")

    def handle(self, *args, username, password, **options):
        ensure_roles()
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator account already exists; nothing created.")
            return
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                # where `kiji serve` listens (KIJI_BIND), as its "Kiji is serving at" line says
                f"Administrator created. Log in at http://{settings.KIJI_BIND}/admin/ with\n"
                f"    username: {username}\n    password: {password}\n"
                "This password is shown only now; change it in the admin."
            )
        )
