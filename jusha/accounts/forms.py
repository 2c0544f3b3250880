from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jusha.accounts import lockout
from jusha.accounts.models import User


class LockoutMixin:
    """For a form that checks a password through `authenticate()`: when the log-in limiter
    refused the attempt, the form says when to try again and `retry_after` tells the view
    (which answers 429 with Retry-After)."""

    retry_after = None

    def refuse_if_locked(self, email) -> None:
        seconds = lockout.retry_after(self.request, email)
        if seconds is not None:
            self.retry_after = seconds
            raise ValidationError(lockout.locked_message(seconds), code=lockout.CODE)


class LockedLoginMixin(LockoutMixin):
    """For AuthenticationForm and its admin variant."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            self.refuse_if_locked(self.cleaned_data.get("username"))
            raise


class LoginForm(LockedLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class PasswordChangeForm(LockoutMixin, DjangoPasswordChangeForm):
    """The old password is checked through `authenticate()` like any log-in: a stolen session
    cannot try passwords here past the log-in limits."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if authenticate(self.request, email=self.user.email, password=old_password) != self.user:
            self.refuse_if_locked(self.user.email)
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class SignUpForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        help_text=_("Optional. Others see it instead of a masked email address, for example beside your gifts."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email address already exists. Log in or reset your password.")
            )
        return email

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            user = User(email=data.get("email", ""), display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        required=False,
        help_text=_("A word to remind you where the token is used, such as “reporting script”."),
    )
