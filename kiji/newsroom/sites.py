"""The newsroom's admin site: Django's, with the desk (kiji.newsroom.inbox) on its home page."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from kiji.newsroom.inbox import desk_inbox
from kiji.newsroom.models import Image
from kiji.newsroom.services.images import thumbnail_url
from kiji.newsroom.services.notifying import mark_read


class PickerJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers, with a thumbnail for each image (static/js/picker.js shows it)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Image) and obj.file:
            result["thumb"] = thumbnail_url(obj)
        return result


class NewsroomAdminSite(admin.AdminSite):
    index_template = "admin/newsroom_index.html"

    def autocomplete_view(self, request):
        return PickerJsonView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        return super().index(request, {"desk": desk_inbox(request.user), **(extra_context or {})})

    def get_urls(self):
        read = path("notifications/read/", self.admin_view(require_POST(self.read_notifications)), name="kiji_read")
        return [read, *super().get_urls()]

    def read_notifications(self, request):
        mark_read(user=request.user)
        return redirect("admin:index")
