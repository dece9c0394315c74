"""Forms of the accounts app: the user's own password change."""

from django.contrib.auth import forms as auth_forms

from rectify.forms import BootstrapMixin


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password, new password twice) with the project's widget classes."""
