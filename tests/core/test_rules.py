"""Association rules: support, confidence and lift equal a hand count; both basket shapes; clear refusals."""

import pandas as pd
import pytest

from core.errors import DataError
from core.rules import basket_from_item_columns, basket_from_pairs, mine_rules, sample_basket

# Five transactions. bread: 1,2,3,4; butter: 1,2,3; milk: 2,5.
PAIRS = pd.DataFrame({"receipt": [1, 1, 2, 2, 2, 3, 3, 4, 5],
                      "item": ["bread", "butter", "bread", "butter", "milk", "bread", "butter", "bread", "milk"]})


def rule(result, antecedents, consequents):
    table = result.rules
    match = table[(table["antecedents"].map(tuple) == antecedents) & (table["consequents"].map(tuple) == consequents)]
    assert len(match) == 1, table
    return match.iloc[0]


def test_rules_equal_a_hand_count():
    result = mine_rules(basket_from_pairs(PAIRS, "receipt", "item"), min_support=0.2, min_confidence=0.5)
    butter_to_bread = rule(result, ("butter",), ("bread",))
    assert butter_to_bread["support"] == pytest.approx(3 / 5)
    assert butter_to_bread["confidence"] == pytest.approx(1.0)  # every butter basket has bread
    assert butter_to_bread["lift"] == pytest.approx(1.0 / (4 / 5))
    bread_to_butter = rule(result, ("bread",), ("butter",))
    assert bread_to_butter["confidence"] == pytest.approx(3 / 4)
    assert result.transactions == 5 and result.items == 3
    assert list(result.rules["lift"]) == sorted(result.rules["lift"], reverse=True)


def test_item_columns_read_yes_no_words_and_skip_other_columns():
    frame = pd.DataFrame({"receipt": ["a", "b", "c"], "bread": ["yes", "no", "yes"], "milk": [1, 0, None],
                          "price": [3.5, 2.0, 9.9], "tea": [True, False, False]})
    basket = basket_from_item_columns(frame)
    assert list(basket.columns) == ["bread", "milk", "tea"]
    assert basket["milk"].tolist() == [True, False, False]


def test_sample_basket_finds_its_planted_pairing():
    basket = basket_from_item_columns(sample_basket())
    result = mine_rules(basket, min_support=0.05, min_confidence=0.5)
    top = result.to_dict()["rules"][0]
    items = {*top["antecedents"], *top["consequents"]}
    assert {"pasta", "tomato_sauce"} <= items or {"bread", "butter"} <= items
    butter_to_bread = rule(result, ("butter",), ("bread",))
    assert butter_to_bread["confidence"] == 1.0 and butter_to_bread["lift"] > 2


def test_too_many_items_keeps_the_most_frequent_and_says_so():
    basket = pd.DataFrame({f"item{i}": [True, i % 2 == 0, True] for i in range(12)})
    result = mine_rules(basket, min_support=0.3, max_items=5)
    assert result.items == 5
    assert "most frequent of 12 items" in result.notes[0]


def test_thresholds_too_high_say_what_to_do():
    result = mine_rules(basket_from_pairs(PAIRS, "receipt", "item"), min_support=0.9)
    assert result.rules.empty
    assert "Lower the minimum support" in result.notes[-1]


@pytest.mark.parametrize("make, message", [
    (lambda: basket_from_item_columns(pd.DataFrame({"city": ["a", "b"], "price": [1.5, 2.5]})),
     "No transaction structure"),
    (lambda: basket_from_pairs(PAIRS, "receipt", "nope"), "Unknown item column"),
    (lambda: basket_from_pairs(pd.DataFrame({"t": [1, 2], "i": ["a", "b"]}), "t", "i"), "Every row has its own"),
    (lambda: mine_rules(pd.DataFrame({"a": [True, False]}), min_support=0.5), "at least 2 transactions and 2 items"),
    (lambda: mine_rules(basket_from_pairs(PAIRS, "receipt", "item"), min_support=0), "minimum support"),
])
def test_bad_input_is_a_clear_data_error(make, message):
    with pytest.raises(DataError, match=message):
        make()


def test_rules_command_prints_rules_highest_lift_first(capsys, tmp_path):
    import json

    from core.__main__ import main

    pairs, columns, out = tmp_path / "pairs.csv", tmp_path / "basket.csv", tmp_path / "rules.csv"
    PAIRS.to_csv(pairs, index=False)
    assert main(["rules", str(pairs), "--transaction", "receipt", "--item", "item", "--min-support", "0.3",
                 "--min-confidence", "0.5", "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n_itemsets"] == 4  # bread, butter, milk, {bread, butter}
    first = result["rules"][0]
    assert (first["antecedents"], first["consequents"]) == (["butter"], ["bread"])
    assert first["lift"] == pytest.approx(1.25) and first["support"] == pytest.approx(0.6)
    assert len(pd.read_csv(out)) == len(result["rules"])
    sample_basket().to_csv(columns, index=False)
    assert main(["rules", str(columns), "--min-support", "0.05"]) == 0
    assert json.loads(capsys.readouterr().out)["rules"][0]["lift"] > 2


def test_rules_command_without_structure_exits_2(capsys):
    from core.__main__ import main

    assert main(["rules", "sample_data/iris.csv"]) == 2
    assert capsys.readouterr().err.startswith("error: No transaction structure")
    assert main(["rules", "sample_data/iris.csv", "--transaction", "species"]) == 2
    assert "Give both --transaction and --item" in capsys.readouterr().err


def test_many_distinct_items_in_pairs_are_cut_before_the_basket_is_built(monkeypatch):
    import core.rules

    monkeypatch.setattr(core.rules, "MAX_ITEMS", 2)
    basket = basket_from_pairs(PAIRS, "receipt", "item")
    assert list(basket.columns) == ["bread", "butter"]
    assert "most frequent of 3 items" in mine_rules(basket, min_support=0.2).notes[0]
