from django.urls import path

from jusha.giving import views

app_name = "giving"
urlpatterns = [
    path("new/<slug:slug>/", views.donate, name="donate"),
    path("mine/", views.mine, name="mine"),
    path("project/<slug:slug>/", views.project_donations, name="project_donations"),
    path("<uuid:donation_id>/", views.receipt, name="receipt"),
    path("<uuid:donation_id>/claim/", views.claim, name="claim"),
    path("<uuid:donation_id>/receipt-link/", views.receipt_link_send, name="receipt_link_send"),
    path("<uuid:donation_id>/refund/", views.refund, name="refund"),
]
