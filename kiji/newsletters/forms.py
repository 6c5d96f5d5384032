"""The subscribe form: an e-mail address and a honeypot."""

from django import forms


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="メールアドレス",
        max_length=254,
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません（例: taro@example.jp）。",
            "max_length": "メールアドレスが長すぎます。",
        },
    )
    # The honeypot: hidden from people (and from screen readers), filled in by naive bots.
    website = forms.CharField(required=False)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if any(ord(c) < 32 or ord(c) == 127 for c in email):
            raise forms.ValidationError("メールアドレスに使えない文字が含まれています。")
        return email
