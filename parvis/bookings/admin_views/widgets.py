"""Widgets of the bookings back office."""

from __future__ import annotations

from django import forms

from parvis.payments.formatting import parse_euros


class EurosInput(forms.TextInput):
    """Edits an amount stored in integer cents as euros typed the French way (« 12,50 »).

    The model field stays an integer field: the widget shows ``1250`` as ``12,50`` and
    turns what is typed back into cents before the field cleans it. Text that is not an
    amount is passed through unchanged, so the field reports it as invalid next to the
    input and the typed text is kept.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"inputmode": "decimal", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs)

    def format_value(self, value):
        if value in (None, ""):
            return ""
        try:
            cents = int(value)
        except (TypeError, ValueError):
            return str(value)  # the text typed, shown back with its error
        whole, rest = divmod(cents, 100)
        return f"{whole},{rest:02d}"

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        if raw == "":
            return ""
        cents = parse_euros(raw)
        return raw if cents is None else str(cents)
