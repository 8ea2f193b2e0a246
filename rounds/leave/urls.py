"""Mounted under /record/leave/ (one include in rounds/urls.py), beside the training record."""

from django.urls import path

from rounds.leave import views

app_name = "leave"
urlpatterns = [
    path("", views.home, name="home"),
    path("trainees/<int:pk>/", views.trainee, name="trainee"),
    path("trainees/<int:pk>/extend/", views.extend, name="extend"),
    path("trainees/<int:pk>/remediation/", views.remediation_add, name="remediation_add"),
    path("remediation/<int:pk>/close/", views.remediation_end, name="remediation_close"),
]
