from django.urls import path

from rounds.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/", views.program_list, name="programs"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("sites/", views.site_list, name="sites"),
    path("sites/<slug:slug>/", views.site_detail, name="site"),
]
