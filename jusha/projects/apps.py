from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "jusha.projects"
    label = "projects"
