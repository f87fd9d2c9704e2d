"""Word lists of the entity rules: function words, generic nouns, triggers, heads, boundaries."""

from __future__ import annotations

import re

from khabar.transforms.text.gazetteer import form


def _forms(words: str) -> frozenset[str]:
    return frozenset(form(w) for w in words.split())


FUNCTION_WORDS = _forms(
    "في من على عن إلى الى مع بين حول خلال بعد قبل عند منذ حتى ضد نحو لدى لدي أن إن أنه انه أنها كان كانت قد لا ما لم لن "
    "هو هي هم هذا هذه ذلك تلك التي الذي الذين و أو او ثم كما إذ اذا إذا كل بعض غير أي وفق وفقا بحسب حسب عبر دون "
    "قال وقال أكد وأكد أضاف وأضاف أشار وأشار أوضح وأوضح أعلن وأعلن ذكر وذكر تابع وتابع لفت ولفت يشار يذكر بأن بان "
    "فيما بينما وسط أمام وراء تحت فوق عقب إثر اثر لقاء لقائه اليوم أمس غدا"
)


# Function words that no name has inside it (conjunctions of clauses, pronouns, auxiliaries, reporting
# verbs), unlike the prepositions some names hold ("الجيش الإسلامي في العراق"): a tagged span that runs
# over one ("الاتحاد الوطني الكردستاني أن قوات ...") ends before it.
NAME_BREAKERS = _forms(
    "أن إن أنه انه أنها انها بأن بان كان كانت قد لا ما لم لن هو هي هم هذا هذه ذلك تلك التي الذي الذين أو او ثم "
    "كما إذ اذا إذا قال وقال أكد وأكد أضاف وأضاف أشار وأشار أوضح وأوضح أعلن وأعلن ذكر وذكر تابع وتابع لفت ولفت "
    "يشار يذكر فيما بينما "
    # the verbs news puts right after its subject's name, past tense ("استقبل الرئيس X": VSO, but "X استقبل"
    # in reported speech and headlines), which no name holds
    "استقبل استقبلت التقى التقت زار زارت فاز فازت غادر غادرت ترأس ترأست افتتح افتتحت تلقى تلقت أجرى أجرت "
    "شارك شاركت أعرب أعربت أشاد أشادت هنأ هنأت بعث بعثت أصدر أصدرت قرر قررت طالب طالبت نفى نفت شدد شددت "
    "جدد جددت اعتبر اعتبرت كشف كشفت توجه توجهت تسلم تسلمت تولى تولت أدى أدت عقد عقدت حقق حققت سجل سجلت "
    "خسر خسرت تعادل تعادلت انتخب انتخبت"
)


# Definite words that never belong to a name (times, generic nouns).
STOP_DEFINITE = _forms(
    "اليوم الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأسبوع الشهر العام السنة الماضي الماضية المقبل "
    "المقبلة الجاري الحالي الخاص الخاصة السابق الأسبق الحالية الجديد الجديدة الأول الثاني الأولى الثانية مساء صباح "
    "الطرفين الطرفان الجانبين الجانبان البلدين البلدان المنطقة البلاد الأمس الآن"
)


# Words that make an organization phrase generic ("وكالة أنباء النظام").
GENERIC = _forms("النظام الحكومة البلاد المنطقة البلدين الدولة المعارضة الاحتلال البلد الجانب الطرفين الوزراء الرجل المرأة")


# After قوات only: "قوات الأمن", "قوات الجيش" are not names.
FORCES_GENERIC = _forms("الأمن الجيش الشرطة الطوارئ النخبة الحدود")


FORCES = form("قوات")


ORG_TRIGGERS = _forms("تنظيم صحيفة جريدة موقع مجلة")  # the name follows; the trigger is not part of it


# Nouns that name a news outlet by the name after them ("لصحيفة «الشرق الأوسط»", "قناة الجزيرة", "لشبكة cnbc"):
# the name is an organization whatever it is alone, a place or a common word
# (entity_rules.EntityExtractor._media_names). The head is not part of the name.
MEDIA_HEAD_TEXT = ("صحيفة", "جريدة", "مجلة", "قناة", "فضائية", "شبكة", "تلفزيون", "إذاعة", "اذاعة", "وكالة", "موقع")
MEDIA_HEADS = _forms(" ".join(MEDIA_HEAD_TEXT))


# First words of given names of the "X الدين" kind ("عز الدين", "نور الدين", "محيي الدين"): with "الدين" one given name
DIN_FIRSTS = _forms(
    "عز نور صلاح علاء بهاء سيف جمال خير شمس محيي محي تقي عماد زين فخر نصر حسام بدر كمال شرف عصام ضياء نجم سراج ناصر محب ركن سعد قطب شهاب جلال"
)


ROLE_MODIFIERS = _forms("أول الركن ركن الخاص السابق الأسبق العام الأعلى الدائم المساعد بالوكالة")


LOC_HEADS_INCLUSIVE = _forms("مخيم معبر قاعدة")


LOC_HEADS = _forms("محافظة مدينة بلدة قرية ناحية قضاء منطقة")


# First words of villages' and towns' names of two words, after a head of LOC_HEADS ("قرية تل الضمان",
# "بلدة عين عيسى", "بلدة دير حافر", "قرية كفر نبودة", "منطقة بئر العبد", "بلدة رأس العين", "بلدة خان أرنبة").
PLACE_NAME_FIRSTS = _forms("تل عين دير كفر بئر رأس خان جسر")


PREPOSITIONS = _forms("في ل لل من الى إلى على ب")


# Diseases and outbreaks: never a word of a person's name ("لفيروس كورونا", "جائحة «كوفيد»"), though a
# tagger trained on older newswire reads an unknown foreign word after "فيروس" as one.
DISEASE_WORDS = _forms(
    "فيروس الفيروس فيروسات كورونا كوفيد جائحة الجائحة وباء الوباء إنفلونزا الإنفلونزا انفلونزا الانفلونزا كوليرا "
    "الكوليرا ملاريا الملاريا إيبولا الإيبولا جدري الجدري الحصبة الإيدز متحور المتحور أوميكرون"
)


# Words right before a place that say it is one: prepositions of place and motion, directions, place heads
# ("في القائم", "قرب الحلة", "قضاء العمارة"); a curated place that is also a common word needs one, a place the
# tagger finds and no list has one of the heads and directions (entity_rules).
PLACE_HEAD_CONTEXT = _forms("قرب شمال جنوب شرق غرب شمالي جنوبي شرقي غربي وسط محافظة مدينة بلدة قرية ناحية قضاء منطقة")
PLACE_CONTEXT = PLACE_HEAD_CONTEXT | _forms("في فى الى إلى من نحو داخل باتجاه")


# A spokesman speaks "باسم" (in the name of) a body: after these (and an "official" after them: "الناطق
# الرسمي باسم"), "باسم" is no given name.
SPOKESMEN = _forms("المتحدث الناطق متحدث ناطق المتحدثة الناطقة متحدثة ناطقة")
OFFICIAL = _forms("الرسمي الرسمية")
BISM = form("باسم")


QUOTES = "\"'“”«»‘’"


BOUNDARY = ",،.;؛:!?؟()[]{}\n|/-–—"


BOUNDARY_PATTERN = re.compile(f"[{re.escape(BOUNDARY)}]")


# Public bodies by a definite head, their style and their remit (entity_rules.EntityExtractor._institutions).
INSTITUTION_HEAD_TEXT = (
    "الهيئة",
    "المركز",
    "السلطة",
    "المديرية",
    "اللجنة",
    "المجلس",
    "المؤسسة",
    "الوكالة",
    "المفوضية",
    "الديوان",
    "الجهاز",
)
INSTITUTION_HEADS = _forms(" ".join(INSTITUTION_HEAD_TEXT))
INSTITUTION_HEAD_STEMS = tuple(head[:-1] if head.endswith("ة") else head for head in INSTITUTION_HEAD_TEXT)  # searched in the text
INSTITUTION_STYLES = _forms(
    "الوطني الوطنية العليا الأعلى العام العامة المستقل المستقلة الاتحادي الاتحادية الدولي الدولية المركزي "
    "المركزية الملكي الملكية الإقليمي الإقليمية الأهلي الأهلية الدائم الدائمة"
)


# Styles that go on after a place inside a body's name besides INSTITUTION_STYLES ("مجلس دير الزور العسكري",
# "مجلس حلب المحلي"); not styles of a name on their own ("الهيئة العسكرية المستقلة عن الجيش" describes).
PLACE_BODY_STYLES = INSTITUTION_STYLES | _forms("العسكري العسكرية المحلي المحلية")


# State bodies named by their function, a body with their country's adjective
# (entity_rules.EntityExtractor._state_bodies: "مجلس الوزراء السعودي", "البرلمان اللبناني"). Armed forces
# and police named by their function ("الجيش العراقي") are left out, as the samples' gold leaves them out.
STATE_BODY_TEXT = (
    "البنك المركزي",
    "المصرف المركزي",
    "مجلس الوزراء",
    "مجلس النواب",
    "مجلس الشيوخ",
    "مجلس الشورى",
    "مجلس الأمة",
    "مجلس الشعب",
    "الحرس الثوري",
    "المحكمة الدستورية",
    "المحكمة العليا",
    "المحكمة الاتحادية",
    "الدفاع المدني",
    "الوقاية المدنية",
    "الحماية المدنية",
    "البرلمان",
    "التلفزيون",
    "الإذاعة",
)
STATE_BODIES = tuple(tuple(form(word) for word in name.split()) for name in STATE_BODY_TEXT)
# Ministries' remits that name the ministry alone before its country's feminine adjective, agreeing with the
# "وزارة" left out: "أعلنت الخارجية العراقية", "الدفاع التركية" (EntityExtractor._short_ministries).
MINISTRY_REMITS = _forms("الخارجية الداخلية الدفاع الصحة المالية العدل النفط التربية الكهرباء التجارة")
# a style that ends a body's name after its country ("الملكية", "السلطانية", "الاتحادية")
STATE_STYLES = _forms("الملكي الملكية السلطاني السلطانية الاتحادي الاتحادية")


# Words of a match report (stems, after proclitics): a page with SPORTS_CUES_NEEDED of them reads as one,
# and the clubs of clubs.tsv are named on it (entity_rules.EntityExtractor._clubs).
SPORTS_CUES = _forms(
    "مباراة المباراة مباراتين لاعب اللاعب لاعبي لاعبين مدرب المدرب هدف الهدف هدفين أهداف الأهداف الدوري دوري "
    "البطولة بطولة كأس الكأس الملعب ملعب الشوط شوط ركلة ركلات المرمى حارس الفريق فريق النهائي نهائي التعادل تعادل"
)
SPORTS_CUES_NEEDED = 3
# A city's slot as a team on a match report (EntityExtractor._opponent): the word before it, or a match's word
# and a preposition; a city after a venue word is where the match is played
OPPONENT_WORDS = _forms("مضيفه ضيفه منافسه مضيفيه ضيفيه غريمه")
MATCH_PREPOSITIONS = _forms("على أمام مع ضد")
VENUE_WORDS = _forms("في فى إلى الى من")
MATCH_WORDS = _forms(
    "فوز فوزه فوزها فاز فازت تغلب تغلبت انتصر انتصاره تعادل تعادله تعادلت خسر خسرت خسارة خسارته الخسارة "
    "هزيمة هزيمته سقط سقوطه مباراة مباراته لقاء لقائه مواجهة مواجهته"
)
# what names a club with its club ("نادي الهلال", "النادي الأهلي") or its sports style ("الوداد الرياضي")
CLUB_HEADS = _forms("نادي النادي")
CLUB_STYLES = _forms("الرياضي")
