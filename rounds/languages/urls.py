from django.urls import path

from rounds.languages import views

app_name = "languages"
urlpatterns = [
    path("me/", views.my_languages, name="me"),
    path("me/<str:code>/remove/", views.my_language_remove, name="remove"),
    path("certifications/", views.certifications, name="certifications"),
    path("certifications/<int:pk>/delete/", views.certification_delete, name="cert_delete"),
    path("sites/", views.site_list, name="site_index"),
    path("sites/demand/upload/", views.demand_upload, name="demand_upload"),
    path("sites/<slug:slug>/", views.site_detail, name="concordance"),
    path("sites/<slug:slug>/population/", views.site_population_add, name="population"),
    path("sites/<slug:slug>/interpretation/", views.site_interpretation_set, name="interpretation"),
    path("planning/", views.planning, name="planning"),
]
