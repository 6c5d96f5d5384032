"""Control characters: refused in every text field at the model edge, stripped from every XML output.

A control character (typed, or pasted from another program) breaks XML (feeds, sitemaps answer 500 or
invalid XML) and can hide text from editors. Tab, newline and carriage return are allowed only in
multi-line fields (TextField); nothing else of Unicode's Cc category, nor a lone surrogate or U+FFFE/FFFF.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What a multi-line form field may not hold (the desk's forms check with .search()).
CONTROL_CHARACTERS = _CONTROL_BUT_LINES


def first_control(value: str, *, multiline: bool = False) -> str | None:
    """The first control character in `value` (tab, newline and CR allowed when multiline), or None."""
    found = (_CONTROL_BUT_LINES if multiline else _ANY_CONTROL).search(value)
    return found.group() if found else None


def strip_controls(value: str) -> str:
    """`value` without the characters XML cannot carry (tab, newline and CR kept)."""
    return _CONTROL_BUT_LINES.sub("", value)


def controls_to_spaces(value: str) -> str:
    """`value` with each control character (tab and newline too) made a space: for one-line input
    that is echoed back, such as a search query, rather than refused."""
    return _ANY_CONTROL.sub(" ", value)


def control_errors(instance: models.Model, exclude=None) -> dict[str, list[ValidationError]]:
    """{field name: [error]} for each text field of `instance` holding a control character."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.name in (exclude or ()):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and (char := first_control(value, multiline=isinstance(field, models.TextField))):
            message = _("%(field)s contains a control character (U+%(code)04X); remove it and save again.") % {
                "field": field.verbose_name,
                "code": ord(char),
            }
            errors[field.name] = [ValidationError(message, code="control_character")]
    return errors


class RefusesControlCharacters:
    """Model mixin: full_clean (every admin and model form) refuses control characters, naming the field."""

    def clean_fields(self, exclude=None):
        errors = control_errors(self, exclude)
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.error_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
