from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("texte alternatif"),
        required=False,
        max_length=250,
        help_text=_(
            "Décrit l'image pour qui ne la voit pas ; laissez vide si elle est décorative."
        ),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"
        label = _("Image")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("intitulé"), required=False)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("Document")


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"))
    text = blocks.TextBlock(label=_("texte"), required=False)
    button_label = blocks.CharBlock(label=_("libellé du bouton"))
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("ou adresse"), required=False)

    class Meta:
        icon = "pick"
        template = "cms/blocks/call_to_action.html"
        label = _("Appel à l'action")

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks import StructBlockValidationError

        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choisissez une page ou une adresse."))}
            )
        return super().clean(value)


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"))
    answer = blocks.RichTextBlock(label=_("réponse"), features=RICH_TEXT_FEATURES)


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("titre"), required=False)
    items = blocks.ListBlock(FaqItemBlock(), label=_("questions"))

    class Meta:
        icon = "help"
        template = "cms/blocks/faq.html"
        label = _("Questions fréquentes")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("citation"))
    author = blocks.CharBlock(label=_("auteur"), required=False)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"
        label = _("Citation")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Intertitre"), icon="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Texte"), features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    document = DocumentBlock()
    call_to_action = CallToActionBlock()
    faq = FaqBlock()
    table = TableBlock(label=_("Tableau"), template="cms/blocks/table.html")
    quote = QuoteBlock()


class QuickLinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("libellé"), max_length=60)
    icon = blocks.ChoiceBlock(
        label=_("pictogramme"),
        choices=[
            ("calendar", _("Rendez-vous")),
            ("document", _("Démarche")),
            ("school", _("École, cantine")),
            ("news", _("Actualités")),
            ("map", _("Carte")),
            ("phone", _("Contact")),
            ("alert", _("Alerte")),
            ("bin", _("Déchets")),
        ],
        default="document",
    )
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.CharBlock(label=_("ou adresse"), required=False)

    class Meta:
        icon = "link"
        label = _("Accès rapide")
