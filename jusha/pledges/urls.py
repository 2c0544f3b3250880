from django.urls import path

from jusha.pledges import stats_views, views

app_name = "pledges"
urlpatterns = [
    path("new/", views.pledge_new, name="new"),
    path("<uuid:pledge_id>/signed/", views.pledge_signed, name="signed"),
    path("<uuid:pledge_id>/action/", views.pledge_action, name="action"),
    path("receipt/<int:year>/", views.annual_receipt, name="annual_receipt"),
    path("retention/", stats_views.retention_platform, name="retention"),
    path("retention/org/<slug:slug>/", stats_views.retention_organisation, name="retention_organisation"),
]
