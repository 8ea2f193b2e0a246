from django.urls import path

from rounds.schedules import call_views, feeds, views

app_name = "schedules"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/<int:pk>/<int:year>/", views.program_year, name="program"),
    path("programs/<int:pk>/<int:year>/blocks/", views.blocks_new, name="blocks_new"),
    path("programs/<int:pk>/<int:year>/solve/", views.solve, name="solve"),
    path("solves/<int:pk>/", views.job_status, name="job"),
    path("solves/<int:pk>/cancel/", views.job_stop, name="job_cancel"),
    path("versions/<int:pk>/", views.grid, name="grid"),
    path("versions/<int:pk>/cell/", views.cell_set, name="cell"),
    path("versions/<int:pk>/lock/", views.cell_lock, name="lock"),
    path("versions/<int:pk>/publish/", views.publish, name="publish"),
    path("versions/<int:pk>/new/", views.new_version, name="new_version"),
    path("versions/<int:pk>/compare/<int:other>/", views.compare, name="compare"),
    path("versions/<int:pk>/export.xlsx", feeds.export_xlsx, name="export"),
    path("versions/<int:pk>/import/", feeds.import_xlsx, name="import"),
    path("me/", views.mine, name="mine"),
    path("me/vacation/", views.vacation_new, name="vacation_new"),
    path("vacations/<int:pk>/decide/", views.vacation_decision, name="vacation_decide"),
    path("sites/<slug:slug>/", views.site_view, name="site"),
    path("on-call/", views.on_call, name="on_call"),
    path("calendars/", feeds.feed_list, name="feeds"),
    path("calendars/new/", feeds.feed_new, name="feed_new"),
    path("calendars/<int:pk>/revoke/", feeds.feed_revoke, name="feed_revoke"),
    path("ical/<str:token>.ics", feeds.feed_ics, name="ics"),
    path("calls/programs/<int:pk>/", call_views.program_calls, name="calls"),
    path("calls/programs/<int:pk>/build/", call_views.call_build, name="call_build"),
    path("calls/<int:pk>/", call_views.call_grid, name="call"),
    path("calls/<int:pk>/publish/", call_views.call_publish, name="call_publish"),
    path("calls/swaps/<int:pk>/decide/", call_views.swap_decision, name="swap_decide"),
    path("calls/me/", call_views.my_calls, name="my_calls"),
    path("calls/shifts/<int:pk>/offer/", call_views.swap_offer, name="swap_offer"),
    path("calls/requests/", call_views.call_request, name="call_request"),
]
