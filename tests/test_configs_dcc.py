"""The DCC configs: both stages build, stage 2 loads every weight of stage
1, and a synthetic config trains, checkpoints and resumes its bank."""
import glob
import math
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmwsal.models.necks import DCCNeck
from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DCC_CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'dcc', 'dcc-*.py')))
HEADS = dict(basnet='BaSNetHead', bgmodel='BackgroundModelingHead')
CAS_KEYS = dict(basnet='base_cas', bgmodel='snippet_logits')


def load(path):
    return Config.fromfile(osp.join(REPO, path))


def stage1_config(path):
    """The config whose checkpoint stage 2 starts from."""
    name = osp.basename(path)[len('dcc-'):]
    if name.startswith('basnet_'):
        return osp.join('configs', 'wstal', name)
    return osp.join('configs', 'dcc', 'bgmodel-embed_' + name[8:])


def test_there_are_configs_for_each_dataset_and_head():
    names = {osp.basename(p) for p in DCC_CONFIGS}
    for data in ('thumos14', 'activitynet13', 'synthetic'):
        for head in HEADS:
            assert any(n.startswith(f'dcc-{head}_') and
                       n.endswith(f'_{data}.py') for n in names), (head, data)


@pytest.mark.parametrize('path', DCC_CONFIGS)
def test_stage2_builds_and_loads_every_stage1_weight(path):
    cfg = load(path)
    assert cfg.custom_imports.imports == ['mmwsal']
    head = osp.basename(path).split('_')[0][len('dcc-'):]
    model = MODELS.build(cfg.model)
    assert type(model.head).__name__ == HEADS[head]
    assert isinstance(model.neck, DCCNeck)
    assert model.neck.cas_key == CAS_KEYS[head]
    assert model.neck.num_classes == cfg.num_classes
    assert [h.type for h in cfg.custom_hooks] == ['DCCBetaHook']

    first = stage1_config(path)
    stage1 = load(first)
    assert 'neck' not in stage1.model and not stage1.get('custom_hooks')
    assert cfg.load_from == (
        f'work_dirs/{osp.splitext(osp.basename(first))[0]}/'
        f'iter_{stage1.train_cfg.max_iters}.pth')
    weights = MODELS.build(stage1.model).state_dict()
    held = model.state_dict()
    for name, value in weights.items():
        assert held[name].shape == value.shape, name
    assert all(k.startswith('neck.') for k in set(held) - set(weights))


class BankRecorder(Hook):
    """The bank when training starts (after a resume) and each beta."""

    priority = 'LOW'  # after DCCBetaHook

    def __init__(self):
        self.start, self.betas = None, []

    def before_train(self, runner):
        self.start = {
            k: v.clone()
            for k, v in runner.model.neck.bank.state_dict().items()
        }

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.betas.append(runner.model.neck.beta)


def dcc_runner(planted_features, work_dir, max_iters, resume_from=None):
    ann_file, feat_dir = planted_features
    cfg = load('configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py')
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0)
    cfg.model.head.num_classes = 3
    cfg.model.embed_channels = 16
    # the planted set: 16 training videos, one label each
    cfg.model.neck.update(bank_size=16, projection_channels=8,
                          hidden_channels=8)
    use_feature_set(cfg, ann_file, feat_dir, 8, num_workers=0)
    cfg.train_dataloader.batch_size = 6
    cfg.train_cfg.update(max_iters=max_iters, val_interval=100)
    cfg.default_hooks.checkpoint.update(interval=3, save_best=None)
    cfg.default_hooks.logger.interval = 1
    cfg.load_from, cfg.resume = resume_from, resume_from is not None
    runner = Runner.from_cfg(cfg)
    recorder = BankRecorder()
    runner.register_hook(recorder)
    return runner, recorder


def test_synthetic_config_trains_and_resumes_its_bank(planted_features,
                                                      tmp_path):
    runner, seen = dcc_runner(planted_features, tmp_path, 3)
    runner.train()
    neck = runner.model.neck
    assert seen.start['labels'].eq(-1).all()  # a fresh bank
    assert neck.bank.num_filled == 16 and int(neck.bank.pointer) == 2
    assert neck.bank.action.abs().sum() > 0
    loss = runner.message_hub.get_scalar('train/loss_dcc').current()
    assert math.isfinite(loss) and loss > 0
    # beta from 0.1 at the first of 3 iterations to 10000 at the last
    assert seen.betas == pytest.approx([0.1, 10**1.5, 10000.0])

    ckpt = tmp_path / 'iter_3.pth'
    resumed, seen2 = dcc_runner(planted_features, tmp_path / 'resumed', 4,
                                resume_from=str(ckpt))
    resumed.train()
    for name, value in neck.bank.state_dict().items():
        assert torch.equal(seen2.start[name], value), name
    assert int(resumed.model.neck.bank.pointer) == (2 + 6) % 16
    assert seen2.betas == pytest.approx([10000.0])
