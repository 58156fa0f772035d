from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.person_pages import person_create_view
from safeguarding.accounts.views import home_view
from safeguarding.health import ReachableHealthCheckView
from safeguarding.people import urls as people_urls

# The admin uses the service's own sign-in (password + two-factor, lockout) rather than its own form.
admin.site.login = lambda request, extra_context=None: redirect("accounts:sign-in")  # type: ignore[method-assign]
admin.site.site_header = "Reachable administration"
admin.site.site_title = "Reachable administration"

# The person pages, and "add a person and open a case" among them: it is a cases workflow, and people (core)
# imports no domain app, so it joins the people namespace here.
people_urlpatterns = [*people_urls.urlpatterns, path("add/", person_create_view, name="create")]

urlpatterns = [
    path("", home_view, name="home"),
    path("", include("safeguarding.accounts.urls")),
    path("people/", include((people_urlpatterns, people_urls.app_name))),
    path("cases/", include("cases.urls")),
    path("networks/", include("cases.networks.urls")),
    path("chronology/", include("cases.chronology.urls")),
    path("missing/", include("cases.missing.urls")),
    path("education/", include("cases.education.urls")),
    path("housing/", include("cases.housing.urls")),
    path("nrm/", include("cases.nrm.urls")),
    path("records/", include("cases.records.urls")),
    path("referrals/", include("referrals.urls")),
    path("panels/", include("panels.urls")),
    path("deadlines/", include("safeguarding.deadlines.urls")),
    path("api/v1/", include("safeguarding.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", ReachableHealthCheckView.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
]

handler404 = "safeguarding.common.api.api_aware_not_found"
