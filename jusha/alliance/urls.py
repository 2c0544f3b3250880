from django.urls import path

from jusha.alliance import views

app_name = "alliance"
urlpatterns = [
    path("", views.alliance_index, name="index"),
    path("calendar.ics", views.calendar_ics, name="calendar"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/switch/", views.webhook_switch, name="webhook_switch"),
    path("webhooks/<int:pk>/deliveries/<int:delivery>/replay/", views.webhook_replay, name="webhook_replay"),
    path("ap/<str:kind>s/<slug:slug>", views.actor, name="actor"),
    path("ap/<str:kind>s/<slug:slug>/outbox", views.outbox, name="outbox"),
    path("ap/<str:kind>s/<slug:slug>/followers", views.followers, name="followers"),
    path("ap/<str:kind>s/<slug:slug>/inbox", views.inbox, name="inbox"),
]

data_urlpatterns = [
    path("", views.data_index, name="data"),
    path("ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("iati/<slug:slug>/activities.xml", views.iati_activities, name="iati_activities"),
    path("iati/<slug:slug>/organisation.xml", views.iati_organisation, name="iati_organisation"),
    path("360giving/<slug:slug>.json", views.giving360, name="giving360"),
]
