"""Forms of the accounts app: the user's own password change, the second-factor code."""

from django import forms
from django.contrib.auth import forms as auth_forms

from rectify.forms import BootstrapMixin

from .models import User


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password, new password twice) with the project's widget classes."""


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        strip=True,
        error_messages={"required": "请输入验证码。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class MessageSettingsForm(BootstrapMixin, forms.Form):
    """How the user wants to be told of events (the profile page)."""

    notify_channel = forms.ChoiceField(
        label="消息接收方式", choices=User.NotifyChannel.choices, widget=forms.RadioSelect
    )
    email = forms.EmailField(
        label="电子邮箱",
        required=False,
        error_messages={"invalid": "请输入有效的电子邮箱地址。"},
        help_text="选择“电子邮件”时，消息发往此地址。",
    )

    def clean(self):
        data = super().clean()
        if data.get("notify_channel") == User.NotifyChannel.EMAIL and not data.get("email"):
            self.add_error("email", "选择以电子邮件接收消息时，须填写电子邮箱。")
        return data
