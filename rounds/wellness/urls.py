from django.urls import path

from rounds.wellness import views

app_name = "wellness"
urlpatterns = [
    path("", views.home, name="home"),
    path("support/", views.support, name="support"),
    path("support/new/", views.resource_edit, name="resource_new"),
    path("support/<int:pk>/", views.resource_edit, name="resource_edit"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/questions/new/", views.question_new, name="question_new"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/answer/", views.answer, name="answer"),
    path("surveys/<int:pk>/remind/", views.survey_remind, name="survey_remind"),
    path("surveys/<int:pk>/stop/", views.survey_stop, name="survey_stop"),
    path("committees/new/", views.committee_new, name="committee_new"),
    path("committees/<int:pk>/", views.committee_detail, name="committee"),
    path("committees/<int:pk>/edit/", views.committee_new, name="committee_edit"),
    path("committees/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        "committees/<int:pk>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("committees/<int:pk>/gatherings/new/", views.gathering_edit, name="gathering_new"),
    path(
        "committees/<int:pk>/gatherings/<int:gathering_pk>/",
        views.gathering_edit,
        name="gathering_edit",
    ),
    path("committees/<int:pk>/initiatives/new/", views.initiative_edit, name="initiative_new"),
    path(
        "committees/<int:pk>/initiatives/<int:initiative_pk>/",
        views.initiative_edit,
        name="initiative_edit",
    ),
]
