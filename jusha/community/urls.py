from django.urls import path

from jusha.community import views

app_name = "community"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("teams/<slug:slug>/", views.team, name="team"),
    path("teams/<slug:slug>/join/", views.team_join, name="team_join"),
    path("teams/<slug:slug>/leave/", views.team_leave, name="team_leave"),
    path("teams/<slug:slug>/updates/", views.team_update, name="team_update"),
    path("teams/<slug:slug>/share/", views.team_share, name="team_share"),
    path("teams/<slug:slug>/poster.svg", views.team_poster, name="team_poster"),
    path("projects/<slug:slug>/teams/", views.project_teams, name="project_teams"),
    path("projects/<slug:slug>/teams/new/", views.team_new, name="team_new"),
    path("circles/", views.circle_list, name="circles"),
    path("circles/<slug:slug>/", views.circle, name="circle"),
    path("circles/<slug:slug>/join/", views.circle_join, name="circle_join"),
    path("circles/<slug:slug>/leave/", views.circle_leave, name="circle_leave"),
    path("circles/<slug:slug>/posts/", views.circle_post, name="circle_post"),
    path("circles/<slug:slug>/gatherings/new/", views.gathering_new, name="gathering_new"),
    path("posts/<int:post_id>/comments/", views.comment, name="comment"),
    path("gatherings/<int:gathering_id>/", views.gathering, name="gathering"),
    path("gatherings/<int:gathering_id>/signup/", views.gathering_signup, name="gathering_signup"),
    path("gatherings/<int:gathering_id>/cancel/", views.gathering_cancel, name="gathering_cancel"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("people/<int:person_id>/block/", views.block, name="block"),
    path("follow/", views.follow, name="follow"),
    path("notifications/", views.notification_list, name="notifications"),
    path("settings/", views.member_settings, name="settings"),
]
