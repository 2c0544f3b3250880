from django.urls import path

from jusha.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("<slug:cause>/", views.fund_detail, name="detail"),
]
