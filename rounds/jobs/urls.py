from django.urls import path

from rounds.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/retry/", views.retry, name="retry"),
]
