from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from jusha.alliance import urls as alliance_urls
from jusha.alliance import views as alliance_views
from jusha.core import views as core_views
from jusha.missing import views as missing_views
from jusha.giving import transparency_urls as giving_log_urls
from jusha.transparency import urls as log_urls
from jusha.projects import views as project_views

urlpatterns = [
    # The 404 widget's notice, first: asked on every page the widget is on (jusha/missing/views.py).
    path("api/v1/missing/notice", missing_views.notice, name="missing-notice"),
    path("", project_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("jusha.accounts.urls")),
    # Log-in with WeChat and Weibo (django-allauth's providers; nothing else of allauth).
    path("accounts/social/", include("jusha.accounts.social_urls")),
    path("orgs/", include("jusha.organisations.urls")),
    path("projects/", include("jusha.projects.urls")),
    path("donations/", include("jusha.giving.urls")),
    path("pay/", include("jusha.payments.urls")),
    path("ledger/", include("jusha.ledger.urls")),
    # The log's own views and giving's pages about gifts and projects, in one namespace.
    path("log/", include((log_urls.urlpatterns + giving_log_urls.urlpatterns, "transparency"))),
    path("batches/", include("jusha.fulfilment.urls")),
    path("pools/", include("jusha.matching.urls")),
    path("campaigns/", include("jusha.campaigns.urls")),
    path("reports/", include("jusha.reports.urls")),
    path("ratings/", include("jusha.ratings.urls")),
    path("funds/", include("jusha.funds.urls")),
    path("pledges/", include("jusha.pledges.urls")),
    path("s/", include("jusha.social.urls")),
    path("community/", include("jusha.community.urls")),
    path("volunteer/", include("jusha.volunteering.urls")),
    path("missing/", include("jusha.missing.urls")),
    path("sponsorship/", include("jusha.sponsorship.urls")),
    path("crisis/", include("jusha.crisis.urls")),
    path("alliance/", include("jusha.alliance.urls")),
    path("data/", include((alliance_urls.data_urlpatterns, "opendata"))),
    path(".well-known/webfinger", alliance_views.webfinger, name="webfinger"),
    path("media/<path:path>", core_views.media, name="media"),
]

if settings.JUSHA_BENCH_ENDPOINTS:
    urlpatterns += [path("", include("jusha.bench.urls"))]
