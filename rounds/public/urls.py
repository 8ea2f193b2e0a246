from django.urls import path

from rounds.lib.pagecache import public_page
from rounds.public import views

app_name = "public"
# Every page here is the same for everyone: served from the cache to anonymous visitors.
urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("programs/", public_page(views.program_list), name="programs"),
    path("programs/<slug:slug>/", public_page(views.program_detail), name="program"),
    path("sites/", public_page(views.site_list), name="sites"),
    path("sites/<slug:slug>/", public_page(views.site_detail), name="site"),
]
