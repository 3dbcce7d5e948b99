"""Unicode controls in what a platform says about a post: names, handles and titles lose every
direction and zero-width control (a name wrapped in U+202E reads backwards on a card), except a
zero-width joiner inside an emoji sequence, which is part of the character; post text keeps marks
and joiners but loses the controls that reorder what follows."""
import pytest

from archiver.embeds.base import Post, neutral_text, without_controls

FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"          # one emoji drawn from three
HEART_ON_FIRE = "\u2764\ufe0f\u200d\U0001F525"


@pytest.mark.parametrize("raw, expected", [
    ("\u202eCity Desk\u202c", "City Desk"),
    ("\u2067Ana\u2069 Ruiz\u200b", "Ana Ruiz"),
    ("\ufeffnews\u200edesk\u200f", "newsdesk"),
    ("Ana\u200dRuiz", "AnaRuiz"),                                  # a joiner between letters hides
    (f"Ana {FAMILY}", f"Ana {FAMILY}"),
    (f"{HEART_ON_FIRE} fan", f"{HEART_ON_FIRE} fan"),
    ("\U0001F468\u200d ", "\U0001F468 "),                          # a joiner that joins nothing
])
def test_names_lose_controls_but_keep_emoji_sequences(raw, expected):
    assert without_controls(raw) == expected


def test_text_keeps_marks_and_joiners_but_not_overrides():
    assert neutral_text("\u202eabc\u202c \u200f\u05e9\u05dc\u05d5\u05dd " + FAMILY) == \
        "abc \u200f\u05e9\u05dc\u05d5\u05dd " + FAMILY


def test_post_put_applies_the_rules_by_field():
    post = Post(provider="x", kind="post")
    post.put("author_name", f"\u202eDesk {FAMILY}\u202c", "oembed")
    post.put("text", "\u2066quoted\u2069 \u200dtext", "oembed")
    assert post.author_name == f"Desk {FAMILY}"
    assert post.text == "quoted \u200dtext"
