from django.urls import path

from jusha.missing import views

app_name = "missing"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("404.js", views.widget_script, name="script"),
    path("frame/", views.frame, name="frame"),
    path("impact/", views.impact, name="impact"),
    path("sites/", views.sites, name="sites"),
    path("partners/", views.partners, name="partners"),
    path("sites/<int:pk>/", views.site_detail, name="site"),
    path("sites/<int:pk>/revoke/", views.site_revoke, name="site_revoke"),
    path("org/<slug:slug>/", views.dashboard, name="dashboard"),
    path("org/<slug:slug>/new/", views.case_new, name="case_new"),
    path("org/<slug:slug>/feeds/", views.feeds, name="feeds"),
    path("org/<slug:slug>/feeds/<int:pk>/", views.feed, name="feed"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/poster/", views.poster, name="poster"),
    path("<int:pk>/photo/<str:kind>/", views.photo, name="photo"),
    path("<int:pk>/sighting/", views.sighting, name="sighting"),
    path("<int:pk>/manage/", views.case_manage, name="manage"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("sightings/<int:pk>/", views.sighting_status, name="sighting_status"),
    path("sightings/<int:pk>/photo/", views.sighting_photo, name="sighting_photo"),
]
