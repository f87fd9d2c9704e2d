"""Words and patterns of the line classifier: its line classes, function words, end-of-article markers and teaser leads."""

from __future__ import annotations

import re

from khabar.transforms.text.normalize import normalize_light

# Line classes.
GOOD, NEAR_GOOD, SHORT, BAD = "good", "near_good", "short", "bad"


_LIST_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)\-]|[-•*·▪●])\s+")


FUNCTION_WORDS = frozenset(
    normalize_light(w)
    for w in [
        "في",
        "من",
        "على",
        "إلى",
        "الى",
        "عن",
        "أن",
        "ان",
        "إن",
        "مع",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "التي",
        "الذي",
        "الذين",
        "اللذين",
        "كان",
        "كانت",
        "قد",
        "لا",
        "ما",
        "لم",
        "لن",
        "و",
        "أو",
        "او",
        "ثم",
        "بين",
        "حول",
        "خلال",
        "بعد",
        "قبل",
        "عند",
        "منذ",
        "حتى",
        "كما",
        "أنه",
        "انه",
        "أنها",
        "إنه",
        "هو",
        "هي",
        "هم",
        "لها",
        "له",
        "فيه",
        "فيها",
        "عليه",
        "عليها",
        "ضد",
        "نحو",
        "غير",
        "كل",
        "بعض",
        "أي",
        "أيضا",
        "وفي",
        "ومن",
        "وعلى",
        "وأن",
        "وقد",
        "وكان",
        "وهو",
        "وهي",
        "وذلك",
        "وهذا",
        "وقال",
        "وأكد",
        "وأضاف",
        "وأشار",
        "وأوضح",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "from",
        "at",
        "that",
        "this",
        "it",
        "as",
        "has",
        "have",
        "had",
        "not",
    ]
)


# End-of-article markers: short lines after which a page holds comments,
# related links, share widgets or tags, never article text.
END_MARKERS = re.compile(
    # compiled from its light-normalized source: lines are compared in that form
    normalize_light(
        r"^(?:\d+\s+)?(?:تعليق|تعليقات|التعليقات|comments?)(?:\s*\(\d+\))?\s*:?$"
        r"|^(?:اترك|أترك)\s+(?:ردا|رد|تعليقا|تعليق)"
        r"|^(?:أضف|اضف|إضافة|اضافة|أكتب|اكتب)\s+(?:تعليقا|تعليق|تعليقك)"
        r"|^شروط\s+(?:التعليق|التعليقات|النشر)"
        r"|لن يتم نشر (?:عنوان )?بريدك"
        r"|^(?:مقالات|أخبار|اخبار|مواضيع|مواد|قصص|تقارير)\s+(?:ذات صلة|ذات علاقة|متعلقة|مشابهة|مرتبطة)"
        r"|^(?:الأكثر|الاكثر)\s+(?:قراءة|قراءه|مشاهدة|مشاهده|تداولا)"
        r"|^(?:اقرأ|إقرأ|اقرا)\s+(?:أيضا|ايضا|أيضاً|ايضاً|المزيد)\s*:?$"
        r"|^(?:الوسوم|وسوم|كلمات مفتاحية|الكلمات المفتاحية|tags)\s*:"
        r"|^(?:شارك|مشاركة|شارك الخبر|share)\s*:?$"
        r"|print friendly|leave a (?:reply|comment)|related (?:articles|posts|news)|you may also like|please enter your"
    ),
    re.I,
)


# Teaser links inside a body: "اقرأ أيضاً: <another headline>".
TEASER = re.compile(
    r"^\s*(?:اقرأ|إقرأ|اقرا|طالع|شاهد|تابع|للمزيد|يهمك|قد يهمك|read|see|watch)\s*(?:أيضا|ايضا|أيضاً|ايضاً|كذلك|المزيد|also|more)?\s*[:：\-–]\s*\S",
    re.I,
)
