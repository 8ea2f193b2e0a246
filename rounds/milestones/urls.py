from django.urls import path

from rounds.milestones import views

app_name = "milestones"

urlpatterns = [
    path("", views.home, name="home"),
    path("summary/", views.summary, name="summary"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("program/<slug:slug>/", views.program, name="program"),
    path("program/<slug:slug>/appoint/", views.appoint, name="appoint"),
    path("program/<slug:slug>/open/", views.open_review, name="open_review"),
    path("seat/<int:pk>/end/", views.end_seat, name="end_seat"),
    path("review/<int:pk>/", views.review, name="review"),
    path("review/<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("review/<int:pk>/export.csv", views.export, name="export"),
    path("review/<int:pk>/resident/<int:trainee_pk>/", views.resident, name="resident"),
    path("review/<int:pk>/resident/<int:trainee_pk>/propose/", views.propose, name="propose"),
    path("review/<int:pk>/resident/<int:trainee_pk>/consensus/", views.consensus, name="consensus"),
    path(
        "review/<int:pk>/resident/<int:trainee_pk>/summary/",
        views.summary_edit,
        name="summary_edit",
    ),
    path("review/<int:pk>/resident/<int:trainee_pk>/correct/", views.correct, name="correct"),
    path("review/<int:pk>/resident/<int:trainee_pk>/meeting/", views.meeting, name="meeting"),
]
