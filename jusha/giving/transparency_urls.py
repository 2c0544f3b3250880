"""The transparency pages giving serves (transparency_views), wired by config/urls.py under
/log/ in the `transparency` namespace, after the log's own (jusha.transparency.urls)."""

from django.urls import path

from jusha.giving import transparency_views as views

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("receipts/<uuid:donation_id>.tlog-proof", views.receipt_bundle, name="receipt_bundle"),
    path("receipts/<uuid:donation_id>/panel", views.receipt_fragment, name="receipt_fragment"),
    path("flow/", views.flow_platform, name="flow"),
    path("flow/<slug:slug>/", views.flow_project, name="flow_project"),
]
