from django.urls import path

from rounds.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.raise_concern, name="raise"),
    path("return/", views.return_by_code, name="return"),
    path("mine/<str:reference>/", views.mine_detail, name="mine_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<str:reference>/", views.case, name="case"),
    path("inbox/<str:reference>/status/", views.case_status, name="case_status"),
    path("handlers/", views.handlers, name="handlers"),
]
