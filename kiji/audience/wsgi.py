"""The WSGI application with the view beacon answered first, before Django builds a request.

    gunicorn kiji.audience.wsgi:application

Wraps kiji.wsgi's application (and so whatever fast doors it has, e.g. the page cache); the
lead may fold this one line into kiji/wsgi.py.
"""

from kiji.audience.beacon import BeaconWSGIApplication  # noqa: E402  (needs the apps loaded)
from kiji.wsgi import application as _django_application  # first: it sets Django up

application = BeaconWSGIApplication(_django_application)
