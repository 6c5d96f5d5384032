"""kiji redirects export --nginx: the redirect table as an nginx map, for sites that let nginx answer them."""

from urllib.parse import quote

from django.core.management.base import BaseCommand, CommandError

from kiji.redirects.models import Redirect


def _nginx_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _as_requested(old_path: str) -> str:
    """The old address as nginx's $request_uri holds it: percent-encoded, query as sent."""
    path, _, query = old_path.partition("?")
    return quote(path, safe="/%") + (f"?{quote(query, safe='=&%')}" if query else "")


class Command(BaseCommand):
    help = "Export the redirects: `export --nginx` prints an nginx map of old address → new path."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export"])
        parser.add_argument("--nginx", action="store_true", help="an nginx `map` block (the only format so far)")

    def handle(self, *args, action, nginx, **options):
        if not nginx:
            raise CommandError("形式を指定してください: kiji redirects export --nginx")
        write = self.stdout.write
        write("# kiji redirects export --nginx: include in the http block, then in the server block:")
        write("#   if ($kiji_redirect) { return 301 $kiji_redirect; }")
        write("map $request_uri $kiji_redirect {")
        write('    default "";')
        for old, new in Redirect.objects.order_by("old_path").values_list("old_path", "new_path").iterator():
            write(f"    {_nginx_string(_as_requested(old))} {_nginx_string(quote(new, safe='/%?=&'))};")
        write("}")
