"""The newsroom's back office (minimal registration; the workflow admin builds on this)."""

from django.contrib import admin

from kiji.newsroom.models import Article, Byline, Category, Correction, Image, Revision, Tag, Writer


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position", "in_menu")
    list_editable = ("position", "in_menu")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Writer)
class WriterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "email", "user")
    search_fields = ("name", "email")
    autocomplete_fields = ("user",)
    raw_id_fields = ("photo",)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "width", "height", "created_at")
    search_fields = ("caption", "alt", "credit")


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ("writer",)


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("headline", "category", "status", "published_at")
    list_filter = ("status", "category")
    search_fields = ("headline",)
    date_hierarchy = "published_at"
    list_select_related = ("category",)
    autocomplete_fields = ("tags",)
    raw_id_fields = ("lead_image",)
    inlines = [BylineInline, CorrectionInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("article", "created_at", "created_by", "note")
    list_select_related = ("article", "created_by")
    raw_id_fields = ("article",)
