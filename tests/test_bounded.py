import pickle

from khabar.transforms.runtime.bounded import BoundedDict


def test_put_stores_and_returns_the_value() -> None:
    cache: BoundedDict[str, int] = BoundedDict(10)
    assert cache.put("قال", 3) == 3
    assert cache.get("قال") == 3
    assert cache["قال"] == 3
    assert cache.get("absent") is None


def test_a_full_cache_starts_over_with_the_new_entry() -> None:
    cache: BoundedDict[int, int] = BoundedDict(3)
    for key in range(4):
        cache.put(key, key * key)
    assert len(cache) == 4  # holds up to max_size + 1: the check comes before storing
    cache.put(4, 16)
    assert dict(cache) == {4: 16}
    for key in range(5, 100):
        cache.put(key, key)
        assert len(cache) <= 4
        assert cache[key] == key


def test_pickled_with_its_bound() -> None:
    # extractors and gazetteers holding these caches travel pickled to workers
    cache: BoundedDict[str, str] = BoundedDict(2)
    cache.put("a", "b")
    copy = pickle.loads(pickle.dumps(cache))
    assert isinstance(copy, BoundedDict)
    assert copy == {"a": "b"}
    assert copy.max_size == 2
