"""No shipped config chooses its checkpoint on the test subset.

A config whose ``save_best`` is set must validate on videos it neither
trains nor tests on: the held-out part (``heldout.part='val'``) of its
training subset, with training on the rest (``part='train'``, same ratio and
seed), and the test subset elsewhere.
"""
import copy
import glob
import os.path as osp

import pytest
from mmaction.registry import DATASETS
from mmengine.config import Config

from mmwsal.datasets import LongVideoDataset, SnippetFeatureDataset

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
DATASET_BASES = [p for p in CONFIGS if '_base_/datasets/' in p]


def load(path):
    return Config.fromfile(osp.join(REPO, path))


def mmwsal_dataset(loader):
    """The dataset config of ``loader`` if it is a long-video or snippet
    feature dataset with a subset, else None."""
    if not loader or 'dataset' not in loader:
        return None
    dataset = loader['dataset']
    cls = DATASETS.get(dataset.get('type', ''))
    if cls is None or not issubclass(
            cls, (LongVideoDataset, SnippetFeatureDataset)):
        return None
    return dataset if 'subset' in dataset else None


def subset_of(dataset):
    subset = dataset.get('subset')
    return tuple(sorted([subset] if isinstance(subset, str) else subset))


def save_best(cfg):
    checkpoint = cfg.get('default_hooks', {}).get('checkpoint', {})
    return checkpoint.get('save_best')


def heldout_problem(train, val):
    """Why ``val`` is not the held-out part of ``train``'s subset, or
    None."""
    heldout = val.get('heldout')
    if not heldout or heldout.get('part') != 'val':
        return f'validation on subset {subset_of(val)} is no held-out part'
    if subset_of(train) != subset_of(val):
        return (f'held out of {subset_of(val)}, but training reads '
                f'{subset_of(train)}')
    if train.get('ann_file') != val.get('ann_file'):
        return 'training and validation read other annotations'
    theirs = train.get('heldout') or {}
    if theirs.get('part') != 'train':
        return 'training reads the held-out videos too (no part="train")'
    for key in ('ratio', 'seed'):
        if theirs.get(key, 0) != heldout.get(key, 0):
            return f'training and validation split with another {key}'
    return None


def protocol_problem(cfg):
    """What makes ``cfg`` choose a checkpoint by test videos, or None."""
    val = mmwsal_dataset(cfg.get('val_dataloader'))
    if val is None:
        return None
    train = mmwsal_dataset(cfg.get('train_dataloader'))
    test = mmwsal_dataset(cfg.get('test_dataloader'))
    if val.get('heldout') and train is not None:
        problem = heldout_problem(train, val)
        if problem:
            return problem
    if save_best(cfg) is None:
        return None
    if test is not None and subset_of(val) == subset_of(test):
        return (f'save_best={save_best(cfg)!r} validates on the test subset '
                f'{subset_of(test)}')
    if train is not None and subset_of(val) == subset_of(train):
        return heldout_problem(train, val)
    return None


@pytest.mark.parametrize('path', CONFIGS)
def test_no_checkpoint_is_chosen_on_the_test_subset(path):
    cfg = load(path)
    assert protocol_problem(cfg) is None, f'{path}: {protocol_problem(cfg)}'


def test_the_check_finds_test_selection():
    cfg = load('configs/weak/weak_i3d-r50_32x3_charades.py')
    assert save_best(cfg) == 'auto'
    assert protocol_problem(cfg) is None
    on_test = copy.deepcopy(cfg)
    on_test.val_dataloader.dataset.subset = 'test'
    on_test.val_dataloader.dataset.pop('heldout')
    assert 'validates on the test subset' in protocol_problem(on_test)
    # Held out of the test subset is still the test subset.
    on_test.val_dataloader.dataset.heldout = dict(ratio=0.1, part='val')
    assert protocol_problem(on_test)
    trains_on_all = copy.deepcopy(cfg)
    trains_on_all.train_dataloader.dataset.pop('heldout')
    assert 'reads the held-out videos' in protocol_problem(trains_on_all)
    other_seed = copy.deepcopy(cfg)
    other_seed.val_dataloader.dataset.heldout.seed = 1
    assert 'seed' in protocol_problem(other_seed)
    no_split = copy.deepcopy(cfg)
    no_split.val_dataloader.dataset.pop('heldout')
    assert 'no held-out part' in protocol_problem(no_split)


def test_checkpoints_of_test_validating_configs_are_the_last():
    # The WS-TAL configs validate on the test subset as a progress display.
    cfg = load('configs/wstal/basnet_i3d-feat_5k-iter_thumos14.py')
    assert cfg.val_dataloader.dataset.subset == \
        cfg.test_dataloader.dataset.subset
    assert save_best(cfg) is None
    cfg.default_hooks.checkpoint.save_best = 'mAP_avg'
    assert 'validates on the test subset' in protocol_problem(cfg)


@pytest.mark.parametrize('path', DATASET_BASES)
def test_dataset_bases_validate_on_heldout_or_say_why(path):
    cfg = load(path)
    val = mmwsal_dataset(cfg.get('val_dataloader'))
    test = mmwsal_dataset(cfg.get('test_dataloader'))
    if val is None or test is None:
        return  # the shared bases, the few-shot ones (no validation)
    if val.get('heldout'):
        assert heldout_problem(cfg.train_dataloader.dataset, val) is None
        assert subset_of(val) != subset_of(test)
        assert not test.get('heldout')
    else:
        # Only WS-TAL on features validates on its test subset, under
        # iter_runtime.py's save_best=None.
        assert 'TemporalDetectionMetric' in str(cfg.val_evaluator), path
        runtime = load('configs/_base_/iter_runtime.py')
        assert save_best(runtime) is None


def test_heldout_bases_cover_every_video_dataset():
    heldout = [
        p for p in DATASET_BASES
        if mmwsal_dataset(load(p).get('val_dataloader')) is not None
        and load(p).val_dataloader.dataset.get('heldout')
    ]
    names = {osp.basename(p)[:-3] for p in heldout}
    assert {
        'charades', 'breakfast', 'multithumos', 'thumos14', 'activitynet12',
        'activitynet13', 'synthetic', 'features_breakfast'
    } <= names
