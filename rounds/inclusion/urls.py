from django.urls import path

from rounds.inclusion import views

app_name = "inclusion"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_identity, name="me"),
    path("me/withdraw/", views.my_identity_withdraw, name="withdraw"),
    path("definition/", views.definition_edit, name="definition"),
    path("export.csv", views.export_csv, name="export"),
    path("recruitment/", views.cycle_list, name="cycles"),
    path("recruitment/<int:pk>/", views.cycle_detail, name="cycle"),
    path("recruitment/<int:pk>/upload/", views.cycle_upload, name="upload"),
    path("recruitment/<int:pk>/export.csv", views.cycle_export, name="cycle_export"),
    path("imports/<slug:spec>/<int:upload>/map/", views.import_map, name="map"),
    path("imports/<slug:spec>/<int:upload>/map/<int:cycle>/", views.import_map, name="map"),
    path("imports/jobs/<int:pk>/", views.job_detail, name="job"),
    path("advancement/", views.advancement, name="advancement"),
    path("advancement/record/", views.advancement_record, name="advancement_record"),
]
