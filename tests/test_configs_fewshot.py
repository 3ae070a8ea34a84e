"""The annotation-efficient recognition configs build, and the synthetic
one trains with the Runner and evaluates novel-class episodes."""
import glob
import json
import os.path as osp

import pytest
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.runner import Runner

from mmwsal.datasets import (dump_class_split, generate_planted_features,
                             load_annotation, make_class_split)
from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(REPO)
CONFIGS = sorted(
    osp.relpath(p, REPO)
    for p in glob.glob(osp.join(REPO, 'configs', 'fewshot', '*.py')))
SYNTHETIC = 'configs/fewshot/selfweight_planted-feat_600-iter_synthetic.py'


def test_there_are_configs():
    data = {osp.splitext(p)[0].rsplit('_', 1)[-1] for p in CONFIGS}
    assert data == {'activitynet12', 'activitynet13', 'synthetic'}


@pytest.mark.parametrize('path', CONFIGS)
def test_configs_build(path):
    cfg = Config.fromfile(osp.join(REPO, path))
    assert cfg.custom_imports.imports == ['mmwsal']
    model = MODELS.build(cfg.model)
    assert type(model.head).__name__ == 'SelfWeightingHead'
    assert model.head.num_classes == cfg.num_base_classes
    assert model.head.output == 'embeddings'
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    train, test = cfg.train_dataloader.dataset, cfg.test_dataloader.dataset
    assert train.type == test.type == 'ClassSplitSnippetDataset'
    assert (train.classes_part, test.classes_part) == ('base', 'novel')
    assert train.class_split == test.class_split == cfg.class_split
    [metric] = cfg.test_evaluator if isinstance(
        cfg.test_evaluator, list) else [cfg.test_evaluator]
    assert metric.type == 'FewShotEpisodeMetric'
    assert metric.class_split == cfg.class_split
    assert metric.ann_file == osp.join(train.data_root, train.ann_file)
    assert metric.get('subset') == train.get('subset') == test.get('subset')
    assert {'type': 'RecordClassSplitHook'} in cfg.custom_hooks
    Compose(train.pipeline)
    Compose(test.pipeline)
    num = {'activitynet12': (80, 100), 'activitynet13': (160, 200)}
    for data, (base, total) in num.items():
        if path.endswith(f'{data}.py'):
            assert (cfg.num_base_classes, cfg.num_classes) == (base, total)


@pytest.fixture(scope='module')
def easy_planted(tmp_path_factory):
    """Easy planted features (15 classes, 5 novel) and their split."""
    root = tmp_path_factory.mktemp('planted_fewshot')
    ann_file, feature_dir = generate_planted_features(
        str(root), num_videos=150, num_classes=15, dim=32, noise=0.3,
        strength=1.5, background_actions=0.5, patterns='random')
    classes = load_annotation(ann_file)['classes']
    split_file = str(root / 'split.json')
    dump_class_split(make_class_split(classes, 5, seed=0), split_file,
                     classes)
    return ann_file, feature_dir, split_file


def synthetic_config(easy_planted, work_dir):
    ann_file, feature_dir, split_file = easy_planted
    cfg = Config.fromfile(osp.join(REPO, SYNTHETIC))
    use_feature_set(cfg, ann_file, feature_dir, 32, num_workers=0)
    cfg.model.head.num_classes = 10
    for loader in (cfg.train_dataloader, cfg.test_dataloader):
        loader.dataset.class_split = split_file
    cfg.test_evaluator.update(class_split=split_file, num_episodes=100,
                              shots=(1, ), num_queries=3)
    cfg.train_dataloader.batch_size = 8
    cfg.train_cfg.max_iters = 20
    cfg.default_hooks.checkpoint.interval = 20
    cfg.default_hooks.logger.interval = 10
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=0)
    return cfg


def test_synthetic_config_trains_and_evaluates_episodes(
        easy_planted, tmp_path):
    cfg = synthetic_config(easy_planted, tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert (tmp_path / 'work' / 'iter_20.pth').is_file()
    with open(tmp_path / 'work' / 'class_split.json') as f:
        recorded = json.load(f)
    with open(easy_planted[2]) as f:
        assert recorded == json.load(f)
    metrics = runner.test()
    # 5-way: chance is 0.2; planted actions are easy to tell apart
    assert metrics['acc_5way_1shot'] > 0.5
    assert 0 < metrics['acc_5way_1shot_ci95'] < 0.1
    assert 0 < metrics['mAP@0.50_5way_1shot'] <= 1

    # the work dir belongs to its split
    other = make_class_split(load_annotation(easy_planted[0])['classes'], 5,
                             seed=1)
    with open(tmp_path / 'work' / 'class_split.json', 'w') as f:
        json.dump(other, f)
    with pytest.raises(ValueError, match='holds another class split'):
        Runner.from_cfg(synthetic_config(easy_planted,
                                         tmp_path / 'work')).test()
