import json
import logging

import numpy as np
import pytest
from mmengine.logging import MMLogger

from mmwsal.datasets import AnnotationError, LongVideoDataset, VideoReadError

PIPELINE = [
    dict(type='LongVideoInit'),
    dict(type='WeakClipSampler', clip_len=4, frame_interval=2),
    dict(type='LongVideoDecode'),
]
TEST_PIPELINE = [
    dict(type='LongVideoInit'),
    dict(type='WeakClipSampler', clip_len=4, frame_interval=2, num_clips=2,
         test_mode=True),
    dict(type='LongVideoDecode'),
]


def test_data_info_fields(long_video_set):
    ann_file, root, _ = long_video_set
    ds = LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root),
                          subset='train')
    assert len(ds) == 2
    assert ds.metainfo['classes'] == ('jump', 'run', 'throw')
    a, b = ds.get_data_info(0), ds.get_data_info(1)
    assert (a['video_id'], a['video_index']) == ('a', 0)
    assert (b['video_id'], b['video_index']) == ('b', 1)
    np.testing.assert_array_equal(a['label'], [1, 0, 1])
    assert a['label'].dtype == np.float32
    assert a['labels'] == [0, 2]
    assert a['total_frames'] == 100 and a['fps'] == 10.0
    assert a['duration'] == 10.0
    assert a['segments'] == [(2.0, 4.0, 0), (8.0, 10.0, 2)]
    assert a['filename'] == f'{root}/a.mp4'

    all_ds = LongVideoDataset(ann_file, PIPELINE,
                              data_prefix=dict(video=root))
    assert [all_ds.get_data_info(i)['video_id'] for i in range(3)] == [
        'a', 'b', 'c'
    ]
    test_ds = LongVideoDataset(ann_file, TEST_PIPELINE,
                               data_prefix=dict(video=root), subset=['test'],
                               test_mode=True)
    assert len(test_ds) == 1
    item = test_ds[0]
    assert len(item['imgs']) == 8 and item['video_index'] == 0


def test_training_sample(long_video_set):
    ann_file, root, _ = long_video_set
    ds = LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root),
                          subset='train')
    item = ds[0]
    assert len(item['imgs']) == 4
    assert item['num_positions'] == 13
    assert 0 <= item['clip_position'] < 13
    assert item['video_index'] == 0


def test_unknown_subset_and_bad_annotation(long_video_set, tmp_path):
    ann_file, root, ann = long_video_set
    with pytest.raises(ValueError, match="subsets present: \\['test', "
                       "'train'\\]"):
        LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root),
                         subset='val')
    ann['videos']['a']['labels'] = [0, 7]
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps(ann))
    with pytest.raises(AnnotationError,
                       match="(?s)bad.json.*video 'a'.*labels\\[1\\]"):
        LongVideoDataset(str(bad), PIPELINE, data_prefix=dict(video=root))


def test_missing_video_is_named_at_start(long_video_set):
    ann_file, root, _ = long_video_set
    import os
    os.remove(f'{root}/b.mp4')
    with pytest.raises(FileNotFoundError, match='ann.json: LongVideoDataset'
                       '.*1 of 3 videos have missing video files .*'
                       f'{root}/b.mp4'):
        LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root))
    # The test subset does not need b.
    assert len(LongVideoDataset(ann_file, PIPELINE,
                                data_prefix=dict(video=root),
                                subset='test')) == 1


def test_corrupt_video_is_skipped_once_in_training(long_video_set, caplog):
    ann_file, root, _ = long_video_set
    with open(f'{root}/b.mp4', 'wb') as f:
        f.write(b'\x00garbage' * 50)
    ds = LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root),
                          subset='train')
    logger = MMLogger.get_current_instance()
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.addHandler(handler)
    try:
        for _ in range(5):
            item = ds[1]  # b is replaced by a, the only good video
            assert item['video_id'] == 'a'
    finally:
        logger.removeHandler(handler)
    skips = [m for m in messages if 'b.mp4' in m]
    assert len(skips) == 1, messages
    assert "skipping unreadable video 'b'" in skips[0]
    assert 'ann.json' in skips[0]
    assert ds.bad_videos == [f'{root}/b.mp4']


def test_corrupt_video_is_reported_once_across_processes(long_video_set,
                                                         tmp_path):
    # Two datasets stand for two dataloader workers (or ranks) of one run:
    # they share the record directory, so only the first reports.
    ann_file, root, _ = long_video_set
    with open(f'{root}/b.mp4', 'w') as f:
        f.write('not a video')
    records = str(tmp_path / 'records')
    workers = [
        LongVideoDataset(ann_file, PIPELINE, data_prefix=dict(video=root),
                         subset='train', skip_record_dir=records)
        for _ in range(2)
    ]
    logger = MMLogger.get_current_instance()
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger.addHandler(handler)
    try:
        for ds in workers:
            assert ds[1]['video_id'] == 'a'
    finally:
        logger.removeHandler(handler)
    assert len([m for m in messages if 'b.mp4' in m]) == 1, messages
    assert all(ds.bad_videos == [f'{root}/b.mp4'] for ds in workers)
    from mmwsal.datasets import read_skip_records
    (record, ) = read_skip_records(records)
    assert record['video_id'] == 'b' and record['file'] == f'{root}/b.mp4'
    assert record['rank'] == 0 and record['reason']


def test_corrupt_video_raises_in_test_mode(long_video_set):
    ann_file, root, _ = long_video_set
    with open(f'{root}/c.mp4', 'wb') as f:
        f.write(b'\x00garbage' * 50)
    ds = LongVideoDataset(ann_file, TEST_PIPELINE,
                          data_prefix=dict(video=root), subset='test',
                          test_mode=True)
    with pytest.raises(VideoReadError, match='c.mp4'):
        ds[0]


def test_clip_metadata_reaches_the_data_sample(long_video_set):
    ann_file, root, _ = long_video_set
    pipeline = PIPELINE + [
        dict(type='Resize', scale=(32, 32), keep_ratio=False),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs',
             meta_keys=('video_id', 'video_index', 'clip_position',
                        'num_positions')),
    ]
    ds = LongVideoDataset(ann_file, pipeline, data_prefix=dict(video=root),
                          subset='train')
    item = ds[0]
    sample = item['data_samples']
    assert item['inputs'].shape == (1, 3, 4, 32, 32)
    assert sample.video_id == 'a' and sample.video_index == 0
    assert sample.num_positions == 13
    assert 0 <= sample.clip_position < 13
    np.testing.assert_array_equal(sample.gt_labels.item.numpy(), [1, 0, 1])
