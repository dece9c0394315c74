"""Forms of the accounts app: the user's own password change, the second-factor code."""

from django import forms
from django.contrib.auth import forms as auth_forms

from rectify.forms import BootstrapMixin


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
