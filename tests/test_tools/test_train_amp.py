"""``tools/train.py --amp``: the merged config asks for mmengine's
``AmpOptimWrapper``, which builds from it, and configs it cannot apply to
are refused by name."""
import glob
import importlib.util
import os.path as osp
import sys

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import AmpOptimWrapper, build_optim_wrapper

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
METHOD_CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                       recursive=True) if '_base_' not in p)
# The tiny X3D of the CPU demo and MViT-B with paramwise_cfg and clip_grad.
BUILD_CONFIGS = [
    'configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py',
    'configs/adaptfocus/adaptfocus_mvit-b_32x3_charades.py',
]
NO_ACCELERATOR = ('mmengine 0.10.7 AmpOptimWrapper asserts a CUDA, NPU, MLU '
                  'or MUSA device when it is built; this machine has none')


def load_train_tool():
    spec = importlib.util.spec_from_file_location(
        'mmwsal_train_tool', osp.join(REPO, 'tools', 'train.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_tool = load_train_tool()


def merged_config(path, monkeypatch, *options):
    """The config ``tools/train.py PATH OPTIONS...`` would run."""
    monkeypatch.setattr(sys, 'argv', ['train.py', path, *options])
    args = train_tool.parse_args()
    return train_tool.merge_args(Config.fromfile(args.config), args)


@pytest.mark.parametrize('path', METHOD_CONFIGS)
def test_amp_merges_into_every_shipped_config(path, monkeypatch):
    plain = merged_config(osp.join(REPO, path), monkeypatch)
    cfg = merged_config(osp.join(REPO, path), monkeypatch, '--amp')
    assert plain.optim_wrapper.get('type', 'OptimWrapper') == 'OptimWrapper'
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    # everything else of the wrapper is the config's
    rest = {
        k: v
        for k, v in cfg.optim_wrapper.items()
        if k not in ('type', 'loss_scale')
    }
    assert rest == {
        k: v
        for k, v in plain.optim_wrapper.items() if k != 'type'
    }


def test_amp_keeps_a_configured_loss_scale(tmp_path, monkeypatch):
    path = tmp_path / 'amp_static.py'
    path.write_text(
        "optim_wrapper = dict(type='AmpOptimWrapper', loss_scale=512.0,\n"
        "                     optimizer=dict(type='SGD', lr=0.1))\n")
    cfg = merged_config(str(path), monkeypatch, '--amp')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 512.0


@pytest.mark.parametrize('body, match', [
    ("optim_wrapper = dict(type='ApexOptimWrapper',\n"
     "                     optimizer=dict(type='SGD', lr=0.1))\n",
     r'optim_wrapper\.type=ApexOptimWrapper'),
    ('model = dict()\n', 'needs an optim_wrapper'),
    ("optim_wrapper = dict(\n"
     "    constructor='MultiOptimWrapperConstructor',\n"
     "    generator=dict(optimizer=dict(type='SGD', lr=0.1)),\n"
     "    discriminator=dict(optimizer=dict(type='SGD', lr=0.1)))\n",
     r'optim_wrapper\.optimizer'),
])
def test_amp_refuses_an_incompatible_optim_wrapper(tmp_path, monkeypatch,
                                                   body, match):
    path = tmp_path / 'incompatible.py'
    path.write_text(body)
    with pytest.raises(ValueError, match=match) as error:
        merged_config(str(path), monkeypatch, '--amp')
    assert str(path) in str(error.value)


@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_ACCELERATOR)
@pytest.mark.parametrize('path', BUILD_CONFIGS)
def test_amp_optim_wrapper_builds(path, monkeypatch):
    cfg = merged_config(osp.join(REPO, path), monkeypatch, '--amp')
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim_wrapper, AmpOptimWrapper)
    assert isinstance(optim_wrapper.loss_scaler, torch.amp.GradScaler)
    assert type(optim_wrapper.optimizer).__name__ == \
        cfg.optim_wrapper.optimizer.type
    assert optim_wrapper.clip_grad_kwargs == cfg.optim_wrapper.clip_grad


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='builds on CUDA: see above')
def test_amp_optim_wrapper_needs_an_accelerator(monkeypatch):
    cfg = merged_config(osp.join(REPO, BUILD_CONFIGS[0]), monkeypatch, '--amp')
    model = MODELS.build(cfg.model)
    with pytest.raises(AssertionError, match='only available training on gpu'):
        build_optim_wrapper(model, cfg.optim_wrapper)
