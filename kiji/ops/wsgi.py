"""The production WSGI application: Django behind two fast doors.

`kiji serve` runs this. View beacons (the audience app's door) and page-cache hits are answered
before Django builds a request or runs its middleware: they are what a traffic spike is made of.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
application = get_wsgi_application()

from django.apps import apps  # noqa: E402  (the apps are loaded above)

from kiji.reader.cache import CachedWSGIApplication  # noqa: E402

application = CachedWSGIApplication(application)
if apps.is_installed("kiji.audience"):
    from kiji.audience.beacon import BeaconWSGIApplication

    application = BeaconWSGIApplication(application)
