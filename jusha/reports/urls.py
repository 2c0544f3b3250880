from django.urls import path

from jusha.reports import views

app_name = "reports"

urlpatterns = [
    path("new/", views.report_new, name="new"),
    path("sent/", views.report_sent, name="sent"),
    path("staff/", views.staff_queue, name="staff_queue"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/decide/", views.staff_decide, name="staff_decide"),
    path("staff/<int:pk>/note/", views.staff_note, name="staff_note"),
    path("staff/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence"),
    path("org/<slug:slug>/", views.organisation_reports, name="organisation"),
    path("org/<slug:slug>/<int:pk>/answer/", views.organisation_answer, name="answer"),
]
