from django.urls import path

from rounds.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.raise_concern, name="raise"),
    path("return/", views.return_by_code, name="return"),
    path("t/<str:code>/", views.thread, name="thread"),
    path("mine/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.case, name="case"),
    path("inbox/<int:pk>/status/", views.case_status, name="case_status"),
    path("handlers/", views.handlers, name="handlers"),
]
