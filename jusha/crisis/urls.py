from django.urls import path

from jusha.crisis import views

app_name = "crisis"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("duty/", views.duty, name="duty"),
    path("sources/", views.sources, name="sources"),
    path("team/", views.team, name="team"),
    path("team/<int:user_id>/revoke/", views.revoke, name="revoke"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("cases/<int:case_id>/claim/", views.claim, name="claim"),
    path("cases/<int:case_id>/release/", views.release, name="release"),
    path("cases/<int:case_id>/contact/", views.contact, name="contact"),
    path("cases/<int:case_id>/close/", views.close, name="close"),
]
