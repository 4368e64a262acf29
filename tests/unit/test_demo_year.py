"""The demo year `make run` loads is the seed article's (Thanh Hóa city, 2024): its events, counted
as the report counts them (the same computation the year-of-events integration test checks the
read models against), give the article's figures, each where it belongs."""
from services.devstack import demo_year
from tests.integration.test_aggregation_year import expected


def test_the_demo_year_gives_the_figures_of_the_seed_article():
    events = demo_year.year_events(2024, "380")
    want = expected(events, 2024, "380")
    assert (want["tips"]["received"], want["tips"]["valuable"]) == (692, 265)
    assert {g["key"]: g["received"] for g in want["by_channel"]} == {"tip_box": 5, "walk_in": 312, "hotline": 375}
    programmes = {g["key"]: (g["received"], g["converted"]) for g in want["by_programme"] if g["key"]}
    assert programmes == {"CNMT-380": (32, 12), "ANCN-380": (24, 9), "LGTQ-380": (18, 4)}
    assert want["cameras"] == {"cameras": 1911, "camera_programmes": 34, "extractions": 1028, "cases_clarified": 152}
