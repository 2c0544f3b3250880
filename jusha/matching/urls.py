from django.urls import path

from jusha.matching import views

app_name = "matching"
urlpatterns = [
    path("review/", views.review_queue, name="review"),
    path("review/<uuid:donation_id>/", views.review_decide, name="decide"),
    path("<int:pk>/", views.pool_detail, name="pool"),
]
