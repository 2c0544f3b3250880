from django.urls import path

from jusha.sponsorship import views

app_name = "sponsorship"
urlpatterns = [
    path("", views.student_list, name="list"),
    path("students/<int:pk>/", views.student, name="student"),
    path("mine/", views.my_list, name="my_list"),
    path("s/<uuid:pk>/", views.sponsorship_page, name="mine"),
    path("s/<uuid:pk>/message/", views.message, name="message"),
    path("s/<uuid:pk>/choose/", views.choose, name="choose"),
    path("s/<uuid:pk>/renew/", views.renew, name="renew"),
    path("s/<uuid:pk>/report/", views.report, name="report"),
    path("s/<uuid:pk>/reply/", views.reply, name="reply"),
    path("s/<uuid:pk>/disburse/", views.disburse, name="disburse"),
    path("s/<uuid:pk>/unreachable/", views.unreachable, name="unreachable"),
    path("s/<uuid:pk>/complete/", views.complete, name="complete"),
    path("s/<uuid:pk>/messages/<int:message_pk>/moderate/", views.moderate, name="moderate"),
    path("reports/<int:pk>/photo/", views.report_photo, name="report_photo"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("org/<slug:slug>/", views.programme, name="programme"),
    path("org/<slug:slug>/setup/", views.programme_setup, name="programme_setup"),
    path("org/<slug:slug>/students/new/", views.student_new, name="student_new"),
    path("org/students/<int:pk>/", views.student_private, name="student_private"),
    path("org/students/<int:pk>/withdraw/", views.student_withdraw, name="student_withdraw"),
]
