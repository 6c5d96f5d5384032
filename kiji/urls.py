from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from kiji.newsroom.admin import view_on_site

admin.site.site_header = "Kiji ニュースルーム"
admin.site.site_title = "Kiji ニュースルーム"
admin.site.index_title = "ニュースルーム"
admin.site.site_url = "/"

urlpatterns = [
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("api/", include("kiji.api.urls")),
    path("search/", include("kiji.search.urls")),
    path("", include("kiji.comments.urls")),  # before reader: /articles/<pk>/comments/ is not a slug
    path("", include("kiji.audience.urls")),
    path("", include("kiji.newsletters.urls")),
    path("", include("kiji.reader.urls")),
]

if settings.MEDIA_URL.startswith("/") and not settings.PRODUCTION or settings.DEBUG:
    # On one machine the app serves uploads itself; behind nginx, nginx serves /media/ (docs/deploy.md).
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

handler404 = "kiji.reader.views.page_not_found"
handler500 = "kiji.reader.views.server_error"
handler400 = "kiji.reader.views.bad_request"
handler403 = "kiji.reader.views.permission_denied"
