import json

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config

from mmwsal.apis import pool_backbone_features, snippet_class_scores
from mmwsal.visualization import (plot_action_scores, plot_curves,
                                  plot_localization, read_scalars)
from mmwsal.visualization.figures import _selection_note

AF = 'configs/adaptfocus/adaptfocus_r3d-18-16ch_8x4_90e_synthetic.py'


@pytest.mark.parametrize('config', [
    AF, 'configs/adaptfocus/adaptfocus_x3d-tiny_8x4_30e_synthetic.py'
])
def test_snippet_class_scores_equal_the_recognizer_on_the_clip(config):
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model).eval()
    clips = torch.randn(3, 3, 8, 64, 64)
    with torch.no_grad():
        feats = model.backbone(clips)
        expected = model.cls_head(feats).sigmoid().numpy()
        pooled = pool_backbone_features(feats).numpy()
    scores = snippet_class_scores(model, pooled, batch_size=2)
    assert scores.shape == (3, 6)
    np.testing.assert_allclose(scores, expected, rtol=1e-5, atol=1e-6)


def test_snippet_class_scores_refuses_heads_that_need_more():
    model = torch.nn.Module()
    model.cls_head = MODELS.build(
        dict(type='SlowFastHead', num_classes=4, in_channels=16))
    with pytest.raises(NotImplementedError, match='SlowFastHead'):
        snippet_class_scores(model, np.zeros((2, 16)))


def _is_png(path):
    with open(path, 'rb') as f:
        return f.read(4) == b'\x89PNG'


def test_figures_are_written(tmp_path):
    times = np.arange(20) + 0.5
    scores = np.random.default_rng(0).random((20, 3))
    segments = [(2.0, 6.0, 0), (10.0, 14.0, 2)]
    assert _is_png(
        plot_action_scores(
            str(tmp_path / 'a.png'), times, dict(noisy=scores, af=scores),
            segments, [0, 2], ['x', 'y', 'z']))
    assert _is_png(
        plot_localization(
            str(tmp_path / 'b.png'), times, scores, segments,
            [(2.0, 5.0, 0, 0.9)], [0, 2], ['x', 'y', 'z'],
            attention=scores[:, 1]))
    assert _is_png(
        plot_localization(
            str(tmp_path / 'd.png'), times, scores, segments, [], [0, 2],
            ['x', 'y', 'z'], video_scores=np.array([0.7, 0.2, 0.1]),
            localized_classes=[0], class_threshold=0.2))
    assert _is_png(
        plot_curves(
            str(tmp_path / 'c.png'), dict(run=([1, 2], [0.2, 0.4])), 'x',
            'y', hline=(0.1, 'random')))


def test_read_scalars_picks_one_key_in_order(tmp_path):
    path = tmp_path / 'scalars.json'
    rows = [dict(loss=1.0, step=1), dict(loss=0.5, ratio=0.2, step=2),
            dict(ratio=0.4, step=3)]
    path.write_text('\n'.join(json.dumps(r) for r in rows) + '\n')
    assert read_scalars(str(path), 'ratio') == ([2.0, 3.0], [0.2, 0.4])
    assert read_scalars(str(path), 'missing') == ([], [])


def test_localization_panels_say_which_classes_were_not_localized():
    scores = np.array([0.7, 0.14, 0.3, 0.1996])
    assert _selection_note(0, scores, [0, 2], 0.2) == 'video score 0.70'
    assert _selection_note(1, scores, [0, 2], 0.2) == (
        'video score 0.14 < class threshold 0.20: not localized')
    # just under the threshold: enough decimals not to read as equal
    assert _selection_note(3, scores, [0, 2], 0.2) == (
        'video score 0.1996 < class threshold 0.2000: not localized')
    # passed the threshold, not selected (a head of its own choosing)
    assert _selection_note(2, scores, [0], 0.2) == (
        'video score 0.30: not localized')
    assert _selection_note(1, scores, None, None) == 'video score 0.14'
