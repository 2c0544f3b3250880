from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config.api import api
from jusha.core import views as core_views
from jusha.projects import views as project_views

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("jusha.accounts.urls")),
    path("orgs/", include("jusha.organisations.urls")),
    path("projects/", include("jusha.projects.urls")),
    path("donations/", include("jusha.giving.urls")),
    path("pay/", include("jusha.payments.urls")),
    path("ledger/", include("jusha.ledger.urls")),
    path("log/", include("jusha.transparency.urls")),
    path("batches/", include("jusha.fulfilment.urls")),
    path("pools/", include("jusha.matching.urls")),
    path("campaigns/", include("jusha.campaigns.urls")),
    path("s/", include("jusha.social.urls")),
    path("media/<path:path>", core_views.media, name="media"),
]

if settings.JUSHA_BENCH_ENDPOINTS:
    urlpatterns += [
        path("bench/bare", core_views.bench_bare, name="bench-bare"),
        path("bench/naive/complete/<uuid:donation_id>", core_views.bench_naive_complete, name="bench-naive-complete"),
    ]
