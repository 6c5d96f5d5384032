"""kiji.lib.memo: what a process remembers has a lifetime and a size cap, and one call forgets it all."""

from kiji.lib.memo import Memo, forget_all


def test_an_entry_lives_its_seconds_then_is_asked_for_again():
    now = [100.0]
    memo, calls = Memo(seconds=10, max_entries=100, clock=lambda: now[0]), []
    assert memo.get_or_set("k", lambda: calls.append(1) or "first") == "first"
    now[0] += 9
    assert memo.get_or_set("k", lambda: calls.append(1) or "second") == "first"
    now[0] += 2
    assert memo.get_or_set("k", lambda: calls.append(1) or "third") == "third"
    assert len(calls) == 2


def test_it_never_holds_more_than_its_cap():
    memo = Memo(seconds=60, max_entries=3)
    for key in range(10):
        memo.set(key, key)
        assert len(memo) <= 3
    assert memo.get(9) == 9


def test_forget_all_empties_every_memo_of_the_process():
    first, second = Memo(seconds=60, max_entries=3), Memo(seconds=60, max_entries=3)
    first.set("a", 1)
    second.set("b", 2)
    forget_all()
    assert (first.get("a"), second.get("b")) == (None, None)
