"""Mounted at the site root (one include in rounds/urls.py): the record under /record/ and the
public verification page at /verify/<code>/, the address printed on every letter."""

from django.urls import path

from rounds.record import views

app_name = "record"
urlpatterns = [
    path("record/", views.home, name="home"),
    path("record/trainees/<int:pk>/", views.trainee_record, name="trainee"),
    path("record/trainees/<int:pk>/letters/sign/", views.letter_sign, name="letter_sign"),
    path("record/trainees/<int:pk>/credentials/", views.credential_add, name="credential_add"),
    path("record/credentials/", views.credentials, name="credentials"),
    path("record/onboarding/", views.onboarding, name="onboarding"),
    path("record/onboarding/<int:pk>/done/", views.onboarding_done, name="onboarding_done"),
    path("record/onboarding/<int:pk>/file/", views.onboarding_file, name="onboarding_file"),
    path("record/letters/<int:pk>/pdf/", views.letter_download, name="letter_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
