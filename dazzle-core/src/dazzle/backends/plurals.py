"""``plural``: the English plural of a DSL name, for backends that name a
collection after an entity (a URL ``/ticket-categories``, a back-relation
``tickets Ticket[]``). One function, so that every backend of a project says
the same plural for the same entity."""

from __future__ import annotations

import re

__all__ = ["plural"]

#: A word of a name's part between underscores: a run of capitals not
#: followed by a lower-case letter (an acronym: ``FAQ``, the ``HTTP`` of
#: ``HTTPRequest``), or an optional capital followed by lower-case letters and
#: digits, or digits.
_WORD = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z0-9]+|[0-9]+")

_IRREGULAR = {
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "tooth": "teeth",
    "foot": "feet",
    "mouse": "mice",
    "goose": "geese",
    "ox": "oxen",
    "datum": "data",
    "medium": "media",
    "criterion": "criteria",
    "phenomenon": "phenomena",
    "matrix": "matrices",
    "vertex": "vertices",
    "appendix": "appendices",
    "axis": "axes",
    "quiz": "quizzes",
    "leaf": "leaves",
    "life": "lives",
    "knife": "knives",
    "wife": "wives",
    "half": "halves",
    "shelf": "shelves",
    "wolf": "wolves",
    "thief": "thieves",
    "calf": "calves",
    "loaf": "loaves",
    "hero": "heroes",
    "potato": "potatoes",
    "tomato": "tomatoes",
    "echo": "echoes",
    "veto": "vetoes",
    "lens": "lenses",
}

#: Words whose plural is the word itself, or that are plural already.
_UNCHANGED = frozenset(
    """
    advice aircraft data equipment evidence feedback fish furniture hardware
    information knowledge luggage metadata money moose news offspring police
    research rice salmon series sheep software species staff traffic trout
    deer weather
    """.split()
) | frozenset(_IRREGULAR.values())

_VOWELS = frozenset("aeiou")


def _plural_word(word: str) -> str:
    """The plural of one lower-case word."""
    if word in _UNCHANGED:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("sis"):
        return word[:-2] + "es"  # analysis -> analyses
    if word.endswith(("ss", "us", "as", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("s"):
        return word  # settings, details: plural already
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def plural(name: str) -> str:
    """The English plural of ``name``'s last word, the rest of the name as
    written: ``Ticket`` -> ``Tickets``, ``ticket_category`` ->
    ``ticket_categories``, ``SalesPerson`` -> ``SalesPeople``, ``FAQ`` ->
    ``FAQs``, ``Analysis`` -> ``Analyses``, ``Settings`` -> ``Settings``.

    Words are split as a DSL name reads: at ``_`` and where a capital starts
    a word. The last word keeps its casing where the plural only adds letters
    (``FAQ`` -> ``FAQs``); an irregular plural keeps the capital of its first
    letter (``Person`` -> ``People``). A name that ends with no letter or digit
    (``x_``) gets an ``s``."""
    words = _WORD.findall(name.rpartition("_")[2])
    if not words or not name.endswith(words[-1]):
        return name + "s"
    word = words[-1]
    head = name[: len(name) - len(word)]
    lower = word.lower()
    plural_lower = _plural_word(lower)
    if plural_lower.startswith(lower):
        return head + word + plural_lower[len(lower) :]
    if word[0].isupper():
        plural_lower = plural_lower[0].upper() + plural_lower[1:]
    return head + plural_lower
