from django import forms

from safeguarding.common.forms import GovukFormMixin


class SignInForm(GovukFormMixin, forms.Form):
    username = forms.CharField(
        max_length=150,
        label="Username",
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={
            "required": "Enter your username",
            "max_length": "Your username must be 150 characters or fewer",
        },
    )
    password = forms.CharField(
        max_length=200,
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "required": "Enter your password",
            "max_length": "Your password must be 200 characters or fewer",
        },
    )

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"]
        if not value.strip():
            raise forms.ValidationError("Enter your username")
        return value.strip()


class TwoFactorCodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app.",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
        error_messages={
            "required": "Enter the security code from your authenticator app",
            "min_length": "Security code must be 6 digits",
            "max_length": "Security code must be 6 digits",
        },
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Security code must only include numbers")
        return code
