from django.urls import path

from jusha.ratings import views

app_name = "ratings"

urlpatterns = [
    path("method/", views.method_page, name="method"),
    path("feedback/<uuid:donation_id>/", views.feedback, name="feedback"),
    path("<slug:slug>/", views.organisation_rating, name="organisation"),
    path("<slug:slug>/recompute/", views.recompute, name="recompute"),
]
