from django.urls import path

from jusha.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("covers/<slug:cause>.svg", views.cover, name="cover"),
    path("<slug:slug>/", views.project_detail, name="detail"),
    path("<slug:slug>/progress/", views.project_progress, name="progress"),
    path("<slug:slug>/edit/", views.project_edit, name="edit"),
    path("<slug:slug>/transition/", views.project_transition, name="transition"),
    path("<slug:slug>/updates/new/", views.post_update, name="post_update"),
]
