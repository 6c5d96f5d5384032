"""The comment form: raw fields plus the bot checks (honeypot, minimum time on page)."""

import time

from django import forms
from django.conf import settings
from django.core import signing

STARTED_SALT = "kiji.comments.started"
FORM_MAX = 5000


def started_stamp(now: float | None = None) -> str:
    """A signed 'form shown at' time; the post must come at least KIJI_COMMENTS_MIN_SECONDS later."""
    return signing.dumps(int(time.time() if now is None else now), salt=STARTED_SALT)


class CommentForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=FORM_MAX)
    nickname = forms.CharField(required=False, max_length=FORM_MAX)
    started = forms.CharField(required=False)
    # The honeypot: hidden from people (and from screen readers), filled in by naive bots.
    website = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError("送信できませんでした。")
        try:
            started = signing.loads(data.get("started") or "", salt=STARTED_SALT)
        except signing.BadSignature:
            raise forms.ValidationError("フォームの有効期限が切れました。もう一度投稿してください。") from None
        if not isinstance(started, int) or time.time() - started > settings.KIJI_COMMENTS_FORM_MAX_AGE:
            # An old stamp would let a bot wait once and post for ever without the minimum-time check.
            raise forms.ValidationError("フォームの有効期限が切れました。もう一度投稿してください。")
        if time.time() - started < settings.KIJI_COMMENTS_MIN_SECONDS:
            raise forms.ValidationError("投稿が速すぎます。内容を確かめてから、もう一度投稿してください。")
        return data

    def error_message(self) -> str:
        for field in ("body", "nickname"):
            if self.errors.get(field):
                return "コメントが長すぎます。" if field == "body" else "ニックネームが長すぎます。"
        return " ".join(self.non_field_errors())
