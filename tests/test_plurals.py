"""English plurals (issue #15 item 11, shared/plural.py): a count of one reads "1 complaint",
not "1 complaints", in HQ's screens, the outlet app and the services' messages; Chinese is
unchanged."""
import pytest

from hub.ui.text import t
from shared.errors import ServiceError
from shared.labels import ui_text
from shared.plural import fill


@pytest.mark.parametrize("key, params, one, many", [
    ("cq_n", {"late": 0}, "1 complaint, 0 overdue", "2 complaints, 0 overdue"),
    ("kba_n", {}, "1 article", "2 articles"),
    ("adm_open_forks", {}, "1 fork", "2 forks"),
    ("cb_unanswered", {}, "1 question unanswered", "2 questions unanswered"),
    ("in_matches", {}, "1 customer matches; choose one:", "2 customers match; choose one:"),
    ("rep_refreshed", {}, "Figures updated (1 order)", "Figures updated (2 orders)"),
    ("ap_differences_n", {}, "1 difference, marked red", "2 differences, marked red"),
])
def test_hq_counts_of_one_are_singular(key, params, one, many):
    assert t(key, "en", n=1, **params) == one
    assert t(key, "en", n=2, **params) == many
    assert "{" not in t(key, "zh", n=1, **params)


def test_the_outlet_app_and_the_messages_too():
    assert ui_text("total", "en", n=1) == "1 order" and ui_text("total", "en", n=3) == "3 orders"
    assert ui_text("total", "zh", n=1) == "共1单"
    assert ui_text("photos_n", "en", n=1) == "1 photo chosen"
    assert ServiceError.of("callback_answer_count", n=1).message("en") == "Please answer all 1 question."
    assert ServiceError.of("callback_answer_count", n=5).message("zh") == "请回答全部5个问题。"


def test_other_format_specs_keep_their_meaning():
    assert fill("{x:.1f} of {n} {n:day|days}", x=2.25, n=0) == "2.2 of 0 days"
