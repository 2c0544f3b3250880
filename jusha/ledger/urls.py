from django.urls import path

from jusha.ledger import views

app_name = "ledger"
urlpatterns = [
    path("<slug:slug>/", views.project_ledger, name="project"),
    path("<slug:slug>/ledger.csv", views.project_ledger_csv, name="project_csv"),
    path("<slug:slug>/expenditures/new/", views.expenditure_new, name="expenditure_new"),
]
