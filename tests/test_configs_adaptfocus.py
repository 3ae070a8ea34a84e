"""The AdaptFocus configs of the real datasets agree with the paper and with
their weak (noisy) and full (clean) siblings.

tests/test_configs.py checks that every config builds; this file checks
what makes these configs the paper's experiments. Each check is a function
that raises AssertionError, so that ``test_checks_can_fail`` can show it
rejecting a broken config.
"""
import ast
import copy
import functools
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
ADAPTFOCUS_CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'adaptfocus', '*.py'))
    if not p.endswith('_synthetic.py'))
HEADLINE = 'configs/adaptfocus_mvit_charades.py'
HEADLINE_TARGET = 'configs/adaptfocus/adaptfocus_mvit-b_32x3_charades.py'

# Tables 1 and 2 of the paper, with MMAction2's backbones (X3D-M for X3D-L).
EXPECTED_STEMS = {
    'i3d-r50_32x3_charades', 'slowfast-r50_16x8_charades',
    'x3d-m_32x3_charades', 'mvit-b_16x4_charades', 'mvit-b_32x3_charades',
    'i3d-r50_32x3_breakfast', 'mvit-b_32x3_breakfast',
    'i3d-r50_32x3_multithumos', 'mvit-b_32x3_multithumos'
}
# view_t x view_s at test time (sec. 4.2).
PAPER_VIEWS = dict(charades=(10, 3), breakfast=(30, 1), multithumos=(30, 1))
PAPER_GPUS = 4
SPATIAL_VIEWS = dict(ThreeCrop=3, CenterCrop=1)
CLIP_META_KEYS = {'video_index', 'clip_position', 'num_positions'}
NAME = re.compile(r'^(?P<method>adaptfocus|weak|full)_(?P<model>[\w-]+)_'
                  r'(?P<frames>\d+)x(?P<stride>\d+)_(?P<data>[a-z]+)\.py$')


@functools.lru_cache(maxsize=None)
def _load(path):
    return Config.fromfile(osp.join(REPO, path))


def load(path):
    """A copy that a test may change."""
    return copy.deepcopy(_load(path))


def sibling(path, method):
    stem = osp.basename(path)[len('adaptfocus_'):]
    return f'configs/{method}/{method}_{stem}'


def clip_sampler(pipeline):
    samplers = [t for t in pipeline if t['type'] == 'WeakClipSampler']
    assert len(samplers) == 1, f'{len(samplers)} WeakClipSampler steps'
    return samplers[0]


def views(pipeline):
    """(view_t, view_s) of a test pipeline."""
    sampler = clip_sampler(pipeline)
    assert sampler.get('test_mode', False), 'test sampler not in test mode'
    crops = [t['type'] for t in pipeline if t['type'] in SPATIAL_VIEWS]
    assert len(crops) == 1, f'spatial views {crops}'
    return sampler.get('num_clips', 1), SPATIAL_VIEWS[crops[0]]


def clip_setting(cfg):
    """F x tau as the paper counts them: for SlowFast, the slow pathway's."""
    sampler = clip_sampler(cfg.train_dataloader.dataset.pipeline)
    frames, stride = sampler['clip_len'], sampler['frame_interval']
    backbone = cfg.model.backbone
    if backbone.type == 'ResNet3dSlowFast':
        assert frames % backbone.resample_rate == 0
        frames //= backbone.resample_rate
        stride *= backbone.resample_rate
    return frames, stride


def check_head(cfg):
    head = cfg.model.cls_head
    assert head.multi_class, 'multi-label needs multi_class=True'
    assert head.get('label_smooth_eps', 0) == 0, 'label smoothing'
    assert head.average_clips == 'score', 'views must average raw scores'
    assert head.num_classes == cfg.num_classes


def check_adaptfocus(cfg):
    assert cfg.model.type == 'AdaptFocusRecognizer3D'
    loss = cfg.model.cls_head.loss_cls
    assert loss.type == 'AdaptFocusLoss' and loss.mode == 'adaptfocus'
    # The paper's factors (sec. 4.1); alpha and beta are the loss defaults.
    assert loss.weighting == 'exponential' and loss.theta == 0.75
    assert loss.get('alpha') in (None, 5.0) and loss.get('beta') in (None, 3.0)
    hooks = [
        h for h in cfg.get('custom_hooks', []) if h.type == 'AdaptFocusHook'
    ]
    assert len(hooks) == 1, 'AdaptFocusHook missing from custom_hooks'
    assert hooks[0].get('warmup_ratio', 0.2) == 0.2
    check_head(cfg)


def check_stock(cfg):
    """Plain MMAction2: Recognizer3D and BCE, no AdaptFocus hook."""
    assert cfg.model.type == 'Recognizer3D'
    assert cfg.model.cls_head.loss_cls.type == 'BCELossWithLogits'
    assert not [
        h for h in cfg.get('custom_hooks', []) if h.type == 'AdaptFocusHook'
    ]
    check_head(cfg)


def check_weak(cfg):
    check_stock(cfg)
    sampler = clip_sampler(cfg.train_dataloader.dataset.pipeline)
    assert sampler.get('label_mode', 'weak') == 'weak'


def check_full(cfg):
    check_stock(cfg)
    sampler = clip_sampler(cfg.train_dataloader.dataset.pipeline)
    assert sampler.get('label_mode') == 'clean', 'oracle needs clean labels'


def check_views(cfg, data):
    assert views(cfg.test_dataloader.dataset.pipeline) == PAPER_VIEWS[data]
    # Validation spreads as many temporal views (fewer crops are allowed).
    view_t, _ = views(cfg.val_dataloader.dataset.pipeline)
    assert view_t == PAPER_VIEWS[data][0]


def check_meta_keys(cfg):
    pack = cfg.train_dataloader.dataset.pipeline[-1]
    assert pack.type == 'PackActionInputs'
    assert CLIP_META_KEYS <= set(pack.get('meta_keys', ())), \
        'the train pipeline must pack the clip metadata'


def check_checkpoint(cfg):
    url = cfg.load_from
    assert isinstance(url, str) and url.startswith(
        'https://download.openmmlab.com/mmaction/'), url
    assert url.endswith('.pth') and 'kinetics400' in url, url


def check_name(path, cfg):
    match = NAME.match(osp.basename(path))
    assert match, path
    assert clip_setting(cfg) == (int(match['frames']), int(match['stride']))
    if cfg.model.backbone.type == 'MViT':
        assert cfg.model.backbone.temporal_size == clip_sampler(
            cfg.train_dataloader.dataset.pipeline)['clip_len']


def check_schedule(cfg):
    # The learning rates are stated for the paper's 4 GPUs.
    batch = cfg.train_dataloader.batch_size * PAPER_GPUS
    assert cfg.auto_scale_lr.base_batch_size == batch


def _without(cfg, paths):
    """The config as a dict, without the given dotted paths."""
    out = copy.deepcopy(cfg.to_dict())
    for path in paths:
        *parents, key = path.split('.')
        node = out
        for p in parents:
            node = node[p]
        node.pop(key, None)
    return out


def check_only_loss_differs(adaptfocus, weak):
    """AdaptFocus = its weak sibling + the loss, recognizer and hook."""
    paths = ('model.type', 'model.cls_head.loss_cls', 'custom_hooks')
    assert _without(adaptfocus, paths) == _without(weak, paths)


def check_only_labels_differ(full, weak):
    """Full (Clean) = its weak sibling with clean clip labels."""
    plain = []
    for cfg in (full, weak):
        cfg = copy.deepcopy(cfg)
        for pipeline in (cfg.train_pipeline,
                         cfg.train_dataloader.dataset.pipeline):
            clip_sampler(pipeline).pop('label_mode', None)
        plain.append(cfg.to_dict())
    assert plain[0] == plain[1]


def test_the_paper_configs_are_there():
    stems = {
        osp.basename(p)[len('adaptfocus_'):-3]
        for p in ADAPTFOCUS_CONFIGS
    }
    assert stems == EXPECTED_STEMS


@pytest.mark.parametrize('path', ADAPTFOCUS_CONFIGS)
def test_adaptfocus_config(path):
    cfg = load(path)
    data = NAME.match(osp.basename(path))['data']
    check_adaptfocus(cfg)
    check_views(cfg, data)
    check_meta_keys(cfg)
    check_checkpoint(cfg)
    check_name(path, cfg)
    check_schedule(cfg)


@pytest.mark.parametrize('path', ADAPTFOCUS_CONFIGS)
def test_weak_and_full_siblings(path):
    adaptfocus = load(path)
    weak_path, full_path = sibling(path, 'weak'), sibling(path, 'full')
    assert osp.isfile(osp.join(REPO, weak_path)), weak_path
    assert osp.isfile(osp.join(REPO, full_path)), full_path
    weak, full = load(weak_path), load(full_path)
    check_weak(weak)
    check_full(full)
    for cfg in (weak, full):
        assert cfg.model.backbone == adaptfocus.model.backbone
        assert clip_setting(cfg) == clip_setting(adaptfocus)
        assert views(cfg.test_dataloader.dataset.pipeline) == views(
            adaptfocus.test_dataloader.dataset.pipeline)
        assert cfg.load_from == adaptfocus.load_from
    check_only_loss_differs(adaptfocus, weak)
    check_only_labels_differ(full, weak)
    # Only training of the oracle reads segments.
    for cfg in (weak, full, adaptfocus):
        for loader in ('val_dataloader', 'test_dataloader'):
            assert clip_sampler(cfg[loader].dataset.pipeline).get(
                'label_mode', 'weak') == 'weak'


def test_headline_config_is_the_mvit_charades_one():
    with open(osp.join(REPO, HEADLINE)) as f:
        tree = ast.parse(f.read())
    # Nothing but `_base_ = [...]` (and comments, which ast drops).
    assert len(tree.body) == 1
    assert tree.body[0].targets[0].id == '_base_'
    assert load(HEADLINE).to_dict() == load(HEADLINE_TARGET).to_dict()


def test_checks_can_fail():
    path = 'configs/adaptfocus/adaptfocus_i3d-r50_32x3_charades.py'
    good = load(path)

    def fails(check, mutate, *args):
        cfg = copy.deepcopy(good)
        mutate(cfg)
        with pytest.raises(AssertionError):
            check(cfg, *args)

    def set_views(view_t, crop):

        def mutate(cfg):
            pipeline = cfg.test_dataloader.dataset.pipeline
            clip_sampler(pipeline)['num_clips'] = view_t
            for t in pipeline:
                if t['type'] in SPATIAL_VIEWS:
                    t['type'] = crop
                    t['crop_size'] = 256

        return mutate

    fails(check_views, set_views(30, 'CenterCrop'), 'charades')
    fails(check_views, set_views(10, 'ThreeCrop'), 'breakfast')
    fails(check_adaptfocus, lambda c: c.pop('custom_hooks'))
    fails(check_adaptfocus,
          lambda c: c.model.cls_head.loss_cls.update(mode='noisy'))
    fails(check_adaptfocus,
          lambda c: c.model.cls_head.update(average_clips='prob'))
    fails(check_adaptfocus,
          lambda c: c.model.cls_head.update(label_smooth_eps=0.1))
    fails(
        check_meta_keys,
        lambda c: c.train_dataloader.dataset.pipeline[-1].update(
            meta_keys=('video_id', )))
    fails(
        check_checkpoint, lambda c: c.update(
            load_from=c.load_from.replace('https://', 'http://')))
    fails(check_checkpoint, lambda c: c.update(load_from=None))
    fails(check_schedule, lambda c: c.train_dataloader.update(batch_size=8))
    fails(
        lambda c: check_name(path, c), lambda c: clip_sampler(
            c.train_dataloader.dataset.pipeline).update(frame_interval=2))
    fails(check_weak, lambda c: None)  # an AdaptFocus config is not weak
    fails(check_full, lambda c: None)

    weak = load(sibling(path, 'weak'))
    full = load(sibling(path, 'full'))
    with pytest.raises(AssertionError):
        check_only_loss_differs(
            good, load(sibling('adaptfocus_x3d-m_32x3_charades.py', 'weak')))
    changed = copy.deepcopy(weak)
    changed.optim_wrapper.optimizer.lr *= 2
    with pytest.raises(AssertionError):
        check_only_loss_differs(good, changed)
    with pytest.raises(AssertionError):
        check_only_labels_differ(full, changed)
    clip_sampler(full.train_dataloader.dataset.pipeline)['label_mode'] = 'weak'
    with pytest.raises(AssertionError):
        check_full(full)
