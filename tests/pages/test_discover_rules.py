"""The Rules page: the generated sample basket, a transaction+item table, filters, and no structure."""

import pandas as pd


def rules_table(at):
    return next(table.value for table in at.dataframe if "lift" in table.value.columns)


def test_sample_basket_rules_filter_and_sort(pages):
    at = pages.new_app()
    at.switch_page("pages/discover_rules.py").run()
    pages.assert_ok(at)
    at.radio(key="rules_structure").set_value("A generated sample basket (to try the page)").run()
    pages.assert_ok(at)
    table = rules_table(at)
    assert list(table["lift"]) == sorted(table["lift"], reverse=True)
    at.text_input(key="rules_filter").input("butter").run()
    pages.assert_ok(at)
    filtered = rules_table(at)
    assert len(filtered) < len(table)
    assert (filtered["antecedents"] + filtered["consequents"]).str.contains("butter").all()
    at.number_input(key="rules_support").set_value(0.9).run()
    pages.assert_ok(at)
    assert any("No rule reaches" in message for message in pages.infos(at))


def test_transaction_and_item_columns(pages):
    pairs = pd.DataFrame({"receipt": [1, 1, 2, 2, 3, 3, 4],
                          "item": ["tea", "cake", "tea", "cake", "tea", "cake", "jam"]})
    at = pages.upload(pages.new_app(), "pairs.csv", pages.csv_bytes(pairs))
    at.switch_page("pages/discover_rules.py").run()
    pages.assert_ok(at)
    at.selectbox(key="rules_item").set_value("item").run()
    pages.assert_ok(at)
    table = rules_table(at)
    assert set(table["antecedents"]) == {"tea", "cake"}
    assert table["confidence"].tolist() == [1.0, 1.0]


def test_no_transaction_structure_is_a_message(pages):
    at = pages.new_app()
    at.switch_page("pages/discover_rules.py").run()
    at.radio(key="rules_structure").set_value("Each row a transaction, yes/no item columns").run()
    pages.assert_ok(at)
    assert any("No transaction structure" in message for message in pages.errors(at))
