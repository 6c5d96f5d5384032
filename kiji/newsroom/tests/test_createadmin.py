"""`kiji createadmin` (run by `make run`): the login it prints points where `kiji serve` listens."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings


class CreateAdminTests(TestCase):
    @override_settings(KIJI_BIND="127.0.0.1:8196")
    def test_the_printed_login_names_the_address_the_server_listens_on(self):
        out = StringIO()
        call_command("createadmin", stdout=out)
        printed = out.getvalue()
        self.assertIn("http://127.0.0.1:8196/admin/", printed)
        self.assertNotIn(":8000", printed)
        password = printed.split("password: ")[1].split()[0]
        self.assertTrue(self.client.login(username="admin", password=password), "the printed password works")
        self.assertTrue(get_user_model().objects.get(username="admin").is_superuser)
