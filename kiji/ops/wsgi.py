"""The production WSGI application: Django behind two fast doors.

`kiji serve` runs this. Page-cache hits and view beacons are answered before Django builds a
request or runs its middleware: they are the two requests a traffic spike is made of.
"""

import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
_django = get_wsgi_application()

from django.apps import apps  # noqa: E402  (the apps are loaded above)
from django.http import QueryDict  # noqa: E402

from kiji.reader.cache import CachedWSGIApplication  # noqa: E402

log = logging.getLogger("kiji.wsgi")


class _BeaconRequest:
    """What the beacon view reads of a request (method, META, GET), straight from the WSGI environ."""

    def __init__(self, environ):
        self.method = environ["REQUEST_METHOD"].upper()
        self.META = environ
        self.GET = QueryDict(environ.get("QUERY_STRING", ""))
        self.path_info = environ.get("PATH_INFO", "")


class BeaconDoor:
    """Answers the audience app's view beacon (POST /v/) without Django's request handling."""

    def __init__(self, application):
        self.application = application
        self.beacon = None
        if apps.is_installed("kiji.audience"):
            from kiji.audience import beacon

            self.beacon, self.path = beacon.beacon, beacon.BEACON_PATH

    def __call__(self, environ, start_response):
        if self.beacon is None or environ.get("PATH_INFO") != self.path:
            return self.application(environ, start_response)
        try:
            response = self.beacon(_BeaconRequest(environ))
        except Exception:
            # Let Django's own path answer (and log) whatever went wrong, as for any request.
            log.warning("beacon fast door failed; passing the request to Django", exc_info=True)
            return self.application(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}",
                       [*response.items(), ("Content-Length", str(len(response.content)))])
        return [response.content]


application = BeaconDoor(CachedWSGIApplication(_django))
