"""The people screens of the admin (users and groups, registered here): a staff member set up in one form,
permissions named in Japanese; only administrators manage people, and only superusers make superusers."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kiji.newsroom.forms import CONTROL_CHARACTERS
from kiji.newsroom.models import Writer
from kiji.newsroom.services import staff
from kiji.newsroom.services.staff import ROLES, free_writer_slug, romaji_slug

_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission) -> str:
    """「ニュースルーム | 記事 | 記事の追加」: Django stores English names, written when the tables were made."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, rest = permission.codename.partition("_")
    if action in _ACTIONS and rest == model._meta.model_name:
        name = _ACTIONS[action] % {"model": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # the custom ones are msgids in our catalogue
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


class JapanesePermissionField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class StaffCreationForm(AdminUserCreationForm):
    """Login, role, display name and writer slug in one form; the role implies staff access."""

    role = forms.ChoiceField(label=_("role"), choices=[(r, r) for r in ROLES])
    display_name = forms.CharField(
        label=_("display name"), max_length=80, help_text=_("Shown to readers in bylines, e.g. 山田 花子.")
    )
    writer_slug = forms.SlugField(
        label=_("writer page address"),
        max_length=80,
        required=False,
        help_text=_("Used in the URL of the writer's page. Left empty, it is made from the name in romaji."),
    )
    email = forms.EmailField(
        label=_("e-mail"), required=False, help_text=_("Where the desk's notifications are sent. Not shown to readers.")
    )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if CONTROL_CHARACTERS.search(name):
            raise forms.ValidationError(gettext("The name contains control characters. Remove them and try again."))
        return name

    def clean(self):
        data = super().clean()
        slug = data.get("writer_slug") or (romaji_slug(data["display_name"]) if data.get("display_name") else "")
        if data.get("writer_slug") and Writer.objects.filter(slug=slug).exists():
            self.add_error("writer_slug", gettext("Another writer has this address. Choose another."))
        data["writer_slug"] = slug
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = self.cleaned_data.get("email", "")
        user.is_staff = True
        if commit:
            user.save()
        return user


# ---- people: only administrators manage users and groups, and only superusers make superusers ----

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class NewsroomUserAdmin(UserAdmin):
    add_form = StaffCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (
            _("Newsroom"),
            {"classes": ("wide",), "fields": ("role", "display_name", "writer_slug", "email")},
        ),
    )

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/staff.js"]  # fills the writer address from the name, in romaji, while it is untouched

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def _beyond_ceiling(self, request, obj) -> bool:
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        # Also guards the password view: UserAdmin.user_change_password asks this for the target user.
        return super().has_change_permission(request, obj) and not self._beyond_ceiling(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._beyond_ceiling(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "user_permissions":
            kwargs["form_class"] = JapanesePermissionField
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = groups_within(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and "role" in form.cleaned_data:
            staff.set_up_staff_member(
                user=form.instance,
                role=form.cleaned_data["role"],
                name=form.cleaned_data["display_name"],
                slug=free_writer_slug(form.cleaned_data["writer_slug"]),
            )
        staff.grant_staff_for_roles(form.instance)  # put in 記者 by hand: they can log in too

    def get_urls(self):
        romaji = path("romaji/", self.admin_site.admin_view(self.romaji_view), name="kiji_romaji")
        return [romaji, *super().get_urls()]

    def romaji_view(self, request):
        """The writer address the add form suggests for a name (static/js/staff.js asks as you type)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        name = request.GET.get("name", "")[:80]
        return JsonResponse({"slug": free_writer_slug(romaji_slug(name)) if name.strip() else ""})


def groups_within(user):
    """The groups whose every permission `user` holds (what they may hand out)."""
    held = user.get_all_permissions()
    allowed = [
        group.pk
        for group in Group.objects.prefetch_related("permissions__content_type")
        if {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} <= held
    ]
    return Group.objects.filter(pk__in=allowed)


admin.site.unregister(Group)


@admin.register(Group)
class NewsroomGroupAdmin(GroupAdmin):
    """Only superusers set what a group may do; an administrator sees the groups but cannot widen one."""

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["permissions"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions":
            kwargs["form_class"] = JapanesePermissionField
        return super().formfield_for_manytomany(db_field, request, **kwargs)
