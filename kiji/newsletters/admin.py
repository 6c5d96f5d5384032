"""Newsletters in the newsroom: subscribers, and issues to compose, preview, test and schedule."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kiji.newsletters import services
from kiji.newsletters.models import Issue, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "status", "created_at", "confirmed_at", "unsubscribed_at")
    list_filter = ("status",)
    search_fields = ("email",)
    readonly_fields = ("created_at", "confirmed_at", "unsubscribed_at")
    actions = ["mark_bounced"]

    @admin.action(description=_("Mark as bounced (no more mail)"))
    def mark_bounced(self, request, queryset):
        count = queryset.update(status=Subscriber.Status.BOUNCED)
        self.message_user(request, _("%(count)d subscribers will get no more mail.") % {"count": count})


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("subject", "status", "send_at", "sent_at", "progress")
    list_filter = ("status",)
    fields = ("subject", "intro", "article_ids", "send_at", "status", "preview_html", "preview")
    readonly_fields = ("status", "preview_html", "preview")
    actions = ["send_test_mail", "schedule"]

    @admin.display(description=_("sent"))
    def progress(self, obj):
        sent = obj.deliveries.filter(sent_at__isnull=False).count()
        return f"{sent} / {obj.deliveries.count()}"

    @admin.display(description=_("preview (HTML)"))
    def preview_html(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown after saving.")
        message = services.build_message(
            obj, Subscriber(email="preview@example.jp", token="preview"), services.issue_articles(obj)
        )
        html = message.alternatives[0][0]
        # srcdoc is escaped by format_html; the sandbox keeps the mail's links and markup away from the admin
        return format_html(
            '<iframe sandbox srcdoc="{}" title="{}" style="width:100%;height:480px;border:1px solid #ccc"></iframe>',
            html,
            _("preview (HTML)"),
        )

    @admin.display(description=_("preview (plain text)"))
    def preview(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown after saving.")
        message = services.build_message(
            obj, Subscriber(email="preview@example.jp", token="preview"), services.issue_articles(obj)
        )
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', message.body)

    def get_changeform_initial_data(self, request):
        # A new issue starts as today's digest (picks and rankings); the editor edits it from there.
        return {**services.digest_defaults(), **super().get_changeform_initial_data(request)}

    @admin.action(description=_("Send a test mail to me"))
    def send_test_mail(self, request, queryset):
        if not request.user.email:
            self.message_user(request, _("Your account has no e-mail address."), messages.ERROR)
            return
        for issue in queryset:
            services.send_test(issue=issue, email=request.user.email)
        self.message_user(request, _("Test mail sent to %(email)s.") % {"email": request.user.email})

    @admin.action(description=_("Schedule (at the send time, or now)"))
    def schedule(self, request, queryset):
        now = timezone.now()
        for issue in queryset.filter(status=Issue.Status.DRAFT):
            issue.send_at = issue.send_at or now
            issue.status = Issue.Status.SCHEDULED
            issue.save(update_fields=["send_at", "status"])
        self.message_user(request, _("Scheduled."), messages.SUCCESS)
