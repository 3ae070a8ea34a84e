import json
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsal.datasets import heldout_ids
from mmwsal.engine.hooks import RecordHeldOutSplitHook
from tests.conftest import DEMO_CONFIG, tiny_train_options

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def build_runner(tiny_synthetic, work_dir, name, **options):
    cfg = Config.fromfile(osp.join(REPO, DEMO_CONFIG))
    cfg.merge_from_dict(tiny_train_options(*tiny_synthetic, max_epochs=1))
    cfg.merge_from_dict(options)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = name
    cfg.randomness = dict(seed=0)
    return Runner.from_cfg(cfg)


def ids(dataset):
    return [dataset.get_data_info(i)['video_id'] for i in range(len(dataset))]


def test_split_is_saved_and_another_is_refused(tiny_synthetic, tmp_path):
    ann_file, _ = tiny_synthetic
    with open(ann_file) as f:
        videos = json.load(f)['videos']
    train_ids = sorted(v for v, i in videos.items() if i['subset'] == 'train')
    runner = build_runner(tiny_synthetic, tmp_path, 'heldout_first')
    assert any(isinstance(h, RecordHeldOutSplitHook) for h in runner.hooks)
    runner.train()
    with open(tmp_path / 'heldout_split.json') as f:
        saved = json.load(f)
    held = heldout_ids(train_ids, 0.1, 0)
    assert saved == dict(
        ann_file=ann_file, subset=['train'], ratio=0.1, seed=0, videos=held)
    # Training read the rest, validation the held-out videos.
    trained = ids(runner.train_dataloader.dataset)
    validated = ids(runner.val_dataloader.dataset)
    assert validated == held and sorted(trained + held) == train_ids

    # Resuming (or training again) in the work dir with another split.
    other = {
        f'{loader}_dataloader.dataset.heldout.seed': 1
        for loader in ('train', 'val')
    }
    assert heldout_ids(train_ids, 0.1, 1) != held
    runner = build_runner(tiny_synthetic, tmp_path, 'heldout_other', **other)
    with pytest.raises(
            ValueError,
            match='heldout_split.json holds out 1 '
            'videos .* but the train dataset .* of this run'):
        runner.train()
    # The same split goes on.
    runner = build_runner(tiny_synthetic, tmp_path, 'heldout_same',
                          **{'train_cfg.max_epochs': 1})
    runner.train()


def test_train_and_val_of_different_splits_are_refused(tiny_synthetic,
                                                       tmp_path):
    runner = build_runner(tiny_synthetic, tmp_path, 'heldout_mismatch',
                          **{'val_dataloader.dataset.heldout.seed': 1})
    with pytest.raises(
            ValueError,
            match='(?s)train dataset .* holds out '
            '.*but the val dataset.*same heldout ratio and seed'):
        runner.train()
    assert not osp.exists(tmp_path / 'heldout_split.json')
