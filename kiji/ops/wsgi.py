"""The production WSGI application: Django behind the page cache's fast door.

`kiji serve` runs this; page-cache hits are answered without building a Django request.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")

from kiji.reader.cache import CachedWSGIApplication  # noqa: E402  (needs the settings above)

application = CachedWSGIApplication(get_wsgi_application())
