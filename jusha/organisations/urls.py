from django.urls import path

from jusha.organisations import views

app_name = "organisations"
urlpatterns = [
    path("new/", views.create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("staff/", views.staff_dashboard, name="staff_dashboard"),
    path("staff/<slug:slug>/verify/", views.staff_verify, name="staff_verify"),
    path("staff/<slug:slug>/reject/", views.staff_reject, name="staff_reject"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/verification/", views.verification, name="verification"),
    path("<slug:slug>/verification/<slug:step>/", views.verification_step, name="verification_step"),
    path("<slug:slug>/verification/<slug:step>/review/", views.verification_review, name="verification_review"),
    path("<slug:slug>/verification/<slug:step>/proof/", views.verification_proof, name="verification_proof"),
    path("<slug:slug>/invitations/", views.invite, name="invite"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
