"""The production WSGI application: Django behind the page cache's fast door.

`kiji serve` runs this; page-cache hits are answered without building a Django request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")
_django = get_wsgi_application()

from kiji.reader.cache import CachedWSGIApplication  # noqa: E402  (needs the apps loaded above)

application = CachedWSGIApplication(_django)
