from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form with messages of our own, whole in either language (Django's
    Khmer catalogue lacks them, which left an English sentence around a Khmer field name)."""

    error_messages = {
        "invalid_login": _(
            "The username or the password is not right. Both are case-sensitive: check "
            "that Caps Lock is off."
        ),
        "inactive": _("This account is switched off. Ask your administrator."),
    }
