from django.urls import path

from jusha.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/card.png", views.campaign_card, name="card"),
    path("<slug:slug>/live/", views.campaign_live, name="live"),
    path("<slug:slug>/results/", views.campaign_results, name="results"),
    path("<slug:slug>/apply/", views.campaign_apply, name="apply"),
    path("<slug:slug>/applications/<int:pk>/", views.application_transition, name="application"),
]
