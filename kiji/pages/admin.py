from django.contrib import admin

from kiji.pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "path", "status", "in_footer", "position")
    list_filter = ("status", "in_footer")
    search_fields = ("title", "path")
    prepopulated_fields = {"slug": ("title",)}
    raw_id_fields = ("parent",)
