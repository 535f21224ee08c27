"""The blocks staff assemble a procedure's form from (pages of fields), without a developer.

A form is a list of pages; a page is a list of fields. Every field has a ``key`` unique in
the form (the name its value is stored under), a label, a help text, a required flag and
an optional condition (« afficher si le champ X vaut Y »). The published form is frozen
as JSON in a :class:`~parvis.procedures.models.ProcedureVersion`; rendering and server-side
validation read that JSON (see :mod:`parvis.procedures.formspec`), never these blocks.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Lettres minuscules, chiffres et « _ », en commençant par une lettre (40 au plus)."),
)


class BaseFieldBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        label=_("identifiant"),
        max_length=40,
        validators=[KEY_VALIDATOR],
        help_text=_("Nom technique unique dans le formulaire, par exemple « date_naissance »."),
    )
    label = blocks.CharBlock(label=_("libellé"), max_length=200)
    help_text = blocks.CharBlock(label=_("aide"), max_length=300, required=False)
    required = blocks.BooleanBlock(label=_("obligatoire"), required=False, default=True)
    show_if_key = blocks.CharBlock(
        label=_("afficher seulement si le champ"),
        max_length=40,
        required=False,
        help_text=_("Identifiant d'un autre champ du formulaire."),
    )
    show_if_value = blocks.CharBlock(
        label=_("vaut"),
        max_length=200,
        required=False,
        help_text=_("Valeur attendue (pour une case à cocher : « oui »)."),
    )

    class Meta:
        icon = "form"


class TextFieldBlock(BaseFieldBlock):
    max_length = blocks.IntegerBlock(
        label=_("longueur maximum"), required=False, min_value=1, max_value=500
    )
    pattern = blocks.CharBlock(
        label=_("format attendu (expression régulière)"), max_length=200, required=False
    )
    pattern_message = blocks.CharBlock(
        label=_("message si le format est faux"), max_length=200, required=False
    )

    class Meta:
        label = _("Texte court")
        icon = "pilcrow"


class LongTextFieldBlock(BaseFieldBlock):
    max_length = blocks.IntegerBlock(
        label=_("longueur maximum"), required=False, min_value=1, max_value=10000
    )

    class Meta:
        label = _("Texte long")
        icon = "doc-full"


class EmailFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Adresse e-mail")
        icon = "mail"


class PhoneFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Téléphone")
        icon = "mobile-alt"


class DateFieldBlock(BaseFieldBlock):
    constraint = blocks.ChoiceBlock(
        label=_("contrainte"),
        choices=[
            ("", _("aucune")),
            ("past", _("dans le passé ou aujourd'hui")),
            ("future", _("aujourd'hui ou plus tard")),
        ],
        required=False,
    )

    class Meta:
        label = _("Date")
        icon = "date"


class NumberFieldBlock(BaseFieldBlock):
    min_value = blocks.DecimalBlock(label=_("minimum"), required=False)
    max_value = blocks.DecimalBlock(label=_("maximum"), required=False)
    integer = blocks.BooleanBlock(label=_("nombre entier"), required=False, default=True)

    class Meta:
        label = _("Nombre")
        icon = "order"


class ChoiceFieldBlock(BaseFieldBlock):
    choices = blocks.TextBlock(label=_("choix (un par ligne)"))
    widget = blocks.ChoiceBlock(
        label=_("présentation"),
        choices=[("radio", _("boutons radio")), ("select", _("liste déroulante"))],
        default="radio",
    )

    class Meta:
        label = _("Choix unique")
        icon = "radio-full"


class MultipleChoiceFieldBlock(BaseFieldBlock):
    choices = blocks.TextBlock(label=_("choix (un par ligne)"))
    min_selected = blocks.IntegerBlock(label=_("au moins"), required=False, min_value=0)
    max_selected = blocks.IntegerBlock(label=_("au plus"), required=False, min_value=1)

    class Meta:
        label = _("Choix multiple")
        icon = "tasks"


class CheckboxFieldBlock(BaseFieldBlock):
    class Meta:
        label = _("Case à cocher")
        icon = "tick-inverse"


class FileFieldBlock(BaseFieldBlock):
    accept = blocks.MultipleChoiceBlock(
        label=_("types acceptés"),
        choices=[("pdf", _("PDF")), ("image", _("photo (JPEG, PNG, WebP)"))],
        default=["pdf", "image"],
    )
    max_size_mb = blocks.IntegerBlock(
        label=_("taille maximum (Mo)"), default=10, min_value=1, max_value=20
    )
    max_files = blocks.IntegerBlock(
        label=_("nombre de fichiers au plus"), default=1, min_value=1, max_value=10
    )

    class Meta:
        label = _("Pièce jointe")
        icon = "doc-empty-inverse"


class AddressFieldBlock(BaseFieldBlock):
    with_point = blocks.BooleanBlock(
        label=_("demander un point sur la carte"), required=False, default=False
    )

    class Meta:
        label = _("Adresse (et point sur la carte)")
        icon = "site"


class IdentityFieldBlock(BaseFieldBlock):
    with_birth = blocks.BooleanBlock(
        label=_("demander la date et le lieu de naissance"), required=False, default=True
    )
    with_birth_name = blocks.BooleanBlock(
        label=_("demander le nom de naissance"), required=False, default=False
    )

    class Meta:
        label = _("Bloc identité")
        icon = "user"


class SimpleFieldStream(blocks.StreamBlock):
    """The fields a repeating group may hold (no nested groups, no files)."""

    text = TextFieldBlock()
    long_text = LongTextFieldBlock()
    email = EmailFieldBlock()
    phone = PhoneFieldBlock()
    date = DateFieldBlock()
    number = NumberFieldBlock()
    choice = ChoiceFieldBlock()
    multiple_choice = MultipleChoiceFieldBlock()
    checkbox = CheckboxFieldBlock()


class RepeatingGroupBlock(BaseFieldBlock):
    """A table: the resident adds as many rows as needed (children, pieces of furniture)."""

    row_label = blocks.CharBlock(label=_("libellé d'une ligne"), max_length=80, default=_("Ligne"))
    min_rows = blocks.IntegerBlock(label=_("lignes au moins"), default=1, min_value=0, max_value=20)
    max_rows = blocks.IntegerBlock(label=_("lignes au plus"), default=5, min_value=1, max_value=50)
    fields = SimpleFieldStream(label=_("colonnes"))

    class Meta:
        label = _("Tableau (groupe répété)")
        icon = "table"


class FieldStream(SimpleFieldStream):
    file = FileFieldBlock()
    address = AddressFieldBlock()
    identity = IdentityFieldBlock()
    group = RepeatingGroupBlock()


class FormPageBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre de l'étape"), max_length=120)
    intro = blocks.TextBlock(label=_("texte d'introduction"), required=False)
    fields = FieldStream(label=_("champs"))

    class Meta:
        label = _("Étape")
        icon = "list-ul"


class FormStream(blocks.StreamBlock):
    page = FormPageBlock()

    class Meta:
        min_num = 1
