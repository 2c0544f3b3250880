from django.urls import path

from jusha.bench import views

urlpatterns = [
    path("bench/bare", views.bench_bare, name="bench-bare"),
    path("bench/bare-json", views.bench_bare_json, name="bench-bare-json"),
    path("bench/naive/complete/<uuid:donation_id>", views.bench_naive_complete, name="bench-naive-complete"),
]
