from django.urls import path

from rounds.caselogs import views

app_name = "caselogs"
urlpatterns = [
    path("", views.home, name="home"),
    path("trainees/<int:pk>/", views.trainee_log, name="trainee"),
    path("trainees/<int:pk>/log/", views.log, name="log"),
    path("entries/<int:pk>/edit/", views.edit, name="edit"),
    path("queue/", views.queue, name="queue"),
    path("entries/<int:pk>/verify/", views.verify, name="verify"),
    path("entries/<int:pk>/return/", views.send_back, name="return"),
    path("programs/<int:pk>/", views.program, name="program"),
    path("programs/<int:pk>/export.csv", views.export, name="export"),
]
