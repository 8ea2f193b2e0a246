"""The public program finder: thin views over rounds.public.selectors."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rounds.public import selectors
from rounds.public.forms import ProgramFilterForm

PROGRAMS_PER_PAGE = 24
SITES_PER_PAGE = 48


def home(request: HttpRequest) -> HttpResponse:
    institution = selectors.institution_get()
    context = {
        "institution": institution,
        "figures": selectors.home_figures(institution),
        "testimonials": selectors.testimonials_published(),
    }
    return render(request, "public/home.html", context)


def program_list(request: HttpRequest) -> HttpResponse:
    form = ProgramFilterForm(request.GET, options=selectors.program_filter_options())
    filters = form.filters()
    paginator = Paginator(selectors.program_search(filters), PROGRAMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "programs": page.object_list,
        "query": query.urlencode(),
    }
    return render(request, "public/program_list.html", context)


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "public/program_detail.html", {"page": selectors.program_page(slug)})


def site_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.site_list(), SITES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "public/site_list.html", {"page": page, "sites": page.object_list})


def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "public/site_detail.html", {"page": selectors.site_page(slug)})
