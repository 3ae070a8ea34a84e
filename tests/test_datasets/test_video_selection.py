import json
import logging
import os
import random

import numpy as np

import pytest
from mmengine.logging import MMLogger

from mmwsal.datasets import (LongVideoDataset, SnippetFeatureDataset,
                             heldout_ids)
from mmwsal.datasets.video_selection import check_heldout

IDS = [f'v{i:02d}' for i in range(20)]


def test_heldout_ids_are_seeded_and_pinned():
    # Pinned: a run's saved split must stay valid across versions.
    assert heldout_ids(IDS, 0.1, 0) == ['v00', 'v03']
    assert heldout_ids(IDS, 0.1, 1) == ['v02', 'v19']
    assert heldout_ids(IDS, 0.1) == heldout_ids(IDS, 0.1, 0)
    # A larger ratio holds out more of the same ranking.
    assert set(heldout_ids(IDS, 0.1, 0)) < set(heldout_ids(IDS, 0.25, 0))
    assert len(heldout_ids(IDS, 0.25, 0)) == 5


def test_heldout_ids_depend_on_the_set_only_and_move_little():
    shuffled = IDS[:]
    random.Random(0).shuffle(shuffled)
    assert heldout_ids(shuffled, 0.2, 3) == heldout_ids(IDS, 0.2, 3)
    ids = [f'x{i}' for i in range(200)]
    before = set(heldout_ids(ids, 0.1, 0))
    after = set(heldout_ids(ids + ['x_new'], 0.1, 0))
    assert len(before ^ after) <= 2


def test_heldout_count_bounds():
    assert len(heldout_ids(['a', 'b'], 0.1)) == 1  # at least one
    assert len(heldout_ids(['a', 'b'], 0.9)) == 1  # one left to train
    assert len(heldout_ids(IDS, 0.5)) == 10
    with pytest.raises(ValueError, match='at least 2 videos'):
        heldout_ids(['a'], 0.5)


@pytest.mark.parametrize('option, message', [
    (dict(ratio=0, part='val'), 'ratio must be a number in'),
    (dict(ratio=1.0, part='val'), 'ratio must be a number in'),
    (dict(ratio=0.1, part='test'), "part must be one of \\('train', 'val'\\)"),
    (dict(ratio=0.1), 'part must be one of'),
    (dict(ratio=0.1, part='val', seed=0.5), 'seed must be an integer'),
    (dict(ratio=0.1, part='val', fraction=2), "unknown keys \\['fraction'\\]"),
])
def test_check_heldout_names_the_problem(option, message):
    with pytest.raises(ValueError, match=message):
        check_heldout(option, 'ann.json')
    assert check_heldout(dict(ratio=0.1, part='val'), 'x') == dict(
        ratio=0.1, seed=0, part='val')


@pytest.fixture
def many_videos(long_video_set, tmp_path):
    """20 training videos and 2 test ones, all files copies of ``a.mp4``."""
    ann_file, root, ann = long_video_set
    a = ann['videos']['a']
    videos = {f'v{i:02d}': dict(a, file=f'v{i:02d}.mp4') for i in range(20)}
    videos.update(
        {f't{i}': dict(a, subset='test', file=f't{i}.mp4')
         for i in range(2)})
    with open(f'{root}/a.mp4', 'rb') as f:
        data = f.read()
    for info in videos.values():
        with open(f'{root}/{info["file"]}', 'wb') as f:
            f.write(data)
    path = tmp_path / 'many.json'
    path.write_text(json.dumps(dict(classes=ann['classes'], videos=videos)))
    return str(path), root


def video_dataset(ann_file, root, **kwargs):
    kwargs.setdefault('subset', 'train')
    return LongVideoDataset(
        ann_file, [], data_prefix=dict(video=root), **kwargs)


def ids_and_indices(ds):
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    return [i['video_id'] for i in infos], [i['video_index'] for i in infos]


def test_heldout_parts_are_disjoint_and_cover_the_subset(many_videos):
    ann_file, root = many_videos
    split = dict(ratio=0.1, seed=0)
    train = video_dataset(ann_file, root, heldout=dict(split, part='train'))
    val = video_dataset(ann_file, root, heldout=dict(split, part='val'))
    whole = video_dataset(ann_file, root)
    train_ids, train_index = ids_and_indices(train)
    val_ids, val_index = ids_and_indices(val)
    assert val_ids == ['v00', 'v03'] == train.heldout_split['videos']
    assert not set(train_ids) & set(val_ids)
    assert sorted(train_ids + val_ids) == ids_and_indices(whole)[0]
    # video_index numbers each part's videos 0..N-1 in id order.
    assert train_ids == sorted(train_ids) and val_ids == sorted(val_ids)
    assert train_index == list(range(18)) and val_index == [0, 1]
    assert train.heldout_split == val.heldout_split == dict(
        ann_file=ann_file,
        subset=['train'],
        ratio=0.1,
        seed=0,
        videos=['v00', 'v03'])
    # the test subset is never part of the split
    assert not any(v.startswith('t') for v in train_ids + val_ids)
    assert whole.heldout_split is None


def capture_warnings():
    messages = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())
    MMLogger.get_current_instance().addHandler(handler)
    return messages, handler


def test_missing_videos_error_or_skip(many_videos):
    ann_file, root = many_videos
    for vid in ('v03', 'v05', 't1'):
        os.remove(f'{root}/{vid}.mp4')
    with pytest.raises(FileNotFoundError) as error:
        video_dataset(ann_file, root)
    message = str(error.value)
    assert 'many.json' in message and '2 of 20 videos' in message
    assert f'{root}/v03.mp4' in message and f'{root}/v05.mp4' in message
    assert "missing_videos='skip'" in message

    messages, handler = capture_warnings()
    try:
        ds = video_dataset(ann_file, root, missing_videos='skip')
    finally:
        MMLogger.get_current_instance().removeHandler(handler)
    ids, index = ids_and_indices(ds)
    assert 'v03' not in ids and 'v05' not in ids and len(ids) == 18
    assert index == list(range(18))  # a left-out video takes no index
    assert [m['video_id'] for m in ds.missing] == ['v03', 'v05']
    warned = [m for m in messages if 'v03.mp4' in m]
    assert len(warned) == 1 and '2 of 20 videos' in warned[0]
    assert '18 videos remain' in warned[0]

    # The held-out split is made before the missing files are left out:
    # v03 stays held out (and absent), the training part is unchanged.
    split = dict(ratio=0.1, seed=0)
    val = video_dataset(
        ann_file, root, missing_videos='skip', heldout=dict(split, part='val'))
    assert ids_and_indices(val) == (['v00'], [0])
    assert val.heldout_split['videos'] == ['v00', 'v03']
    train = video_dataset(
        ann_file,
        root,
        missing_videos='skip',
        heldout=dict(split, part='train'))
    assert len(train) == 17 and 'v05' not in ids_and_indices(train)[0]


def test_missing_check_reads_only_the_selected_subset(many_videos):
    ann_file, root = many_videos
    os.remove(f'{root}/t1.mp4')
    assert len(video_dataset(ann_file, root)) == 20
    with pytest.raises(FileNotFoundError, match='t1.mp4'):
        video_dataset(ann_file, root, subset='test')
    with pytest.raises(ValueError, match="missing_videos must be one of"):
        video_dataset(ann_file, root, subset='test', missing_videos='drop')
    # nothing left is an error even when skipping
    os.remove(f'{root}/t0.mp4')
    with pytest.raises(FileNotFoundError, match='none is left'):
        video_dataset(ann_file, root, subset='test', missing_videos='skip')


def test_feature_dataset_skips_videos_without_features(tmp_path):
    videos = {
        f'v{i}':
        dict(
            subset='train',
            file=f'v{i}.mp4',
            duration=4.0,
            fps=25.0,
            labels=[i % 2])
        for i in range(10)
    }
    ann_file = tmp_path / 'ann.json'
    ann_file.write_text(json.dumps(dict(classes=['a', 'b'], videos=videos)))
    for mod in ('rgb', 'flow'):
        (tmp_path / mod).mkdir()
        for vid in videos:
            if (mod, vid) not in (('flow', 'v2'), ('rgb', 'v7')):
                np.save(tmp_path / mod / f'{vid}.npy',
                        np.zeros((3, 2), np.float32))

    def build(**kwargs):
        return SnippetFeatureDataset(
            ann_file='ann.json',
            data_root=str(tmp_path),
            pipeline=[],
            feature_dirs=['rgb', 'flow'],
            subset='train',
            **kwargs)

    with pytest.raises(
            FileNotFoundError,
            match='(?s)2 of 10 videos.*'
            'flow/v2.npy.*rgb/v7.npy'):
        build()
    ds = build(missing_videos='skip')
    ids = [ds.get_data_info(i)['video_id'] for i in range(len(ds))]
    assert ids == ['v0', 'v1', 'v3', 'v4', 'v5', 'v6', 'v8', 'v9']
    assert [ds.get_data_info(i)['video_index']
            for i in range(len(ds))] == list(range(8))
    assert ds.missing == [
        dict(video_id='v2', files=[str(tmp_path / 'flow' / 'v2.npy')]),
        dict(video_id='v7', files=[str(tmp_path / 'rgb' / 'v7.npy')])
    ]
    held = build(
        missing_videos='skip', heldout=dict(ratio=0.3, seed=0, part='val'))
    rest = build(
        missing_videos='skip', heldout=dict(ratio=0.3, seed=0, part='train'))
    held_ids = {held.get_data_info(i)['video_id'] for i in range(len(held))}
    rest_ids = {rest.get_data_info(i)['video_id'] for i in range(len(rest))}
    assert held.heldout_split['videos'] == heldout_ids(list(videos), 0.3, 0)
    assert not held_ids & rest_ids and held_ids | rest_ids == set(ids)
