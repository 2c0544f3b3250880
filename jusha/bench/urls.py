from django.urls import path

from jusha.bench import views

urlpatterns = [
    path("bench/bare", views.bench_bare, name="bench-bare"),
    path("bench/naive/complete/<uuid:donation_id>", views.bench_naive_complete, name="bench-naive-complete"),
]
