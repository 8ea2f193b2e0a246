from django.urls import path

from rounds.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("requests/<int:pk>/", views.fill, name="fill"),
    path("e/<str:token>/", views.link, name="link"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/release/", views.evaluation_release, name="release"),
    path("about-me/", views.about_me, name="about_me"),
    path("written/", views.written, name="written"),
    path("burden/", views.burden, name="burden"),
    path("faculty/<int:pk>/", views.faculty_aggregates, name="faculty"),
    path("programs/<int:pk>/", views.program_page, name="program"),
    path("programs/<int:pk>/settings/", views.settings_page, name="settings"),
    path("programs/<int:pk>/links/", views.link_create, name="link_create"),
    path("programs/<int:pk>/teaching/", views.teaching, name="teaching"),
    path("programs/<int:pk>/teaching/cell/", views.teaching_cell, name="teaching_cell"),
    path("programs/<int:pk>/teaching/copy/", views.teaching_copy, name="teaching_copy"),
    path("programs/<int:pk>/teaching/import/", views.teaching_upload, name="teaching_import"),
    path("programs/<int:pk>/forms/", views.forms_list, name="forms"),
    path("forms/<int:pk>/", views.form_builder, name="form"),
]
