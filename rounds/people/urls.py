from django.urls import path

from rounds.people import views

app_name = "people"
urlpatterns = [
    path("me/contact/", views.contact, name="contact"),
    path("pick/", views.pick, name="pick"),
]
