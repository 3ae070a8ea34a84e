import json
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsal.datasets import PackSnippetInputs

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


def samples(labels):
    out = []
    for i, label in enumerate(labels):
        s = ActionDataSample()
        s.set_gt_labels(torch.tensor(label))
        s.set_metainfo(dict(video_id=f'v{i}'))
        out.append(s)
    return out


def test_pooling_takes_each_video_alone():
    model = MODELS.build(
        dict(type='FeatureMLPRecognizer', in_channels=4, num_classes=3))
    videos = [torch.randn(5, 4), torch.randn(9, 4)]
    pooled = model.pool(videos)
    torch.testing.assert_close(pooled[1], videos[1].mean(0))
    with pytest.raises(ValueError, match=r'video v1: .*\(T, 4\)'):
        model.pool([torch.randn(5, 4), torch.randn(5, 3)],
                   samples([[0], [1]]))


def test_losses_equal_torch_reference():
    torch.manual_seed(0)
    single = MODELS.build(
        dict(type='FeatureMLPRecognizer', in_channels=4, num_classes=3,
             dropout=0.0))
    videos = [torch.randn(5, 4), torch.randn(7, 4)]
    logits = single(videos, mode='tensor')
    loss = single(videos, samples([[2], [0]]), mode='loss')['loss_cls']
    torch.testing.assert_close(
        loss, F.cross_entropy(logits, torch.tensor([2, 0])))
    multi = MODELS.build(
        dict(type='FeatureMLPRecognizer', in_channels=4, num_classes=3,
             dropout=0.0, multi_label=True))
    target = [[1, 0, 1], [0, 1, 0]]
    loss = multi(videos, samples(target), mode='loss')['loss_cls']
    torch.testing.assert_close(
        loss,
        F.binary_cross_entropy_with_logits(
            multi(videos, mode='tensor'), torch.tensor(target).float()))
    with pytest.raises(ValueError, match='single_label=True'):
        single(videos, samples(target), mode='loss')


def test_pack_single_label():
    pack = PackSnippetInputs(single_label=True)
    out = pack(dict(features=np.zeros((3, 2), np.float32), video_id='x',
                    label=np.array([0, 0, 1, 0], np.float32)))
    assert out['data_samples'].gt_labels.item.tolist() == [2]
    with pytest.raises(ValueError, match='video x.*exactly one label'):
        pack(dict(features=np.zeros((3, 2), np.float32), video_id='x',
                  label=np.array([0, 1, 1, 0], np.float32)))


def test_breakfast_config_learns_activities(tmp_path):
    """The shipped config classifies videos whose features carry their
    activity, reading single-label data end to end."""
    rng = np.random.default_rng(0)
    feat_dir = tmp_path / 'features'
    feat_dir.mkdir()
    videos = {}
    for i in range(40):
        cls = i % 4
        x = rng.normal(size=(int(rng.integers(5, 20)), 6)).astype(np.float32)
        x[:, cls] += 1.5  # the config trains on 90% of the 28
        np.save(feat_dir / f'v{i}.npy', x)
        videos[f'v{i}'] = dict(subset='train' if i < 28 else 'test',
                               file=f'v{i}.mp4', duration=10.0, fps=15.0,
                               labels=[cls])
    ann_file = tmp_path / 'ann.json'
    ann_file.write_text(
        json.dumps(dict(classes=list('abcd'), videos=videos)))
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/feature_recognition/'
                 'mlp_i3d-feat_100e_breakfast.py'))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.randomness = dict(seed=0)
    cfg.model.update(in_channels=6, num_classes=4)
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        loader.update(num_workers=0, persistent_workers=False, batch_size=4)
        loader.dataset.update(ann_file=str(ann_file), data_root='',
                              feature_dirs=[str(feat_dir)])
    cfg.train_dataloader.dataset.pipeline[0].feature_dim = 6
    cfg.train_cfg.update(max_epochs=20, val_interval=20)
    cfg.param_scheduler[0].T_max = 20
    cfg.default_hooks.checkpoint.interval = 20
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert metrics['acc/top1'] > 0.9, metrics
