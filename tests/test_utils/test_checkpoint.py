import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

import mmwsal  # noqa: F401  (registers the allow-list)


class NotAllowed:
    """A class a checkpoint may not smuggle in."""


def test_history_buffer_round_trips_under_weights_only(tmp_path):
    buf = HistoryBuffer([0.5, 0.25], [1, 2])
    path = tmp_path / 'c.pth'
    torch.save({'hub': buf, 'arr': np.arange(3.0), 'x': np.float64(2.0)},
               path)
    out = torch.load(path)  # weights_only=True is torch's default
    np.testing.assert_array_equal(out['hub'].data[0], [0.5, 0.25])
    np.testing.assert_array_equal(out['hub'].data[1], [1, 2])
    assert out['hub'].mean() == buf.mean()
    np.testing.assert_array_equal(out['arr'], np.arange(3.0))
    assert out['x'] == 2.0


def test_other_objects_are_still_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'obj': NotAllowed()}, path)
    with pytest.raises(pickle.UnpicklingError, match='NotAllowed'):
        torch.load(path)
    torch.save({'f': getattr}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)
