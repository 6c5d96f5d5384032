"""The newsroom's admin site: Django's, with the desk (kiji.newsroom.inbox) on its home page."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from kiji.newsroom.inbox import desk_inbox
from kiji.newsroom.services.notifying import mark_read


class NewsroomAdminSite(admin.AdminSite):
    index_template = "admin/newsroom_index.html"

    def index(self, request, extra_context=None):
        return super().index(request, {"desk": desk_inbox(request.user), **(extra_context or {})})

    def get_urls(self):
        read = path("notifications/read/", self.admin_view(require_POST(self.read_notifications)), name="kiji_read")
        return [read, *super().get_urls()]

    def read_notifications(self, request):
        mark_read(user=request.user)
        return redirect("admin:index")
