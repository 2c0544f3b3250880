from django.urls import path

from jusha.social import views

app_name = "social"
urlpatterns = [
    path("share/<slug:slug>/", views.share, name="share"),
    path("relay/<slug:slug>/", views.relay, name="relay"),
    path("dashboard/<slug:slug>/", views.dashboard, name="dashboard"),
    path("card/<slug:slug>.png", views.card, name="card"),
    path("light/<uuid:donation_id>/", views.light, name="light"),
    path("me/", views.me, name="me"),
    path("<str:code>/poster.svg", views.poster_svg, name="poster_svg"),
    path("<str:code>/poster.png", views.poster_png, name="poster_png"),
    path("<str:code>/report/", views.report, name="report"),
    path("<str:code>", views.open_link, name="open"),
]
