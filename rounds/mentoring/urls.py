from django.urls import path

from rounds.mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile_edit, name="profile"),
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/status/", views.cycle_status, name="cycle_status"),
    path("cycles/<int:pk>/run/", views.cycle_run, name="cycle_run"),
    path("cycles/<int:pk>/job/", views.cycle_job, name="cycle_job"),
    path("cycles/<int:pk>/assign/", views.cycle_assign, name="cycle_assign"),
    path("cycles/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycles/<int:pk>/apply/", views.apply, name="apply"),
    path("cycles/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("cycles/<int:pk>/mentor/", views.mentor_join, name="mentor_join"),
    path("proposals/<int:pk>/remove/", views.pair_remove, name="pair_remove"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair"),
    path("pairs/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("pairs/<int:pk>/goals/<int:goal_pk>/toggle/", views.goal_toggle, name="goal_toggle"),
    path("pairs/<int:pk>/meetings/", views.meeting_add, name="meeting_add"),
    path("pairs/<int:pk>/rematch/", views.rematch, name="rematch"),
    path("quiet/", views.quiet, name="quiet"),
    path("rematch/", views.rematch_list, name="rematch_list"),
    path("rematch/<int:pk>/resolve/", views.rematch_resolve, name="rematch_resolve"),
    path("coaching/", views.coaching, name="coaching"),
    path("coaching/slots/", views.slot_add, name="slot_add"),
    path("coaching/slots/<int:pk>/withdraw/", views.slot_withdraw, name="slot_withdraw"),
    path("coaching/slots/<int:pk>/book/", views.slot_book, name="slot_book"),
    path("coaching/slots/<int:pk>/release/", views.slot_release, name="slot_release"),
    path("coaching/notes/", views.notes, name="notes"),
    path("coaching/notes/<int:pk>/delete/", views.note_delete, name="note_delete"),
    path("coaching/participation/", views.participation, name="participation"),
]
