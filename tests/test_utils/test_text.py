from mmwsal.utils import name_some


def test_name_some_counts_what_it_leaves_out():
    assert name_some(['a', 'b', 'c'], 5) == 'a, b, c'
    assert name_some(['a', 'b', 'c'], 3) == 'a, b, c'
    assert name_some(['a', 'b', 'c', 'd', 'e'], 2) == 'a, b and 3 more'
    assert name_some([], 2) == ''
