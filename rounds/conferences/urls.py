from django.urls import path

from rounds.conferences import views

app_name = "conferences"
urlpatterns = [
    path("", views.home, name="home"),
    path("check-in/", views.check_in_page, name="check_in"),
    path("programs/<int:pk>/", views.program_page, name="program"),
    path("series/<int:pk>/", views.series_page, name="series"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/code/", views.session_code, name="code"),
    path("trainees/<int:pk>/", views.trainee_page, name="trainee"),
]
