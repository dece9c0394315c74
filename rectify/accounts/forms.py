from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        strip=True,
        error_messages={"required": "请输入验证码。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
