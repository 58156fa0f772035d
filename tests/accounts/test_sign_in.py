import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.organisations.models import User
from tests.conftest import World

PASSWORD = "correct horse battery staple"


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_password_alone_does_not_open_any_page(world: World) -> None:
    client = Client()
    response = client.post("/sign-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/two-factor/"
    for url in ["/", "/people/", f"/people/{world.case.person_id}/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/two-factor/", url
    # Nor the API through the half-signed-in session.
    assert client.get("/api/v1/people/").status_code in (401, 403)


@pytest.mark.django_db
def test_enrol_then_sign_in_with_totp(world: World) -> None:
    client = Client()
    client.post("/sign-in/?next=/people/", {"username": "alice", "password": PASSWORD})
    page = client.get("/two-factor/")
    assert b"Set up your authenticator app" in page.content and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=world.mash, confirmed=False)
    wrong = client.post("/two-factor/", {"code": "000000" if _code(device) != "000000" else "111111"})
    assert b"The security code is not correct" in wrong.content and b"govuk-error-summary" in wrong.content
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/two-factor/", {"code": _code(device)})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next time: the verify step, not enrolment.
    client.post("/sign-out/")
    second = Client()
    second.post("/sign-in/", {"username": "alice", "password": PASSWORD})
    page = second.get("/two-factor/")
    assert b"Enter your security code" in page.content and b"<svg" not in page.content


@pytest.mark.django_db
def test_non_numeric_code_is_explained(world: World) -> None:
    client = Client()
    client.post("/sign-in/", {"username": "alice", "password": PASSWORD})
    response = client.post("/two-factor/", {"code": "abcdef"})
    assert b"Security code must only include numbers" in response.content


@pytest.mark.django_db
def test_open_redirect_is_refused(world: World) -> None:
    client = Client()
    client.post("/sign-in/?next=https://evil.example/", {"username": "alice", "password": PASSWORD})
    client.get("/two-factor/")
    device = TOTPDevice.objects.get(user=world.mash, confirmed=False)
    response = client.post("/two-factor/", {"code": _code(device)})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_wrong_password_shows_error_summary(world: World) -> None:
    response = Client().post("/sign-in/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"The username or password is not correct" in response.content


@pytest.mark.django_db
def test_a_blank_sign_in_asks_for_the_username_and_password_in_govuk_words(world: World) -> None:
    response = Client().post("/sign-in/", {"username": "", "password": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert '<a href="#id_username">Enter your username</a>' in page
    assert '<a href="#id_password">Enter your password</a>' in page
    assert "This field is required" not in page


@pytest.mark.django_db
def test_lockout_after_repeated_failures_is_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/sign-in/", {"username": "alice", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Your account is locked" in response.content
    assert "Failed sign-in for username 'alice'" in caplog.text
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.filter(username="alice").exists()


def test_session_expires_after_thirty_idle_minutes() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(world: World) -> None:
    user = User.objects.get(username="alice")
    user.set_password("another long passphrase")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_production_uses_argon2_first() -> None:
    from safeguarding.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.django_db
def test_pages_send_a_csp_without_inline_script(world: World) -> None:
    response = Client().get("/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert b"<script>" not in response.content
    assert b" style=" not in response.content
