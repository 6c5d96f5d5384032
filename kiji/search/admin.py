from django.contrib import admin

from kiji.search.models import SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """Editors' synonyms: read by every search, so a change counts from the next query on."""

    list_display = ("__str__", "note", "updated_at")
    search_fields = ("words", "note")
