from django.urls import path

from jusha.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("figures/", views.figures_page, name="figures"),
    path("me/", views.me, name="me"),
    path("c/", views.scan, name="scan"),  # what a check-in QR code opens
    path("verify/", views.verify_page, name="verify"),  # what a certificate's QR code opens
    path("a/<int:pk>/", views.activity_detail, name="activity"),
    path("a/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("a/<int:pk>/report/", views.report, name="report"),
    path("a/<int:pk>/certificate/", views.certificate_activity, name="certificate_activity"),
    path("certificate/<int:year>/", views.certificate_year, name="certificate_year"),
    path("shift/<int:pk>/signup/", views.signup, name="signup"),
    path("shift/<int:pk>/run/", views.run_shift, name="run_shift"),
    path("shift/<int:pk>/code/", views.shift_code, name="code"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("signups/<int:pk>/calendar.ics", views.signup_ics, name="ics"),
    path("signups/<int:pk>/<str:action>/", views.roster_action, name="roster_action"),
    path("hours/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("hours/<int:pk>/<str:action>/", views.hours_decide, name="hours_decide"),
    path("proposals/<int:pk>/<str:action>/", views.proposal_decide, name="proposal_decide"),
    path("org/<slug:slug>/", views.organisation_page, name="organisation"),
    path("org/<slug:slug>/new/", views.activity_new, name="activity_new"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
]
