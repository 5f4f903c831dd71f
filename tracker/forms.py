from django import forms
from django.utils.translation import gettext_lazy as _


class QuestionForm(forms.Form):
    about = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Do not write your ID card number or other private details here."),
    )
