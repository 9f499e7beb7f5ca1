"""What kind of answer a question asks for (a number, a time, a reason), and whether a text has one.

Used twice: sentence selection favours sentences of the asked-for kind, and refusal counts an answer
lacking it as weak evidence that the article does not say."""
from __future__ import annotations

import re

NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                    r"thousands?|millions?|billions?|percent)\b", re.I)
TIME = re.compile(r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
                  r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow|year|years|month|"
                  r"months|week|weeks|day|days|now|recently|soon|future|after|before|following|until|once|when|"
                  r"while|during|since|post-conflict|upcoming|ahead|already|previously|if)\b", re.I)
REASON = re.compile(r"\b(?:because|due to|owing to|stems? from|as a result|so that|in order to|to ensure|reasons?|"
                    r"therefore|thus|hence)\b", re.I)

# (what the question says, the kind, what an answer of that kind contains, whether lacking it is a mismatch)
ASKS = [
    (re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|percentage|amount|share)\b", re.I), "number", NUMBER, True),
    (re.compile(r"\bhow long (?:will|would|could|might|does|did|has|have|until)\b", re.I), "duration",
     re.compile(NUMBER.pattern + "|" + TIME.pattern, re.I), True),
    (re.compile(r"^\s*(?:and\s+)?when\b|\bwhat (?:year|date|day|time)\b|\bsince when\b|\bhow long ago\b", re.I),
     "time", TIME, True),
    (re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(?:why|how come)\b|\bwhat (?:is|are) the reasons?\b|\bwhy\?\s*$", re.I),
     "reason", REASON, False),
]


def asked(question: str) -> list[tuple[str, re.Pattern, bool]]:
    return [(kind, needs, strict) for pattern, kind, needs, strict in ASKS if pattern.search(question)]


def type_mismatch(question: str, answer_text: str) -> str:
    """The kind of answer asked for that ``answer_text`` lacks ('' when none is lacking)."""
    for kind, needs, strict in asked(question):
        if strict and not needs.search(answer_text):
            return kind
    return ""


def has_kind(question: str, sentence: str) -> bool:
    """Whether ``sentence`` holds an answer of a kind the question asks for."""
    return any(needs.search(sentence) for _, needs, _ in asked(question))
