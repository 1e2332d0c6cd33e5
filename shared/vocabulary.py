"""The domain vocabulary of appliance after-sales service in China (regions and cities,
product categories with their models, faults and parts, fee rules, SLA policies, survey
questions), shipped with the package in shared/data/vocabulary.json. The demo data and
knowledge-base seeds read it here; prices are fen."""
import json
from functools import cache
from importlib.resources import files


@cache
def vocabulary() -> dict:
    return json.loads(files("shared").joinpath("data/vocabulary.json").read_text(encoding="utf-8"))


def regions() -> list[dict]:
    return vocabulary()["regions"]


def categories() -> list[dict]:
    return vocabulary()["categories"]


def category(code: str) -> dict:
    return next(c for c in categories() if c["code"] == code)
