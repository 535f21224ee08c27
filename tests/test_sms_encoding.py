"""SMS length: GSM-7 vs UCS-2, segments, French characters, the GSM-safe suggestion."""

import pytest

from parvis.newsletter.sms.encoding import non_gsm_characters, segments, to_gsm_safe


@pytest.mark.parametrize(
    "text",
    [
        "Réunion publique à la salle des fêtes ? Non : à l'école, 18 h.",  # ê: UCS-2
        "Coupure d'eau rue de la Poste demain matin",
    ],
)
def test_plain_french_texts_have_the_expected_encoding(text):
    count = segments(text)
    assert count.encoding == ("UCS-2" if "ê" in text else "GSM-7")
    assert count.segments == 1


def test_accents_of_the_gsm_alphabet_keep_gsm7():
    # é è ù ì ò à Ç É are in the GSM 03.38 basic set.
    count = segments("Élection : vérifiez où se trouve votre bureau, à côté de l'église")
    assert count.encoding == "UCS-2"  # ô of « côté » is not
    text = "Élection : vérifiez où voter, à la mairie. Ça se passe dimanche"
    count = segments(text)
    assert (count.encoding, count.segments) == ("GSM-7", 1)
    assert count.length == len(text) == 63  # one septet each


@pytest.mark.parametrize("char", ["ê", "â", "î", "ô", "û", "ç", "œ", "’", "«"])
def test_french_characters_outside_gsm7_switch_to_ucs2(char):
    count = segments(f"Alerte {char}")
    assert count.encoding == "UCS-2"
    assert count.per_segment == 70


def test_gsm7_boundaries_160_then_153_per_segment():
    assert segments("a" * 160).segments == 1
    assert segments("a" * 160).remaining == 0
    count = segments("a" * 161)
    assert (count.segments, count.per_segment, count.remaining) == (2, 153, 145)
    assert segments("a" * 306).segments == 2
    assert segments("a" * 307).segments == 3


def test_extension_characters_count_two_septets():
    count = segments("Tarif : 5 €")
    assert (count.encoding, count.length) == ("GSM-7", 12)
    assert segments("€" * 80).segments == 1
    assert segments("€" * 81).segments == 2
    for char in "^{}\\[~]|":
        assert segments(char).length == 2


def test_an_extension_character_is_never_split_across_segments():
    # 306 septets would fit in 2 segments of 153, but the € cannot straddle them.
    text = "a" * 152 + "€" + "a" * 152
    count = segments(text)
    assert count.length == 306
    assert count.segments == 3


def test_ucs2_boundaries_70_then_67_per_segment():
    assert segments("ê" * 70).segments == 1
    count = segments("ê" * 71)
    assert (count.segments, count.per_segment, count.remaining) == (2, 67, 63)
    assert segments("ê" * 134).segments == 2
    assert segments("ê" * 135).segments == 3


def test_emoji_count_two_code_units_and_are_never_split():
    count = segments("Feu de forêt 🔥")
    assert (count.encoding, count.length) == ("UCS-2", 15)
    assert segments("🔥" * 35).segments == 1
    assert segments("🔥" * 36).segments == 2
    text = "ê" * 66 + "🔥" + "ê" * 66
    assert segments(text).length == 134
    assert segments(text).segments == 3


def test_empty_text_costs_nothing():
    count = segments("")
    assert (count.segments, count.length, count.remaining) == (0, 0, 160)


def test_gsm_safe_suggestion_keeps_a_french_text_in_one_gsm_segment():
    text = "Fête de la Saint-Jean : rendez-vous à 19 h, place de l’église. Œuvres d’art, crêpes."
    assert segments(text).encoding == "UCS-2"
    assert non_gsm_characters(text) == ["ê", "’", "Œ"]
    safe = to_gsm_safe(text)
    assert safe == (
        "Fete de la Saint-Jean : rendez-vous à 19 h, place de l'église. OEuvres d'art, crepes."
    )
    assert segments(safe).encoding == "GSM-7"


def test_gsm_safe_suggestion_leaves_emoji_alone():
    assert to_gsm_safe("Canicule 🌡 : buvez de l’eau") == "Canicule 🌡 : buvez de l'eau"
    assert segments(to_gsm_safe("Canicule 🌡")).encoding == "UCS-2"
