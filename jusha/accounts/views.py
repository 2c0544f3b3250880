from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from jusha.accounts import lockout
from jusha.accounts.contributions import me_sections
from jusha.accounts.forms import ApiTokenForm, LoginForm, PasswordChangeForm, SignUpForm
from jusha.accounts.permissions import access_api_token
from jusha.accounts.selectors import api_tokens_active, social_accounts_of
from jusha.accounts.social import networks_of, providers_offered
from jusha.accounts.services import (
    api_token_create,
    api_token_revoke,
    email_confirmation_resend,
    user_email_confirm,
    user_for_email_confirmation,
    user_sign_up,
)
from jusha.core.errors import DomainError, NotFound, RateLimited
from jusha.core.ratelimit import client_ip, rate_limit
from jusha.core.sections import collect_sections

SIGNUP_FIELDS = {"email_taken": "email", "email_reserved": "email", "password_invalid": "password1"}


def _too_many(request, template: str, context: dict, exc: RateLimited):
    messages.error(request, exc.detail)
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe else ""


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "social_providers": providers_offered(self.request)}

    def form_invalid(self, form):
        # Past the log-in limits: the form again, saying when to try again (429, Retry-After).
        return lockout.locked_response(super().form_invalid(form), form.retry_after)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image cannot log anyone out."""


@require_http_methods(["GET", "POST"])
def signup(request):
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or "accounts:me")
    form = SignUpForm(request.POST or None)
    context = {"form": form, "next": next_url}
    if request.method == "POST":
        try:
            rate_limit("signup", client_ip(request))
        except RateLimited as exc:
            return _too_many(request, "accounts/signup.html", {**context, "form": SignUpForm()}, exc)
        if form.is_valid():
            try:
                user = user_sign_up(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"],
                )
            except DomainError as exc:
                form.add_error(SIGNUP_FIELDS.get(exc.code), exc.detail)
            else:
                login(request, user, backend="jusha.accounts.backends.EmailBackend")
                messages.success(request, _("Welcome to Jusha. Your account is ready."))
                messages.info(request, _("We have sent a link to %(email)s: open it to confirm your email address.")
                              % {"email": user.email})
                return redirect(next_url or "accounts:me")
    return render(request, "accounts/signup.html", context)


def _me_context(request, **extra) -> dict:
    return {
        "sections": collect_sections(me_sections, request.user),  # invitations, organisations
        "tokens": api_tokens_active(request.user),
        "token_form": ApiTokenForm(),
        "networks": networks_of(request, request.user, social_accounts_of(request.user)),
        **extra,
    }


@login_required
def me(request):
    return render(request, "accounts/me.html", _me_context(request))


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/me.html", _me_context(request, token_form=form))
    token, secret = api_token_create(name=form.cleaned_data["name"], actor=request.user)
    # Shown in this response only: the secret is not stored and the page is not cached.
    response = render(request, "accounts/me.html", _me_context(request, new_token=token, new_secret=secret))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    try:
        token = access_api_token(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The API token was revoked. Programs using it can no longer sign in."))
    return redirect("accounts:me")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        try:  # each request may send an email
            rate_limit("password_reset", client_ip(request))
        except RateLimited as exc:
            return _too_many(request, self.template_name, self.get_context_data(form=self.form_class()), exc)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.account_unlock(form.user.email)  # the owner, from their mailbox, ends the lock
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")
    success_message = gettext_lazy("Your password was changed.")
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        return lockout.locked_response(super().form_invalid(form), form.retry_after)


@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """The link mailed at sign-up. GET shows which address it confirms and changes nothing
    (mail scanners open links); the button POSTs and confirms. No log-in needed: the link
    itself proves the mailbox."""
    template = "accounts/confirm_address.html"
    try:
        account = user_email_confirm(token=token) if request.method == "POST" else user_for_email_confirmation(token)
    except DomainError as exc:
        return render(request, template, {"error": exc.detail}, status=400)
    if request.method == "POST":
        messages.success(request, _("Your email address is confirmed."))
        return redirect("accounts:me" if request.user.is_authenticated else "accounts:login")
    if account.email_verified_at is not None:
        messages.info(request, _("Your email address is already confirmed."))
        return redirect("accounts:me" if request.user.is_authenticated else "accounts:login")
    return render(request, template, {"account": account})


@login_required
@require_POST
def email_confirm_resend(request):
    try:  # each request sends an email
        rate_limit("email_confirm", f"user:{request.user.pk}")
    except RateLimited as exc:
        return _too_many(request, "accounts/me.html", _me_context(request), exc)
    try:
        email_confirmation_resend(actor=request.user)
    except DomainError as exc:
        messages.info(request, exc.detail)
    else:
        messages.success(request, _("We have sent a new confirmation link to %(email)s.") % {"email": request.user.email})
    return redirect("accounts:me")
