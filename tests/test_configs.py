"""Every shipped config loads, and its parts agree with the code."""
import glob
import os.path as osp

import pytest
from mmaction.registry import DATASETS, MODELS
from mmengine.config import Config
from mmengine.dataset import Compose

from mmwsal.datasets import WeakClipSampler
from mmwsal.datasets.converters import multithumos, thumos14

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                       recursive=True))
VIDEO_DATASET_CONFIGS = [
    p for p in CONFIGS if '_base_/datasets/' in p
    and not osp.basename(p).startswith(
        ('long_video', 'features_', 'snippet_', 'fewshot_'))
]
FEATURE_DATASET_CONFIGS = [
    p for p in CONFIGS if '_base_/datasets/features_' in p
]
METHOD_CONFIGS = [p for p in CONFIGS if '_base_' not in p]
LOCALIZER_CONFIGS = [p for p in METHOD_CONFIGS if '/wstal/' in p]
# configs of downstream models that read exported features
FEATURE_MODEL_CONFIGS = [
    p for p in METHOD_CONFIGS if '/bmn/' in p or '/feature_recognition/' in p
]
# configs/dcc/ (localizers with the DCC neck): tests/test_configs_dcc.py
RECOGNIZER_CONFIGS = [
    p for p in METHOD_CONFIGS if p not in LOCALIZER_CONFIGS
    and p not in FEATURE_MODEL_CONFIGS and '/dcc/' not in p
    # annotation-efficient recognition: tests/test_configs_fewshot.py
    and '/fewshot/' not in p
]


def load(path):
    return Config.fromfile(osp.join(REPO, path))


def test_there_are_configs():
    assert len(VIDEO_DATASET_CONFIGS) >= 7 and RECOGNIZER_CONFIGS
    assert len(FEATURE_DATASET_CONFIGS) >= 4 and len(LOCALIZER_CONFIGS) >= 12


@pytest.mark.parametrize('path', VIDEO_DATASET_CONFIGS)
def test_dataset_configs(path):
    cfg = load(path)
    train = cfg.train_dataloader.dataset
    test = cfg.test_dataloader.dataset
    assert train.type == test.type == 'LongVideoDataset'
    assert train.ann_file == test.ann_file == cfg.ann_file
    assert train.data_prefix.video == cfg.data_root
    assert train.subset != test.subset
    assert test.test_mode and not train.get('test_mode', False)
    assert cfg.num_classes > 0


def test_subset_names_are_those_the_converters_write():
    thumos = load('configs/_base_/datasets/thumos14.py')
    assert thumos.train_dataloader.dataset.subset == thumos14.SUBSETS['val']
    assert thumos.test_dataloader.dataset.subset == thumos14.SUBSETS['test']
    multi = load('configs/_base_/datasets/multithumos.py')
    assert {multi.train_dataloader.dataset.subset,
            multi.test_dataloader.dataset.subset} == set(
                multithumos.SUBSET_PREFIXES.values())
    charades = load('configs/_base_/datasets/charades.py')
    assert (charades.train_dataloader.dataset.subset,
            charades.test_dataloader.dataset.subset) == ('train', 'test')


@pytest.mark.parametrize('path', FEATURE_DATASET_CONFIGS)
def test_feature_dataset_configs(path):
    cfg = load(path)
    train = cfg.train_dataloader.dataset
    test = cfg.test_dataloader.dataset
    assert train.type == test.type == 'SnippetFeatureDataset'
    # The dataset joins data_root and ann_file as mmengine's BaseDataset
    # does; the metric reads the same file by its full path.
    for split in (train, test):
        dataset = DATASETS.build(dict(split, lazy_init=True))
        assert dataset.ann_file == cfg.ann_file
    assert train.feature_dirs == test.feature_dirs == cfg.feature_dirs
    assert train.subset != test.subset
    assert test.test_mode and not train.get('test_mode', False)
    assert train.pipeline[0].feature_dim == cfg.in_channels
    Compose(train.pipeline)
    Compose(test.pipeline)
    test_types = [t['type'] for t in test.pipeline]
    assert 'ResampleSnippets' not in test_types  # testing sees every snippet
    if not isinstance(cfg.test_evaluator, list):  # video classification
        assert cfg.test_evaluator.type == 'AccMetric'
        return
    # localization trains at a fixed length, evaluates detections
    assert 'ResampleSnippets' in [t['type'] for t in train.pipeline]
    detection = cfg.test_evaluator[0]
    assert detection.type == 'TemporalDetectionMetric'
    assert detection.ann_file == cfg.ann_file
    assert detection.subset == test.subset


@pytest.mark.parametrize('path', LOCALIZER_CONFIGS)
def test_localizer_configs_build(path):
    cfg = load(path)
    assert cfg.custom_imports.imports == ['mmwsal']
    assert cfg.default_scope == 'mmaction'
    model = MODELS.build(cfg.model)
    assert model.head.num_classes == cfg.num_classes
    assert model.in_channels == cfg.in_channels
    method = osp.basename(path).split('_')[0]
    assert type(model.head).__name__ == dict(
        mil='MILHead', basnet='BaSNetHead', bgmodel='BackgroundModelingHead',
        backtal='BackTALHead')[method]
    # BackTAL trains on background clicks, simulated where none are given
    if method == 'backtal':
        assert cfg.train_dataloader.dataset.simulate_clicks


@pytest.mark.parametrize('path', FEATURE_MODEL_CONFIGS)
def test_feature_model_configs_build(path):
    cfg = load(path)
    assert cfg.custom_imports.imports == ['mmwsal']
    assert cfg.default_scope == 'mmaction'
    MODELS.build(cfg.model)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        Compose(cfg[loader].dataset.pipeline)


@pytest.mark.parametrize('path', RECOGNIZER_CONFIGS)
def test_method_configs_build(path):
    cfg = load(path)
    assert cfg.custom_imports.imports == ['mmwsal']
    assert cfg.default_scope == 'mmaction'
    model = MODELS.build(cfg.model)
    assert model.cls_head.num_classes == cfg.num_classes
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        transforms = Compose(cfg[loader].dataset.pipeline).transforms
        samplers = [t for t in transforms if isinstance(t, WeakClipSampler)]
        assert len(samplers) == 1
        # Training draws random positions; evaluation spreads fixed views.
        test_mode = loader != 'train_dataloader'
        assert samplers[0].test_mode == test_mode
        assert (samplers[0].num_clips > 1) == test_mode
        assert test_mode == cfg[loader].dataset.get('test_mode', False)
        meta_keys = cfg[loader].dataset.pipeline[-1].meta_keys
        assert {'video_index', 'clip_position', 'num_positions'} <= set(
            meta_keys)
