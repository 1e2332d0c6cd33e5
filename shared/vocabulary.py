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


def fault_groups() -> list[dict]:
    """The fault categories the demo's master data starts with: code, name, name_en."""
    return vocabulary()["fault_groups"]


def fault_code(category: dict, fault: dict) -> str:
    """A fault's code in master data: the code the appliance shows (E1 …), else the
    category's code and the fault's place in its list (AC01 …)."""
    return fault["code"] or f"{category['code']}{category['faults'].index(fault) + 1:02d}"
