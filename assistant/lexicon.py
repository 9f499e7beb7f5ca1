"""Everyday words and names users type for what the article calls otherwise.

Data, not logic: ``ALIASES`` rewrite a name to the article's name for the same thing (a capital
standing for its country, a demonym, a spelling variant); ``SYNONYMS`` add the article's words for
a user's word when matching. Both apply to any source, and neither names a golden question.
"""
from __future__ import annotations

# user phrase (lower case) → canonical name used in the article
ALIASES: dict[str, str] = {
    "kyiv": "Ukraine", "kiev": "Ukraine", "ukrainians": "Ukraine", "ukrainian government": "Ukraine",
    "the kremlin": "Russia", "kremlin": "Russia", "russians": "Russia", "russian federation": "Russia",
    "washington": "US", "america": "US", "american government": "US", "americans": "US", "united states": "US",
    "the united states of america": "US", "united states of america": "US", "usa": "US", "u.s.": "US",
    "u.s.a.": "US", "u.s": "US", "white house": "US", "pentagon": "US", "states": "US",
    "london": "British", "britain": "British", "great britain": "British", "united kingdom": "British",
    "uk": "British", "u.k.": "British", "england": "British", "downing street": "British",
    "warsaw": "Poland", "polish": "Poland", "bucharest": "Romania", "romanian": "Romania",
    "bratislava": "Slovakia", "slovak": "Slovakia", "slovakian": "Slovakia",
    "brussels": "NATO", "north atlantic treaty organization": "NATO", "north atlantic alliance": "NATO",
    "atlantic alliance": "NATO", "zelenskyy": "Zelensky", "zelenskiy": "Zelensky", "zelenskyi": "Zelensky",
    "faq": "Frequently Asked Questions", "faqs": "Frequently Asked Questions", "starmer": "Keir Starmer", "prime minister": "Keir Starmer", "the coalition": "Coalition of the Willing",
    "vladimir putin": "Putin", "donald trump": "Trump", "the president": "President",
}
# Aliases that are ordinary words too: only applied when written with a capital.
CASE_SENSITIVE_ALIASES = {"states", "the coalition", "prime minister", "the president"}

# demonym (lower case) → the country word it is matched as, on both sides (question and source)
DEMONYMS: dict[str, str] = {
    "russian": "russia", "russians": "russia", "ukrainian": "ukraine", "ukrainians": "ukraine",
    "american": "us", "americans": "us", "polish": "poland", "romanian": "romania", "slovak": "slovakia",
    "slovakian": "slovakia", "european": "europe", "europeans": "europe",
}

# user word (stemmed by the caller) → words the article may use instead
SYNONYMS: dict[str, tuple[str, ...]] = {
    "country": ("nations",), "countries": ("nations",), "state": ("nations",), "nation": ("nations",),
    "soldier": ("troops",), "soldiers": ("troops",), "boots": ("troops", "ground"), "forces": ("troops", "armed forces"),
    "army": ("armed forces", "military"), "armies": ("armed forces",), "personnel": ("troops",),
    "plane": ("aircraft",), "planes": ("aircraft",), "jets": ("aircraft", "air power"), "jet": ("aircraft",),
    "fighter": ("aircraft",), "warplanes": ("aircraft",), "air": ("air", "airspace"), "sky": ("airspace",),
    "skies": ("airspace",), "no-fly": ("airspace policing",), "airforce": ("air power",),
    "weapon": ("weapons", "arms"), "arm": ("arms", "weapons"), "ammo": ("ammunition", "munitions"),
    "truce": ("ceasefire",), "armistice": ("ceasefire",), "cease-fire": ("ceasefire",),
    "deal": ("agreement", "agreements"), "treaty": ("agreement", "agreements"), "settlement": ("agreement",),
    "join": ("membership", "member", "inclusion"), "joining": ("membership", "inclusion"), "joins": ("membership",),
    "accession": ("membership", "inclusion"), "admit": ("inclusion", "membership"), "admitted": ("inclusion",),
    "admission": ("inclusion", "membership"), "enter": ("inclusion",), "let": ("inclusion",),
    "invasion": ("aggression",), "invade": ("aggression",), "attack": ("aggression",), "attacks": ("aggression",),
    "war": ("conflict",), "fighting": ("conflict",), "frontline": ("front lines",), "front": ("front lines",),
    "border": ("front lines",), "long": ("stretching", "miles"), "length": ("stretching", "miles"),
    "distance": ("miles",), "train": ("training",), "instructors": ("training",), "intel": ("intelligence",),
    "spy": ("intelligence",), "lead": ("initiative", "form"), "leads": ("initiative", "form"),
    "leader": ("initiative",), "led": ("initiative",), "head": ("initiative",), "heads": ("initiative",),
    "founded": ("initiative", "form"), "founder": ("initiative",), "started": ("initiative", "form"),
    "start": ("initiative", "form"), "created": ("initiative", "form"), "set": ("form",),
    "behind": ("initiative",), "launched": ("initiative",), "proposed": ("initiative",),
    "members": ("nations", "consisting"), "size": ("consisting", "nations"), "big": ("consisting",),
    "large": ("consisting",), "deter": ("deterrent", "deterrence"), "deterrence": ("deterrent",),
    "annexed": ("occupied territories",), "captured": ("occupied territories",), "land": ("territories",),
    "territory": ("territories",), "partition": ("partitioning",), "split": ("partitioning",),
    "divide": ("partitioning",), "recognise": ("recognition",), "recognize": ("recognition",),
    "worry": ("concerns", "fears"), "worries": ("concerns", "fears"), "afraid": ("fears",),
    "fear": ("fears",), "reluctant": ("apprehension", "concerns", "reluctance", "resistance"),
    "hesitant": ("hesitation", "reluctance"), "oppose": ("opposition", "resistance"), "opposes": ("opposition",),
    "against": ("opposition", "resistance"), "object": ("opposition",), "objection": ("opposition",),
    "escalation": ("escalating", "escalate"), "provocation": ("provoke", "provocative"),
    "provoke": ("provocative",), "base": ("stationing",), "based": ("stationing",), "station": ("stationing",),
    "stationed": ("stationing",), "deploy": ("deploying",), "send": ("deploying",), "sending": ("deploying",),
    "guarantee": ("guarantees", "assurances"), "assurance": ("assurances",), "protection": ("protections", "protect"),
    "protect": ("protections",), "help": ("support", "assistance"), "aid": ("support", "assistance"),
    "supply": ("supplies",), "pilot": ("pilots",), "rules": ("rules of engagement",), "allies": ("allies", "allied"),
    "allied": ("allies", "western"), "west": ("western",), "europe": ("eastern europe", "european"),
    "date": ("published",), "published": ("published",), "released": ("published",), "posted": ("published",),
    "weak": ("weak", "indecisive"), "encourage": ("embolden",), "encouraged": ("embolden",),
    "monitor": ("monitoring",), "observers": ("monitoring",), "peacekeepers": ("reassurance force", "troops"),
    "peacekeeping": ("reassurance force",), "rebuild": ("rebuilding",), "reconstruction": ("rebuilding",),
    "want": ("seeks", "desires"), "wants": ("seeks", "desires"), "wanted": ("seeks",),
    "hope": ("seeks", "desires"), "hopes": ("seeks",), "need": ("seeks", "necessitates"), "needs": ("seeks",),
    "instead": ("alternatives",), "alternative": ("instead", "alternatives"), "alternatives": ("instead",),
    "depend": ("hinges", "depend"), "depends": ("hinges", "depend"), "hinge": ("depend",),
}
