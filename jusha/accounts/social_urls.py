"""Only the social log-in's own URLs (mounted without a namespace: allauth reverses these
names). allauth's account pages (log-in, sign-up, e-mail, password) are not mounted: Jusha's
own pages are the way, and the two names allauth may ask for lead there."""

from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.providers.weibo import views as weibo
from allauth.socialaccount.providers.weixin import views as weixin
from django.urls import path
from django.views.generic import RedirectView

from jusha.accounts.social_views import offered, signup_limited

urlpatterns = [
    path("weixin/login/", offered("weixin")(weixin.oauth2_login), name="weixin_login"),
    path("weixin/login/callback/", offered("weixin", callback=True)(weixin.oauth2_callback), name="weixin_callback"),
    path("weibo/login/", offered("weibo")(weibo.oauth2_login), name="weibo_login"),
    path("weibo/login/callback/", offered("weibo", callback=True)(weibo.oauth2_callback), name="weibo_callback"),
    path("signup/", signup_limited(socialaccount_views.signup), name="socialaccount_signup"),
    path("login/cancelled/", socialaccount_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("login/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    path("login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True), name="account_login"),
    path("join/", RedirectView.as_view(pattern_name="accounts:signup", query_string=True), name="account_signup"),
]
