"""Every config that tests on several views bounds how many go through the
backbone at once (``model.test_cfg.max_testing_views``), and the recognizers
honour the bound without changing the predictions."""
import glob
import os.path as osp

import pytest
import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                       recursive=True))
CROPS = dict(ThreeCrop=3, TenCrop=10)
TINY_CONFIG = 'configs/adaptfocus/adaptfocus_x3d-tiny_8x4_30e_synthetic.py'


def pipeline_views(pipeline):
    """Views per video of a pipeline: sampled clips times crops."""
    views = 1
    for transform in pipeline:
        if 'num_clips' in transform:  # SampleFrames and WeakClipSampler
            views *= transform['num_clips']
            if transform.get('twice_sample', False):
                views *= 2
        views *= CROPS.get(transform['type'], 1)
    return views


def evaluation_loaders(cfg):
    """The val and test dataloaders a config has, by split name."""
    loaders = {}
    for split in ('val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader and loader.get('dataset', {}).get('pipeline'):
            loaders[split] = loader
    return loaders


def test_views_are_counted():
    assert pipeline_views([
        dict(type='WeakClipSampler', clip_len=32, num_clips=10),
        dict(type='ThreeCrop', crop_size=256)
    ]) == 30
    assert pipeline_views([
        dict(type='SampleFrames', clip_len=1, num_clips=8, twice_sample=True),
        dict(type='TenCrop', crop_size=224)
    ]) == 160
    assert pipeline_views([dict(type='CenterCrop', crop_size=224)]) == 1


def test_the_large_recognizers_test_on_several_views():
    views = {
        path: pipeline_views(Config.fromfile(osp.join(
            REPO, path)).test_dataloader.dataset.pipeline)
        for path in ('configs/weak/weak_mvit-b_32x3_charades.py',
                     'configs/full/full_mvit-b_32x3_breakfast.py')
    }
    assert set(views.values()) == {30}


@pytest.mark.parametrize('path', CONFIGS)
def test_multi_view_configs_bound_the_views_per_forward(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    loaders = evaluation_loaders(cfg)
    views = {
        split: pipeline_views(loader.dataset.pipeline)
        for split, loader in loaders.items()
    }
    multi_view = {split: n for split, n in views.items() if n > 1}
    if not multi_view:
        return
    assert cfg.get('model'), (
        f'{path}: {multi_view} views per video but no model to set '
        'model.test_cfg.max_testing_views on')
    test_cfg = cfg.model.get('test_cfg') or {}
    limit = test_cfg.get('max_testing_views')
    assert limit is not None, (
        f'{path}: {multi_view} views per video, but '
        'model.test_cfg.max_testing_views is not set')
    # Recognizer3D asserts an int, and runs views in chunks of that size.
    assert isinstance(limit, int) and 1 <= limit <= min(multi_view.values()), (
        f'{path}: model.test_cfg.max_testing_views={limit!r} must be an int '
        f'in [1, {min(multi_view.values())}] for {multi_view} views')
    model_cls = MODELS.get(cfg.model.type)
    assert issubclass(model_cls, Recognizer3D), (
        f'{path}: model.type {cfg.model.type} is no Recognizer3D, whose '
        'extract_feat honours max_testing_views')
    # Recognizer3D chunks the views of one video only.
    for split in multi_view:
        assert loaders[split].batch_size == 1, (
            f'{path}: {split}_dataloader.batch_size must be 1 with '
            'model.test_cfg.max_testing_views')


class CountBackboneCalls:
    """A forward hook that records the batch size of every backbone call."""

    def __init__(self):
        self.batches = []

    def __call__(self, module, args, output):
        self.batches.append(args[0].shape[0])


@pytest.mark.parametrize('limit', [1, 3, 5])
def test_recognizer_predicts_the_same_in_chunks_of_views(limit):
    cfg = Config.fromfile(osp.join(REPO, TINY_CONFIG))
    num_views = pipeline_views(cfg.test_dataloader.dataset.pipeline)
    assert num_views == 10
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'AdaptFocusRecognizer3D'
    model.eval()
    calls = CountBackboneCalls()
    model.backbone.register_forward_hook(calls)
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randint(
        0, 256, (num_views, 3, 8, 32, 32), dtype=torch.uint8,
        generator=generator)

    def predict(test_cfg):
        model.test_cfg = test_cfg
        data = dict(inputs=[inputs], data_samples=[ActionDataSample()])
        with torch.no_grad():
            return model.test_step(data)[0].pred_scores.item

    calls.batches.clear()
    all_at_once = predict(None)
    assert calls.batches == [num_views]
    calls.batches.clear()
    chunked = predict(dict(max_testing_views=limit))
    expected = [limit] * (num_views // limit)
    if num_views % limit:
        expected.append(num_views % limit)
    assert calls.batches == expected
    assert chunked.shape == all_at_once.shape == (cfg.num_classes, )
    torch.testing.assert_close(chunked, all_at_once, rtol=1e-5, atol=1e-6)
