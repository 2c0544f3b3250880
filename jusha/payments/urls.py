from django.urls import path

from jusha.payments import views

app_name = "payments"
urlpatterns = [
    path("sandbox/agreement/<str:agreement_id>/", views.sandbox_agreement, name="sandbox_agreement"),
    path("sandbox/<str:intent_id>/", views.sandbox_pay, name="sandbox_pay"),
    path("reconciliation/", views.reconciliations, name="reconciliations"),
    path("reconciliation/<int:pk>/", views.reconciliation, name="reconciliation"),
    path("<slug:provider>/<str:out_trade_no>/", views.pay, name="pay"),
]
