"""The DCC configs: both readings of stage 2 build and fit their stage-1
checkpoint, they infer as DCC does, and a synthetic config trains,
checkpoints (teacher, bank, beta state) and resumes."""
import glob
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner, save_checkpoint

from mmwsal.models.heads.base_wstal_head import threshold_list
from mmwsal.models.necks import DCCNeck
from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DCC_CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'dcc', 'dcc-*.py')))
HEADS = dict(basnet='BaSNetHead', bgmodel='BackgroundModelingHead')
CAS_KEYS = dict(basnet='base_cas', bgmodel='snippet_logits')
# BaS-Net contrasts the hidden features of its CAS module; Background
# Modeling, which has none, the localizer's embedding.
FEAT_KEYS = dict(basnet='base_feats', bgmodel=None)


def load(path):
    return Config.fromfile(osp.join(REPO, path))


def method(path):
    """``('basnet', True)`` for ``dcc-basnet-warmstart_...``."""
    name = osp.basename(path).split('_')[0][len('dcc-'):]
    return name.split('-')[0], name.endswith('-warmstart')


def stage1_config(path):
    """The config whose checkpoint stage 2 reads."""
    head, _ = method(path)
    rest = osp.basename(path).split('_', 1)[1]
    if head == 'basnet':
        return osp.join('configs', 'wstal', f'basnet_{rest}')
    return osp.join('configs', 'dcc', f'bgmodel-embed_{rest}')


def stage1_checkpoint(path):
    first = stage1_config(path)
    return (f'work_dirs/{osp.splitext(osp.basename(first))[0]}/'
            f'iter_{load(first).train_cfg.max_iters}.pth')


def test_there_are_configs_for_each_dataset_head_and_reading():
    names = {osp.basename(p) for p in DCC_CONFIGS}
    for data in ('thumos14', 'activitynet13', 'synthetic'):
        for head in HEADS:
            for reading in ('', '-warmstart'):
                assert any(
                    n.startswith(f'dcc-{head}{reading}_')
                    and n.endswith(f'_{data}.py') for n in names), (head,
                                                                     data)


@pytest.mark.parametrize('path', DCC_CONFIGS)
def test_stage2_builds_and_fits_its_stage1_checkpoint(path):
    cfg = load(path)
    assert cfg.custom_imports.imports == ['mmwsal']
    head, warmstart = method(path)
    model = MODELS.build(cfg.model)
    assert type(model.head).__name__ == HEADS[head]
    assert isinstance(model.neck, DCCNeck)
    assert model.neck.cas_key == CAS_KEYS[head]
    assert model.neck.feat_key == FEAT_KEYS[head]
    assert model.neck.num_classes == cfg.num_classes
    [hook] = cfg.custom_hooks
    assert (hook.type, hook.start, hook.end, hook.balance) == \
        ('DCCBetaHook', 0.01, 1.0, 'loss')

    first = load(stage1_config(path))
    assert 'neck' not in first.model and not first.get('custom_hooks')
    weights = MODELS.build(first.model).state_dict()
    if warmstart:
        # continues from stage 1: every stage-1 weight has its place
        assert cfg.load_from == stage1_checkpoint(path)
        assert model.teacher is None
        held = model.state_dict()
        for name, value in weights.items():
            assert held[name].shape == value.shape, name
        assert all(k.startswith('neck.') for k in set(held) - set(weights))
    else:
        # from scratch: the teacher loads the stage-1 checkpoint strictly
        assert not cfg.get('load_from')
        assert cfg.model.pseudo_label_teacher.checkpoint == \
            stage1_checkpoint(path)
        teacher = model.teacher.state_dict()
        assert set(teacher) == set(weights)
        for name, value in weights.items():
            assert teacher[name].shape == value.shape, name
        # the student is the stage-1 architecture
        assert {k[len('teacher.'):]
                for k in model.state_dict() if k.startswith('teacher.')} \
            == {k for k in model.state_dict()
                if not k.startswith(('teacher', 'neck.'))}


@pytest.mark.parametrize('path', DCC_CONFIGS)
def test_dcc_inference_settings(path):
    """theta_l from 0 to 0.9 in steps of 0.025, theta_v = 0.2 (never below
    the chance level 1/(C + 1) of the video scores), the base branch's
    softmax (BaS-Net: the suppression branch's video scores; Background
    Modeling: its snippet logits w x_t)."""
    cfg = load(path)
    test_cfg = cfg.model.head.test_cfg
    assert test_cfg.tcas_norm == 'softmax'
    if method(path)[0] == 'basnet':
        assert test_cfg.branch == 'base' and test_cfg.score_branch == 'supp'
    else:
        assert test_cfg.cas == 'snippet'
    thresholds = threshold_list(test_cfg.thresholds)
    np.testing.assert_allclose(thresholds, np.arange(37) * 0.025)
    assert test_cfg.class_threshold == 0.2
    assert 0.2 >= 1 / (cfg.num_classes + 1)
    head = MODELS.build(dict(cfg.model.head, in_channels=8,
                             cas_channels=8) if method(path)[0] == 'basnet'
                        else dict(cfg.model.head, in_channels=8))
    assert head.class_threshold == 0.2  # not raised to chance
    assert head.test_cfg['source'] == 'cas'


def small_head(path, num_classes=4):
    cfg = load(path)
    head = dict(cfg.model.head, in_channels=6, num_classes=num_classes)
    if method(path)[0] == 'basnet':
        head.update(cas_channels=5, filter_channels=3)
    torch.manual_seed(0)
    return MODELS.build(head).eval()


@pytest.mark.parametrize('path', [
    'configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py',
    'configs/dcc/dcc-bgmodel_x3d-feat_600-iter_synthetic.py'
])
def test_dcc_localizes_on_the_softmax_of_the_base_tcas(path):
    head = small_head(path)
    out = head(torch.randn(2, 6, 9))
    base = out[CAS_KEYS[method(path)[0]]]
    np.testing.assert_allclose(
        head.inference_tcas(out),
        base.softmax(dim=-1)[..., :4].detach().numpy(),
        rtol=1e-6)


def test_dcc_selects_classes_by_the_filtered_video_scores():
    head = small_head('configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py')
    out = head(torch.randn(2, 6, 9))
    torch.testing.assert_close(
        head.inference_video_scores(out),
        out['supp_video_logits'].softmax(dim=-1)[:, :4])


class Recorder(Hook):
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


def small_config(planted_features, work_dir, path):
    ann_file, feat_dir = planted_features
    cfg = load(path)
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0)
    cfg.model.head.update(num_classes=3, cas_channels=16)
    # the planted set: 16 training videos, one label each
    cfg.model.neck.update(bank_size=16, in_channels=16,
                          projection_channels=8, hidden_channels=8)
    use_feature_set(cfg, ann_file, feat_dir, 8, num_workers=0)
    cfg.train_dataloader.batch_size = 6
    cfg.default_hooks.checkpoint.update(interval=3, save_best=None)
    cfg.default_hooks.logger.interval = 1
    return cfg


def dcc_runner(planted_features, work_dir, stage1, max_iters,
               resume_from=None):
    cfg = small_config(planted_features, work_dir,
                       'configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py')
    cfg.model.pseudo_label_teacher.checkpoint = stage1
    cfg.train_cfg.update(max_iters=max_iters, val_interval=100)
    cfg.load_from, cfg.resume = resume_from, resume_from is not None
    runner = Runner.from_cfg(cfg)
    recorder = Recorder()
    runner.register_hook(recorder)
    return runner, recorder


def test_synthetic_config_trains_and_resumes(planted_features, tmp_path):
    # a stage-1 checkpoint of the same (small) BaS-Net
    cfg = small_config(planted_features, tmp_path,
                       'configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py')
    first = dict(cfg.model)
    first.pop('neck'), first.pop('pseudo_label_teacher')
    torch.manual_seed(5)
    stage1 = MODELS.build(first).state_dict()
    stage1_file = str(tmp_path / 'stage1.pth')
    save_checkpoint(stage1, stage1_file)

    runner, seen = dcc_runner(planted_features, tmp_path / 'run', stage1_file,
                              3)
    runner.train()
    neck = runner.model.neck
    assert seen.start['labels'].eq(-1).all()  # a fresh bank
    assert neck.bank.num_filled == 16 and int(neck.bank.pointer) == 2
    assert neck.bank.action.abs().sum() > 0
    hub = runner.message_hub
    loss = hub.get_scalar('train/loss_dcc').current()
    l_dcc = hub.get_scalar('train/l_dcc').current()
    assert math.isfinite(loss) and loss > 0
    assert loss == pytest.approx(seen.betas[-1] * l_dcc, rel=1e-5)
    # the loss-balanced share: the first iteration measures (beta 0)
    assert seen.betas[0] == 0 and all(b > 0 for b in seen.betas[1:])
    # the student trained from scratch: not the stage-1 weights
    trained = runner.model.state_dict()
    assert not torch.equal(trained['head.cas_module.conv1.weight'],
                           stage1['head.cas_module.conv1.weight'])

    ckpt = torch.load(str(tmp_path / 'run' / 'iter_3.pth'),
                      map_location='cpu', weights_only=False)
    # the checkpoint holds the teacher, unchanged, and the beta state
    for name, value in stage1.items():
        assert torch.equal(ckpt['state_dict'][f'teacher.{name}'], value)
    running = ckpt['dcc_beta_hook']['running']
    assert len(running) == 2 and running[1] > 0

    resumed, seen2 = dcc_runner(planted_features, tmp_path / 'resumed',
                                stage1_file, 4,
                                resume_from=str(tmp_path / 'run' /
                                                'iter_3.pth'))
    resumed.train()
    for name, value in neck.bank.state_dict().items():
        assert torch.equal(seen2.start[name], value), name
    assert int(resumed.model.neck.bank.pointer) == (2 + 6) % 16
    # the share at the last of 4 iterations is 1: beta = L_base / L_dcc of
    # the running means the checkpoint carried
    assert seen2.betas == pytest.approx([running[0] / running[1]])
