from django.urls import path

from jusha.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("<slug:slug>/", views.batch_list, name="list"),
    path("<slug:slug>/plan/", views.plan, name="plan"),
    path("<slug:slug>/<int:number>/", views.batch_detail, name="detail"),
    path("<slug:slug>/<int:number>/purchase/", views.purchase, name="purchase"),
    path("<slug:slug>/<int:number>/ship/", views.ship, name="ship"),
    path("<slug:slug>/<int:number>/delivered/", views.delivered, name="delivered"),
    path("<slug:slug>/<int:number>/disclose/", views.disclose, name="disclose"),
    path("<slug:slug>/<int:number>/confirm/", views.confirm, name="confirm"),
    path("<slug:slug>/<int:number>/signatures/<int:pk>/", views.signature, name="signature"),
]
