import base64
import logging
import uuid
from dataclasses import dataclass

import segno
from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audits.models import AuditAction
from audits.services import audit_read
from safeguarding.accounts.forms import SignInForm, TwoFactorCodeForm
from safeguarding.accounts.home import HomePage, home_sections
from safeguarding.accounts.services import is_two_factor_verified, totp_device_confirm, totp_device_for_setup
from safeguarding.organisations.access import reads_case_data
from safeguarding.organisations.models import User

logger = logging.getLogger(__name__)

NEXT_SESSION_KEY = "sign_in_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return "/"


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = auth.authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            # Axes records the failure (and locks out after repeated failures); we log it for the SOC too.
            logger.warning(
                "Failed sign-in for username %r from %s",
                form.cleaned_data["username"],
                request.META.get("REMOTE_ADDR"),
            )
            form.add_error(None, "The username or password is not correct")
        else:
            auth.login(request, user)
            request.session[NEXT_SESSION_KEY] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:two-factor")
    return render(request, "accounts/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step: verify a code from a confirmed device, or enrol one if the user has none yet."""
    if not request.user.is_authenticated:
        return redirect("accounts:sign-in")
    if is_two_factor_verified(request.user):
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = totp_device_for_setup(user=request.user)
    assert device is not None
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                totp_device_confirm(device=device)
            otp_login(request, device)
            logger.info("Two-factor passed for %s", request.user.get_username())
            return redirect(_safe_next(request, request.session.pop(NEXT_SESSION_KEY, None)))
        logger.warning("Wrong two-factor code for %s", request.user.get_username())
        form.add_error("code", "The security code is not correct or has expired. Enter the code shown now.")
    context: dict[str, object] = {"form": form, "enrolling": enrolling}
    if enrolling:
        secret = base64.b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, title="QR code to add Reachable to your authenticator app"
        )
    return render(request, "accounts/two_factor.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("accounts:signed-out")


def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@dataclass(frozen=True)
class _HomePart:
    template_name: str
    part: dict[str, object]


def home_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's work, as their roles shape it: the registered sections that are for them, most
    urgent first, and one audit row naming every person the page shows."""
    assert isinstance(request.user, User)
    page = HomePage(actor=request.user, now=timezone.now())
    parts = []
    for section in home_sections():
        part = section.context(page)
        if part is not None:
            parts.append(_HomePart(section.template_name, dict(part)))
    found: list[uuid.UUID] = []
    for home_part in parts:
        ids = home_part.part.get("person_ids") or []
        assert isinstance(ids, list)
        found.extend(ids)
    shown = list(dict.fromkeys(found))
    if shown:
        audit_read(request, action=AuditAction.LIST, object_type="home", object_id=None, person_ids=shown)
    return render(
        request,
        "home.html",
        {"parts": parts, "reads_case_data": reads_case_data(request.user), "now_iso": page.now.isoformat()},
    )
