"""What kind of answer a question asks for (a number, a time, a reason), and whether a text has one.

Used twice: sentence selection favours sentences of the asked-for kind, and refusal counts an answer
lacking it as weak evidence that the article does not say."""
from __future__ import annotations

import re

from .text import SPELT_NUMBERS, URL

NUMBER_WORDS = "|".join(w for w in SPELT_NUMBERS if w != "zero") + r"|dozens?|hundreds?|thousands?|millions?|billions?|percent"
# A quantity: digits standing as a number ("30", "1.89 billion", "15-minute", "5%"), not inside a name or code ("TSP-1",
# "401k", "18F"), or a number word.
NUMBER = re.compile(r"(?<!\w)(?<![A-Za-z]-)\d+(?:[.,:]\d+)*(?![A-Za-z\d])|\b(?:" + NUMBER_WORDS + r")\b", re.I)
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
TIME = re.compile(r"\d|\b(?:" + MONTHS + "|" + WEEKDAYS + "|" + r"today|yesterday|tomorrow|tonight|year|years|"
                  r"month|months|week|weeks|day|days|daily|weekly|monthly|yearly|annually|hours?|minutes?|decades?|"
                  r"centur(?:y|ies)|ago|now|recently|soon|later|earlier|after|before|until|since|during|when|once)\b", re.I)
# A point or span of time an answer can give: a year, a date, a clock time, a month or weekday, a unit of time
# ("14 calendar days"), "ago", "yesterday" — not a bare "after", "when" or "now", which nearly every sentence has,
# nor a count of something else ("over 30 members", "two rounds").
WHEN = re.compile(r"\b(?:1[5-9]|20)\d\d(?:s|\b)|\b\d{1,2}(?:[:.]\d\d)?\s*(?:a\.?m\.?|p\.?m\.?)|\b\d{1,2}:\d\d\b|"
                  r"\b\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?\b|\b\d+(?:st|nd|rd|th)\b|\b(?:" + MONTHS + "|" + WEEKDAYS + "|" +
                  r"today|yesterday|tomorrow|tonight|"
                  r"years?|months?|weeks?|days?|daily|weekly|monthly|yearly|annually|nightly|hours?|minutes?|decades?|"
                  r"centur(?:y|ies)|ago|morning|evening|night|noon|midnight|spring|summer|autumn|fall|winter)\b", re.I)
# A calendar point an answer to "what year / date …" gives: a year, a date or a month — not any number ("over 30
# nations", "200,000 users", "18F").
DATE = re.compile(r"\b(?:1[5-9]|20)\d\d(?:s|\b)|\b\d{1,2}/\d{1,2}\b|\b(?:" + MONTHS + r"|decades?|centur(?:y|ies)|years? ago)\b",
                  re.I)
# Units of time (singular), for a span and a frequency.
_UNITS = "second|minute|hour|day|night|week|fortnight|month|year|decade"
# A span of time: a unit of time, with or without its number ("six weeks", "48 hours", "overnight", "a day") — not one
# a demonstrative points at ("in the days following the payments", "that year"), which says when, not how long.
SPAN = re.compile(r"(?<!\bthe )(?<!\bthis )(?<!\bthat )(?<!\bthese )(?<!\bthose )(?<!\bper )(?<!\bevery )(?<!\beach )"
                  r"(?<!\bonce a )(?<!\btwice a )\b(?:(?:" + _UNITS + r")s?|centur(?:y|ies)|overnight|indefinitely|forever)\b|\d\s*(?:h|hrs?|mins?|s)\b",
                  re.I)
# How often: "every six weeks", "each night", "twice a year", "daily", "biannually", "per month" — not "each agency".
FREQUENCY = re.compile(r"\b(?:every|each|per)\s+(?:other\s+|single\s+|\d+\s+|(?:" + NUMBER_WORDS + r")\s+)?(?:" + _UNITS +
                       r"|morning|evening|weekend|quarter|time)s?\b|"
                       r"\b(?:once|twice|thrice|times|daily|nightly|weekly|fortnightly|monthly|quarterly|"
                       r"yearly|annually|biannually|biennially|hourly|regularly|constantly|continuously|always|never|rarely|"
                       r"seldom|often|sometimes|occasionally|frequently|a (?:day|week|month|year))\b", re.I)
# A sum of money, or a share of one: a currency sign or name, or a percentage ("a 3% fee").
MONEY = re.compile(r"[$€£¥%]|\b(?:dollars?|cents?|usd|eur|euros?|pounds?|yen|percent|free|no (?:cost|charge|fee)s?)\b", re.I)
# Advice, as a "should …?" question wants: a modal ("you should", "must", "don't") or a sentence in the imperative
# ("Stir it back in", "Explain how you've organized …"): a capitalised word that is no function word and no plural or
# participle, followed by an object.
ADVICE = re.compile(r"\b(?:should|must|need|needs|recommend\w*|advis\w*|ought|best|better|have to|has to|don['’]t|do not|never|"
                    r"always)\b|(?:^|[.!?:]\s+)(?:Just|Simply|Then|Also|Please|First|Next|Finally|Instead),?\s+[a-z]+(?<![^s]s)(?<!ing)(?<!ed)\s|"
                    r"(?:^|[.!?:]\s+)"
                    r"(?!(?:The|This|That|These|Those|It|There|They|We|You|He|She|I|If|When|While|In|On|At|For|To|By|With|"
                    r"As|A|An|Our|Your|Its|Their|One|Most|Many|Some|Each|All|Any|Every|Here|What|How|Why|Who|Which|And|But|So|"
                    r"Or|Not|No|Yes)\b)[A-Z][a-z]+(?<![^s]s)(?<!ing)(?<!ed)\s+(?:the|a|an|your|my|it|them|this|that|these|"
                    r"those|how|what|with|in|into|to|on|for|at|from|about|up|out|off|back|down|some|any|all|each|every|\d)\b|"
                    # or after a clause saying when: "When writing parsers …, immediately enable packrat parsing"
                    r"(?:^|[.!?:]\s+)(?:When|If|Once|Before|After|Whenever|Unless)\b[^.!?]*?,\s+(?:\w+ly\s+|just\s+)?"
                    r"(?!(?:the|a|an|this|that|these|those|it|its|they|their|we|our|you|your|he|his|she|her|i|there|one|"
                    r"most|many|some|each|all|any|every|no|not|then|so)\b)[a-z]+(?<![^s]s)(?<!ing)(?<!ed)\s+[a-z(\"“]")
# How one reaches someone or something, by the means asked for: a phone number (seven digits or more), an e-mail
# address (or its domain), a web address or domain, a postal address (a number and a street word, or a post-office
# box).
PHONE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
WEB = re.compile(r"https?://|\bwww\.|\b[\w-]+\.(?:gov|org|com|net|edu|io|int|info)\b", re.I)
EMAIL = re.compile(r"@|" + WEB.pattern, re.I)  # an address, or the domain it is at ("your example.gov account")
POSTAL = re.compile(r"\b\d+\s+(?:[A-Z][\w.]*\s+){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|way|"
                    r"place|pl|square|sq|court|ct|suite)\b\.?|\bp\.?\s?o\.?\s+box\b", re.I)
# Measurements by their units (general English): a temperature, a percentage, a weight, a length or distance.
TEMPERATURE = re.compile(r"°|\bdegrees?\b|\bcelsius\b|\bfahrenheit\b|\b\d+\s*[CF]\b")
PERCENT = re.compile(r"%|\bper ?cent(?:age)?s?\b")
WEIGHT = re.compile(r"\b\d[\d.,]*\s*(?:g|kg|mg|lbs?|oz)\b|\b(?:grams?|kilo(?:gram)?s?|milligrams?|pounds?|ounces?|tons?|"
                    r"tonnes?)\b", re.I)
LENGTH = re.compile(r"\b\d[\d.,]*\s*(?:mm|cm|m|km|ft|mi)\b|\b(?:millimet(?:er|re)s?|centimet(?:er|re)s?|met(?:er|re)s?|"
                    r"kilomet(?:er|re)s?|inch(?:es)?|feet|foot|yards?|miles?)\b", re.I)
REASON = re.compile(r"\b(?:because|due to|owing to|stems? from|as a result|so that|in order to|to ensure|reasons?|"
                    r"therefore|thus|hence)\b", re.I)

# "What temperature …", "at what ratio …", "what oven temperature …": nouns whose value is a number (one word may
# qualify them), whatever else the sentence says.
_MEASURED_BY_NUMBER = frozenset("""number percentage amount share temperature ratio proportion price cost fee rate
    speed age length width height depth distance weight salary budget population score limit version size""".split())

_MONEY_WORDS = frozenset("price cost fee salary budget".split())  # asked as a sum of money ("money" below)

# A length given as a count of a text's units ("15–20 words", "two pages"): "How long should my sentences be?"
_COUNTED_LENGTH = (r"(?:\d[\d.,–-]*|\b(?:" + NUMBER_WORDS + r"))\s+"
                   r"(?:words?|pages?|lines?|characters?|letters?|sentences?|paragraphs?|chapters?)\b")

# A possessive standing for the article ("What is the Guild's annual budget?", "… Example.gov's budget").
_OWNER = r"(?:the\s+)?[A-Za-z][\w.-]*['’]s"

_BE_LAST = r"[^?.;]*\bbe\s*(?:[?.!]+(?=\s|$)|$)"  # "… be?" ends the question ("How long should my sentences be?")

# (what the question says, the kind, what an answer of that kind contains, whether lacking it is a mismatch)
ASKS = [
    (re.compile(r"\bhow (?:many|much)\b|"
                r"\bwhat (?:(?!(?:is|are|was|were|the|a|an|its|their|my|your)\b)[a-z-]+\s+){0,2}(?:"
                + "|".join(sorted(_MEASURED_BY_NUMBER)) + r")\b|"
                r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the|its|their|my|your|" + _OWNER + r")\s+(?:[a-z-]+\s+){0,2}?"
                r"(?<!phone )(?<!telephone )(?<!fax )(?<!contact )(?:" + "|".join(sorted(_MEASURED_BY_NUMBER - _MONEY_WORDS))
                + r")\b", re.I), "number", NUMBER, True),
    # "How long will it take?": a span of time; "How long is the border?", "How long should my sentences be?": a span
    # or a length ("600 miles", "15–20 words")
    (re.compile(r"\bhow long (?:will|would|could|might|does|did|has|have|until|do|should|can|must)\b"
                r"(?!" + _BE_LAST + ")", re.I), "duration", SPAN, True),
    (re.compile(r"\bhow long (?:is|are|was|were)\b|\bhow long (?:will|would|could|might|should|can|must)\b" + _BE_LAST,
                re.I), "duration", re.compile(SPAN.pattern + "|" + LENGTH.pattern + "|" + _COUNTED_LENGTH, re.I), True),
    (re.compile(r"^\s*(?:and\s+)?when\s+(?:did|was|were|will|has|had|have)\b|"
                r"\bwhat (?:exact\s+)?(?:years?|dates?|days?|times?|months?|deadlines?)\b|"
                r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+(?:exact\s+)?(?:years?|dates?|deadlines?)\b|"
                r"\bsince when\b|\bhow long ago\b|\bby when\b|"
                # "When is the vote expected?", "When are talks scheduled to resume?": a time to come, no condition.
                r"^\s*(?:and\s+)?when\s+(?:is|are)\b.*\b(?:expected|scheduled|due|planned|set to|going to|likely to|supposed to)\b",
                re.I), "time", WHEN, True),
    # "When should I …", "When is it appropriate …": a time or a condition; a time is preferred, its lack no mismatch.
    (re.compile(r"^\s*(?:and\s+)?when\b", re.I), "time", WHEN, False),
    (re.compile(r"\b(?:what|which)\s+(?:exact\s+)?(?:year|date)s?\b|\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+"
                r"(?:exact\s+)?(?:year|date)s?\b", re.I), "time", DATE, True),
    (re.compile(r"\bhow much\b(?:(?![?.;]).)*\b(?:costs?|pay|pays|paid|money|funds?|funding|prices?|fees?|budget(?:ed)?|salary|"
                r"charged?|earn(?:s|ed)?)\b|\bhow much (?:money|funding|cash)\b|\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+"
                r"(?:the|its|their|" + _OWNER + r")\s+(?:[a-z-]+\s+)?(?:costs?|prices?|fees?|budget|salary)\b|"
                r"\bin (?:dollars|euros|pounds|cents)\b",
                re.I), "money", MONEY, True),
    (re.compile(r"\b(?:what|which)\s+(?:[a-z-]+\s+)?temperatures?\b|\bhow (?:hot|warm|cold)\b", re.I), "temperature",
     TEMPERATURE, True),
    (re.compile(r"\bwhat\s+(?:[a-z-]+\s+)?(?:percentage|percent)\b|\bhow many percent\b", re.I), "percent", PERCENT, True),
    (re.compile(r"\bhow heavy\b|\bhow much (?:does|do|did|will|would|should) (?:[\w-]+\s+){1,4}weigh\b|"
                r"\bwhat\s+(?:[a-z-]+\s+)?weight\b|\bhow many (?:grams|kilos|kilograms|pounds|ounces)\b", re.I), "weight",
     WEIGHT, True),
    (re.compile(r"\bhow (?:tall|wide|deep)\b|\bwhat\s+(?:[a-z-]+\s+)?(?:distance|height|width|depth)\b", re.I), "length",
     LENGTH, True),
    (re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?should\b", re.I), "advice", ADVICE, True),
    (re.compile(r"\bhow (?:often|frequently)\b", re.I), "frequency", FREQUENCY, True),
    (re.compile(r"\b(?:phone|telephone|fax|contact)\s+numbers?\b|\bnumber to (?:call|ring|dial)\b", re.I), "phone", PHONE, True),
    (re.compile(r"\be-?mail(?:\s+address(?:es)?)?\b", re.I), "email", EMAIL, True),
    (re.compile(r"\b(?:web|website|internet)\s+address(?:es)?\b|\burls?\b", re.I), "web", WEB, True),
    (re.compile(r"\b(?:mailing|postal|street|physical|office)\s+address(?:es)?\b", re.I), "postal", POSTAL, True),
    (re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(?:why|how come)\b|\bwhat (?:is|are) the reasons?\b|\bwhy\?\s*$", re.I),
     "reason", REASON, False),
]

# Kinds only checked in the answer, never used to choose its sentences: an answer to "Should I …?" gives advice, but
# preferring sentences that say "should" would pass over the imperative ones ("Stir it back in").
CHECK_ONLY = frozenset({"advice"})


# The numbers of a calendar date: a year ("in 2011"), a day with its month ("September 4", "4 September"). They
# date a sentence; they count nothing ("How many products …?" is not answered by "In 2011, …").
_DATE_NUMBERS = re.compile(r"(?<![\d.,])(?:1[5-9]|20)\d\d(?![\d.,]\d)(?!s)|\b(?:" + MONTHS + r")\s+\d{1,2}\b|"
                           r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + MONTHS + r")\b", re.I)


def _undated(m: re.Match) -> str:
    """A date's numbers blanked; a year-like number that counts what follows it ("1500 years", "2000 people") kept."""
    from .text import STOP

    after = re.match(r"\s+([a-z]+)", m.string[m.end():])
    counts = m.group(0)[0].isdigit() and after and after.group(1).endswith("s") and after.group(1) not in STOP
    return m.group(0) if counts else " "


def _holds(kind: str, needs: re.Pattern, text: str, prose: str) -> bool:
    """Whether ``text`` (``prose``: the same without its URLs) holds the kind of answer ``needs`` finds: a web address
    only as a URL, anything else outside them (a URL's digits are no number, date or phone number); a number outside a
    date."""
    if kind == "number":
        prose = _DATE_NUMBERS.sub(_undated, prose)
    return bool(needs.search(text if kind == "web" else prose))


def kinds_in(text: str) -> frozenset[str]:
    """The kinds of answer ``text`` holds (has a number, a time, a reason …), whatever the question."""
    prose = URL.sub(" ", text)
    return frozenset(kind for _, kind, needs, _ in ASKS if kind not in CHECK_ONLY and _holds(kind, needs, text, prose))


def asked(question: str, checks: bool = False) -> list[tuple[str, re.Pattern, bool]]:
    """The kinds of answer ``question`` asks for that guide sentence selection (with ``checks``, also those only
    checked in the final answer)."""
    out: dict[tuple[str, re.Pattern], tuple[str, re.Pattern, bool]] = {}
    for pattern, kind, needs, strict in ASKS:  # of two patterns asking for the same, the first decides strictness
        if (kind, needs) not in out and (checks or kind not in CHECK_ONLY) and pattern.search(question):
            out[(kind, needs)] = (kind, needs, strict)
    return list(out.values())


_HOW_MANY = re.compile(r"\bhow many\s+(?:of\s+the\s+|more\s+)?([A-Za-z][\w-]*)", re.I)
_NUM_TOKEN = re.compile(r"^(?:\d[\d,.]*|" + NUMBER_WORDS + r")$", re.I)


_WHICH = re.compile(r"\b(?:which(?:\s+(?:kinds?|types?|sorts?|forms?)\s+of)?|what kind of|what type of)\s+((?:[A-Za-z][\w-]*\s*){1,2})", re.I)


# Nouns that name no kind of thing ("Which options are named for …?", "Which ways …", "In which situations …"): an
# answer need not say them.
_LIGHT = frozenset("""option options way ways thing things kind kinds type types sort sorts one ones situation situations
    case cases circumstance circumstances condition conditions instance instances scenario scenarios occasion
    occasions""".split())


def which_words(question: str) -> list[str]:
    """The words naming what a "which …" question asks for ("city" in "Which city hosted …"; none in "Which options
    …")."""
    return [w for w in _named(_WHICH.search(question)) if w not in _LIGHT]


def _named(m: re.Match | None) -> list[str]:
    """The matched words up to the first function word, lower-cased ("funding" of "funding did")."""
    from .text import STOP

    out: list[str] = []
    for w in (next((g for g in m.groups() if g), "") if m else "").split():
        if w.lower() in STOP:
            break
        out.append(w.lower())
    return out


# "What is the population of …", "Who was the director of …", "How much funding …", "What weapons has …":
# the noun the answer must be about (its article or possessive allowed before it).
_FOCUS = re.compile(r"\b(?:what(?:'s|’s|\s+is|\s+was|\s+are|\s+were)|who(?:'s|’s|\s+is|\s+was|\s+are|\s+were))\s+"
                    r"(?:the|a|an|its|their|his|her|your|our|my)\s+((?:[A-Za-z][\w-]*\s*){1,2})"
                    r"|\bhow much\s+((?:[A-Za-z][\w-]*\s*){1,2})"
                    r"|^\s*what\s+((?:[A-Za-z][\w-]*\s+){1,2}?)(?=(?:has|have|had|did|does|do|is|are|was|were|will|"
                    r"would|can|could|should|must|may|might)\b)", re.I)


# Nouns naming a measurement: "What is the length of …" asks for a number (a "how long"), however it is worded.
MEASURES = frozenset("""length width height depth size distance area volume weight mass number amount total count
    quantity cost costs price prices fee fees rate rates percentage percent share proportion ratio duration age speed
    frequency temperature population budget salary capacity score""".split())


def focus_words(question: str) -> list[str]:
    """The content words naming what a "what is the X …" / "how much X …" question asks for, or []."""
    return _named(_FOCUS.search(question))


def measured(focus: list[str], answer_text: str) -> bool:
    """A measurement asked for ("the length of …") and a number in the answer ("1,000 kilometres") that names it."""
    return bool(focus) and focus[-1] in MEASURES and bool(NUMBER.search(answer_text))


def counted_word(question: str) -> str:
    """What a "how many …" question counts ("nations" in "how many nations …", "breaks" in "how many short breaks
    …": of the next three words, the first plural one, else the first), or ''."""
    m = _HOW_MANY.search(question)
    if not m:
        return ""
    from .text import STOP

    words = [m.group(1)]
    for w in re.findall(r"[A-Za-z][\w-]*", question[m.end():])[:2]:  # up to a function word ("does", "is")
        if w.lower() in STOP:
            break
        words.append(w)
    plural = next((w for w in words if len(w) > 3 and w.lower().endswith("s") and not w.lower().endswith("ss")), None)
    return (plural or words[0]).lower()


def type_mismatch(question: str, answer_text: str, counted: set[str] | None = None) -> str:
    """The kind of answer asked for that ``answer_text`` lacks ('' when none is lacking). With
    ``counted`` (stems of the counted word and its synonyms) a number must come just before one of them."""
    kinds = asked(question, checks=True)
    prose = URL.sub(" ", answer_text)
    money = any(k == "money" for k, _, _ in kinds)  # a sum asked for answers "how much" even in words ("free")
    for kind, needs, strict in kinds:
        if not strict or kind == "number" and money:
            continue
        if not _holds(kind, needs, answer_text, prose):
            return kind
        if kind == "number" and counted and not _counts(prose, counted):
            return kind
    return ""


def _counts(text: str, counted: set[str]) -> bool:
    from .text import stem

    return any(stem(x) in counted for x in counted_words(text))


def counted_words(text: str) -> list[str]:
    """The words that may name what a number in ``text`` counts: the three after each ("over 30 nations")."""
    words = re.findall(r"[\w'’-]+", text)
    return [x for i, w in enumerate(words) if _NUM_TOKEN.match(w) for x in words[i + 1:i + 4]]


# Questions whose answer is a proper name: "Who is the head of …", "Who founded …", "What is the name of …",
# "Where was X born?", "In which city …" (general English; what the name is comes from the sources).
_ASKS_NAME = re.compile(
    r"^\W*(?:and\s+|so\s+|but\s+)?who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the|a|an|its|their|his|her)\s+\w+|"
    r"\bwho\s+(?:\w+ly\s+)?(?:created|founded|invented|wrote|started|launched|designed|built|led|leads|heads|headed|"
    r"directs|directed|chairs|chaired|runs|ran|owns|owned|signed|coined|discovered)\b|"
    r"\b(?:what|which)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)?\s+(?:the\s+)?names?\s+of\b|"
    r"\bwhere\s+(?:is|was|are|were|does|did)\b.*\b(?:born|based|located|headquartered|situated|buried|raised|"
    r"lives?(?=\W*$)|lived|grow up|grew up)\b|"
    r"\bwhich\s+(?:city|cities|country|countries|state|states|town|towns|county|region|province|company|companies|"
    r"person|people)\b", re.I)


# "Who is the memo addressed to?", "Who is it for?": "who" as the object of a preposition that ends the question asks
# for whoever it is (often a group: "agency heads"), not for a name.
_WHO_OBJECT = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?who\b.*\b(?:to|for|at|with|from|by|about|of)\W*$", re.I)


# "Who was the first director of …?", "Who leads the team?": a person asked for, answered by a person's name, not by a
# body's ("Who runs the site?" may well be answered by an office's). The role is one of the titles a name can carry
# (nameparser's, :func:`.gazetteer.titles`: "director", "minister", "mayor" …) or a role noun that list lacks.
_WHO_IS_THE = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the|its|their|his|her)"
                         r"((?:\s+[\w-]+){1,3})", re.I)
_WHO_DOES = re.compile(r"\bwho\s+(?:\w+ly\s+)?(?:leads|led|heads|headed|directs|directed|chairs|chaired|founded)\b", re.I)
_ROLES_BEYOND_TITLES = frozenset("head chairman chairwoman chairperson spokesman spokeswoman spokesperson contact owner".split())
# A title that as often names an organisation: a document's author is often the body that published it.
_NOT_ONLY_PEOPLE = frozenset({"author"})


def _role(word: str) -> bool:
    """Whether ``word`` (lower case, or its plural) names a role a person holds."""
    from .gazetteer import titles

    return any(w.isalpha() and w not in _NOT_ONLY_PEOPLE and (w in titles() or w in _ROLES_BEYOND_TITLES)
               for w in (word, word[:-1] if word.endswith("s") else ""))


def asks_for_person(question: str) -> bool:
    """Whether ``question`` asks for a person ("Who was the first director of …?", "Who leads it?")."""
    if _WHO_OBJECT.search(question):
        return False
    m = _WHO_IS_THE.search(question)
    # a role among the three words after the determiner, each read up to its first hyphen ("director-general")
    return bool(_WHO_DOES.search(question)) or bool(m) and any(
        _role(re.match(r"\w*", w).group(0).lower()) for w in m.group(1).split())


# A yes/no question: an auxiliary first ("Can I freeze it?", "Is there an app?", "Does it need …?").
_YES_NO = re.compile(r"^\W*(?:and\s+|so\s+|but\s+)?(?:is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|"
                     r"may|might|must|isn'?t|aren'?t|doesn'?t|don'?t|can'?t|won'?t)\b", re.I)


def asks_yes_no(question: str) -> bool:
    """Whether ``question`` is a yes/no question (answered only by a sentence saying what it asks)."""
    return bool(_YES_NO.match(question))


def asks_name(question: str) -> bool:
    """Whether ``question`` asks for a proper name (a person, a place, an organisation)."""
    return bool(_ASKS_NAME.search(question)) and not _WHO_OBJECT.search(question)


def names_beyond(question: str, text: str) -> bool:
    """Whether ``text`` holds a proper name the question does not already say: none of its words is one of the
    question's ("President Jane Roe" is the "Roe" asked about, not another name)."""
    from .text import names

    asked = {w.lower() for w in re.findall(r"[\w'’.-]+", question)}
    return any(not any(w.lower() in asked for w in n.split()) for n in names(text, strict_initial=True))
