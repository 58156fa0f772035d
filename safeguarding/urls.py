from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.views import home_view
from safeguarding.health import ReachableHealthCheckView

# The admin uses the service's own sign-in (password + two-factor, lockout) rather than its own form.
admin.site.login = lambda request, extra_context=None: redirect("accounts:sign-in")  # type: ignore[method-assign]
admin.site.site_header = "Reachable administration"
admin.site.site_title = "Reachable administration"

urlpatterns = [
    path("", home_view, name="home"),
    path("", include("safeguarding.accounts.urls")),
    path("people/", include("safeguarding.people.urls")),
    path("cases/", include("cases.urls")),
    path("referrals/", include("referrals.urls")),
    path("deadlines/", include("safeguarding.deadlines.urls")),
    path("api/v1/", include("safeguarding.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", ReachableHealthCheckView.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
]
