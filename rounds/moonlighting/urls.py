from django.urls import path

from rounds.moonlighting import views

app_name = "moonlighting"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_page, name="request"),
    path("<int:pk>/<slug:action>/", views.request_act, name="act"),
]
