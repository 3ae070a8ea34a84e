"""Converters of official annotation files, on tiny files in the official
layouts written by each test."""
import csv
import json
import os.path as osp
import runpy

import numpy as np
import pytest

from mmwsal.datasets.annotation import load_annotation, validate_annotation
from mmwsal.datasets.converters import (SegmentStats, convert_activitynet,
                                        convert_breakfast, convert_charades,
                                        convert_multithumos, convert_thumos14,
                                        probe_video, read_video_meta, summary)

TOOLS = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'data')


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding='utf-8')
    return str(path)


def write_video(path, num_frames=6, fps=10.0):
    import cv2
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'mp4v'), fps, (32, 32))
    for i in range(num_frames):
        writer.write(np.full((32, 32, 3), i * 7 % 256, np.uint8))
    writer.release()


def seg(start, end, label):
    return dict(start=start, end=end, label=label)


# ----------------------------------------------------------------- Charades
CHARADES_HEADER = ('id,subject,scene,quality,relevance,verified,script,'
                   'objects,descriptions,actions,length').split(',')


def charades_csv(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', newline='', encoding='utf-8') as f:
        writer = csv.writer(f)
        writer.writerow(CHARADES_HEADER)
        for vid, actions, length in rows:
            writer.writerow([
                vid, 'HR43', 'Kitchen', '6', '7', 'Yes',
                'A person holds clothes, then "takes" a laptop.',
                'clothes;laptop', 'Someone, somewhere.', actions, length
            ])
    return str(path)


@pytest.fixture
def charades(tmp_path):
    tmp_path = tmp_path / 'charades'
    classes = write(
        tmp_path / 'Charades_v1_classes.txt',
        'c000 Holding some clothes\nc001 Putting clothes somewhere\n'
        'c002 Taking a laptop from somewhere\n')
    train = charades_csv(
        tmp_path / 'Charades_v1_train.csv',
        [('46GP8', 'c002 11.90 21.20;c000 0.00 12.60', '30.5'),
         ('N11GT', '', '10')])
    test = charades_csv(
        tmp_path / 'Charades_v1_test.csv',
        [('YSKX3', 'c001 5.0 12.0;c000 12.0 13.0;c002 2 3', '10.00')])
    return tmp_path, train, test, classes


def test_charades(charades):
    _, train, test, classes = charades
    stats = SegmentStats()
    ann = convert_charades(train, test, classes, stats=stats)
    validate_annotation(ann)
    assert ann['classes'] == [
        'Holding some clothes', 'Putting clothes somewhere',
        'Taking a laptop from somewhere'
    ]
    assert list(ann['videos']) == ['46GP8', 'N11GT', 'YSKX3']
    assert ann['videos']['46GP8'] == dict(
        subset='train',
        file='46GP8.mp4',
        duration=30.5,
        fps=24.0,
        labels=[0, 2],
        segments=[seg(0.0, 12.6, 0), seg(11.9, 21.2, 2)])
    assert ann['videos']['N11GT'] == dict(
        subset='train',
        file='N11GT.mp4',
        duration=10.0,
        fps=24.0,
        labels=[],
        segments=[])
    # c001 ends past the length: clipped; c000 starts after it: dropped.
    assert ann['videos']['YSKX3'] == dict(
        subset='test',
        file='YSKX3.mp4',
        duration=10.0,
        fps=24.0,
        labels=[1, 2],
        segments=[seg(2.0, 3.0, 2), seg(5.0, 10.0, 1)])
    assert stats.clipped == {'segment ends past the video end': 1}
    assert stats.dropped == {'segment starts at/after the video end': 1}
    assert summary('Charades', ann, stats) == (
        'Charades: 3 videos (test=1 train=2), 3 classes, 4 segments; '
        'clipped 1 (1 segment ends past the video end), dropped 1 '
        '(1 segment starts at/after the video end)')


def test_charades_probes_fps(charades):
    root, train, test, classes = charades
    for vid in ('46GP8', 'N11GT', 'YSKX3'):
        write_video(root / 'videos' / f'{vid}.mp4', fps=12.0)
    ann = convert_charades(
        train, test, classes, fps=30.0, video_root=str(root / 'videos'))
    assert {v['fps'] for v in ann['videos'].values()} == {12.0}
    # The duration stays the CSV's length.
    assert ann['videos']['46GP8']['duration'] == 30.5
    with pytest.raises(FileNotFoundError, match='nowhere.*46GP8.mp4'):
        convert_charades(
            train, test, classes, video_root=str(root / 'nowhere'))


@pytest.mark.parametrize('actions, length, message', [
    ('c000 1.0', '10', r'line 2.*46GP8.*"<code> <start> <end>"'),
    ('c000 a 2', '10', r'line 2.*start \'a\' is not a number'),
    ('c000 5 2', '10', r'line 2.*end 2.0 is before start 5.0'),
    ('c099 1 2', '10', r'line 2.*46GP8.*\'c099\' is not in the class list'),
    ('c000 1 2', 'x', r'line 2.*length \'x\' is not a number'),
    ('c000 1 2', '0', r'line 2.*length must be positive'),
])
def test_charades_bad_rows(charades, actions, length, message):
    root, _, test, classes = charades
    train = charades_csv(root / 'bad.csv', [('46GP8', actions, length)])
    with pytest.raises(ValueError, match='bad.csv, ' + message):
        convert_charades(train, test, classes)


def test_charades_bad_inputs(charades):
    root, train, test, classes = charades
    with pytest.raises(FileNotFoundError, match='missing_train.csv'):
        convert_charades(str(root / 'missing_train.csv'), test, classes)
    with pytest.raises(FileNotFoundError, match='missing_classes.txt'):
        convert_charades(train, test, str(root / 'missing_classes.txt'))
    bad = write(root / 'classes_bad.txt', 'c000 Holding\nx01 Putting\n')
    with pytest.raises(ValueError, match=r"line 2: 'x01' is not a class"):
        convert_charades(train, test, bad)
    gap = write(root / 'classes_gap.txt', 'c000 Holding\nc002 Putting\n')
    with pytest.raises(ValueError, match=r'without gaps; missing \[1\]'):
        convert_charades(train, test, gap)
    no_actions = write(root / 'noact.csv', 'id,length\n46GP8,10\n')
    with pytest.raises(ValueError, match=r"noact.csv.*\['actions'\]"):
        convert_charades(no_actions, test, classes)
    with pytest.raises(ValueError, match='46GP8 appears twice'):
        convert_charades(train, train, classes)


# ----------------------------------------------------------------- THUMOS14
@pytest.fixture
def thumos14(tmp_path):
    tmp_path = tmp_path / 'thumos14'
    val, test = tmp_path / 'val', tmp_path / 'test'
    v51, v52, t4 = ('video_validation_0000051', 'video_validation_0000052',
                    'video_test_0000004')
    write(val / 'BaseballPitch_val.txt',
          f'{v51}  67.5 75.9  \n\n{v51} 80.0 85.0\n{v52} 1 2\n')
    write(val / 'CliffDiving_val.txt', f'{v52} 3.1 4.2\n')
    write(val / 'Diving_val.txt', f'{v52} 3.1 4.2\n{v52} 9 12\n')
    write(val / 'Ambiguous_val.txt',
          f'{v51} 76 77\nvideo_validation_999 1 2\n')
    write(val / 'readme.md', 'not an annotation file')
    write(test / 'BaseballPitch_test.txt', f'{t4} 10 20.5\n')
    write(test / 'Ambiguous_test.txt', f'{t4} 100 130\n')
    meta = write(
        tmp_path / 'meta.csv', 'video_id,duration,fps\n'
        f'{v51},82.0,29.97\n{v52},10.0,30\n{t4},120,25\n')
    return tmp_path, [str(val), str(test)], meta


def test_thumos14(thumos14):
    _, dirs, meta = thumos14
    stats = SegmentStats()
    ann = convert_thumos14(dirs, meta_file=meta, stats=stats)
    validate_annotation(ann)
    assert ann['classes'] == ['BaseballPitch', 'CliffDiving', 'Diving']
    videos = ann['videos']
    # The video with only Ambiguous intervals is left out.
    assert list(videos) == [
        'video_test_0000004', 'video_validation_0000051',
        'video_validation_0000052'
    ]
    assert videos['video_validation_0000051'] == dict(
        subset='validation',
        file='video_validation_0000051.mp4',
        duration=82.0,
        fps=29.97,
        labels=[0],
        segments=[seg(67.5, 75.9, 0), seg(80.0, 82.0, 0)],
        ambiguous=[dict(start=76.0, end=77.0)])
    # CliffDiving instances are also Diving instances: both kept.
    assert videos['video_validation_0000052'] == dict(
        subset='validation',
        file='video_validation_0000052.mp4',
        duration=10.0,
        fps=30.0,
        labels=[0, 1, 2],
        segments=[
            seg(1.0, 2.0, 0),
            seg(3.1, 4.2, 1),
            seg(3.1, 4.2, 2),
            seg(9.0, 10.0, 2)
        ],
        ambiguous=[])
    assert videos['video_test_0000004'] == dict(
        subset='test',
        file='video_test_0000004.mp4',
        duration=120.0,
        fps=25.0,
        labels=[0],
        segments=[seg(10.0, 20.5, 0)],
        ambiguous=[dict(start=100.0, end=120.0)])
    assert stats.clipped == {
        'segment ends past the video end': 2,
        'ambiguous interval ends past the video end': 1
    }
    assert not stats.dropped


def test_thumos14_probes_missing_durations(thumos14):
    root, dirs, _ = thumos14
    meta = write(root / 'meta_part.csv', 'video_id,duration,fps\n'
                 'video_validation_0000051,82,30\n')
    for vid in ('video_validation_0000052', 'video_test_0000004'):
        write_video(root / 'videos' / f'{vid}.avi', num_frames=25, fps=10.0)
    ann = convert_thumos14(
        dirs,
        meta_file=meta,
        video_root=str(root / 'videos'),
        file_template='{video}.avi')
    t4 = ann['videos']['video_test_0000004']
    assert (t4['file'], t4['duration'],
            t4['fps']) == ('video_test_0000004.avi', 2.5, 10.0)
    # Everything after 2.5 s is dropped or clipped.
    assert t4['segments'] == [] and t4['labels'] == []
    assert ann['videos']['video_validation_0000051']['duration'] == 82.0


def test_thumos14_errors(thumos14):
    root, dirs, meta = thumos14
    with pytest.raises(FileNotFoundError, match='no_dir'):
        convert_thumos14([str(root / 'no_dir')], meta_file=meta)
    with pytest.raises(FileNotFoundError, match='no <ClassName>_val.txt'):
        convert_thumos14(str(root), meta_file=meta)
    with pytest.raises(FileNotFoundError, match='no_meta.csv'):
        convert_thumos14(dirs, meta_file=str(root / 'no_meta.csv'))
    with pytest.raises(ValueError, match='give a metadata CSV'):
        convert_thumos14(dirs)
    short = write(root / 'short.csv', 'video_id,duration,fps\n'
                  'video_validation_0000051,82,30\n')
    with pytest.raises(
            ValueError, match='video video_test_0000004 has no duration'):
        convert_thumos14(dirs, meta_file=short)
    with pytest.raises(ValueError, match='is in two annotation directories'):
        convert_thumos14(dirs + dirs[:1], meta_file=meta)
    with pytest.raises(FileNotFoundError, match='video_test_0000004.mp4'):
        convert_thumos14(
            dirs, meta_file=short, video_root=str(root / 'no_videos'))


@pytest.mark.parametrize('line, message', [
    ('video_validation_0000051 67.5', r'line 2: expected "<video_id> '
     r'<start> <end>"'),
    ('video_validation_0000051 67.5 6x', r"line 2: end '6x' is not a number"),
    ('video_validation_0000051 67.5 60', 'line 2: end 60.0 is before start'),
])
def test_thumos14_bad_lines(thumos14, line, message):
    root, dirs, meta = thumos14
    write(root / 'val' / 'Diving_val.txt', f'\n{line}\n')
    with pytest.raises(ValueError, match='Diving_val.txt, ' + message):
        convert_thumos14(dirs, meta_file=meta)


def test_thumos14_video_in_two_subsets(thumos14):
    root, dirs, meta = thumos14
    write(root / 'test' / 'Diving_test.txt', 'video_validation_0000052 1 2\n')
    with pytest.raises(
            ValueError,
            match='Diving_test.txt: video video_validation_0000052'
            ' is in subset test but also in validation'):
        convert_thumos14(dirs, meta_file=meta)


@pytest.mark.parametrize('text, message', [
    ('video,duration,fps\na,1,2\n', r"lacks the columns \['video_id'\]"),
    ('video_id,duration,fps\na,1,2\na,1,2\n', 'line 3: video a appears'),
    ('video_id,duration,fps\na,long,2\n', "line 2: duration 'long' is not"),
    ('video_id,duration,fps\na,0,2\n', 'line 2: video a: duration and fps'),
    ('video_id,duration,fps\n,1,2\n', 'line 2: empty video_id'),
])
def test_read_video_meta_errors(tmp_path, text, message):
    path = write(tmp_path / 'meta.csv', text)
    with pytest.raises(ValueError, match='meta.csv.*' + message):
        read_video_meta(path)


def test_probe_video(tmp_path):
    write_video(tmp_path / 'a.mp4', num_frames=15, fps=6.0)
    assert probe_video(str(tmp_path / 'a.mp4')) == (2.5, 6.0)
    write(tmp_path / 'broken.mp4', 'not a video')
    with pytest.raises(ValueError, match='broken.mp4'):
        probe_video(str(tmp_path / 'broken.mp4'))
    with pytest.raises(FileNotFoundError, match='video .*none.mp4'):
        probe_video(str(tmp_path / 'none.mp4'))


def test_segment_stats():
    stats = SegmentStats()
    assert stats.clip(-1.0, 2.0, 5.0) == (0.0, 2.0)
    assert stats.clip(4.0, 5.0, 5.0) == (4.0, 5.0)
    assert stats.clip(5.0, 6.0, 5.0) is None
    assert stats.clip(-3.0, -1.0, 5.0) is None
    assert str(stats) == ('clipped 1 (1 segment starts before 0), dropped 2 '
                          '(1 segment ends before the video start, 1 segment '
                          'starts at/after the video end)')
    assert str(SegmentStats()) == 'clipped 0, dropped 0'


# -------------------------------------------------------------- ActivityNet
def activitynet_json(path, database):
    return write(
        path,
        json.dumps(
            dict(version='VERSION 1.3', taxonomy=[], database=database)))


@pytest.fixture
def activitynet(tmp_path):
    tmp_path = tmp_path / 'activitynet'
    database = {
        'sJFgo9H6zNo':
        dict(
            subset='training',
            duration=20.0,
            url='u',
            annotations=[
                dict(segment=[12.5, 25.0], label='Zumba'),
                dict(segment=[1.0, 3.25], label='Archery'),
                dict(segment=[20.0, 22.0], label='Zumba')
            ]),
        'V1':
        dict(
            subset='validation',
            duration=8.5,
            url='u',
            annotations=[dict(segment=[0, 8], label='Long jump')]),
        'T1':
        dict(subset='testing', duration=60, url='u', annotations=[]),
    }
    return tmp_path, database, activitynet_json(tmp_path / 'anet.json',
                                                database)


def test_activitynet(activitynet):
    _, _, path = activitynet
    stats = SegmentStats()
    ann = convert_activitynet(path, stats=stats)
    validate_annotation(ann)
    assert ann['classes'] == ['Archery', 'Long jump', 'Zumba']
    assert ann['videos'] == {
        'T1':
        dict(
            subset='testing',
            file='v_T1.mp4',
            duration=60.0,
            fps=30.0,
            labels=[],
            segments=[]),
        'V1':
        dict(
            subset='validation',
            file='v_V1.mp4',
            duration=8.5,
            fps=30.0,
            labels=[1],
            segments=[seg(0.0, 8.0, 1)]),
        'sJFgo9H6zNo':
        dict(
            subset='training',
            file='v_sJFgo9H6zNo.mp4',
            duration=20.0,
            fps=30.0,
            labels=[0, 2],
            segments=[seg(1.0, 3.25, 0), seg(12.5, 20.0, 2)]),
    }
    assert stats.clipped == {'segment ends past the video end': 1}
    assert stats.dropped == {'segment starts at/after the video end': 1}


def test_activitynet_classes_file_template_and_probe(activitynet):
    root, _, path = activitynet
    classes = write(root / 'classes.txt', 'Zumba\nLong jump\nArchery\nYoga\n')
    for vid in ('sJFgo9H6zNo', 'V1', 'T1'):
        write_video(root / 'videos' / f'{vid}.mkv', fps=5.0)
    ann = convert_activitynet(
        path,
        classes_file=classes,
        video_root=str(root / 'videos'),
        file_template='{id}.mkv')
    assert ann['classes'] == ['Zumba', 'Long jump', 'Archery', 'Yoga']
    video = ann['videos']['sJFgo9H6zNo']
    assert (video['file'], video['fps'],
            video['labels']) == ('sJFgo9H6zNo.mkv', 5.0, [0, 2])
    assert video['segments'] == [seg(1.0, 3.25, 2), seg(12.5, 20.0, 0)]


def test_activitynet_errors(activitynet):
    root, database, path = activitynet
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        convert_activitynet(str(root / 'nothing.json'))
    classes = write(root / 'classes.txt', 'Zumba\nArchery\n')
    with pytest.raises(
            ValueError,
            match=r"video V1: label 'Long jump' is "
            'not in the class list .*classes.txt'):
        convert_activitynet(path, classes_file=classes)
    with pytest.raises(ValueError, match='bad.json: not valid JSON'):
        convert_activitynet(write(root / 'bad.json', '{"database": '))
    with pytest.raises(ValueError, match='no "database" object'):
        convert_activitynet(write(root / 'nodb.json', '{"version": 1}'))

    def broken(name, **fields):
        db = json.loads(json.dumps(database))
        db['V1'].update(fields)
        return activitynet_json(root / name, db)

    with pytest.raises(ValueError, match=r'd.json, video V1: "duration"'):
        convert_activitynet(broken('d.json', duration=None))
    with pytest.raises(ValueError, match=r's.json, video V1: "subset"'):
        convert_activitynet(broken('s.json', subset=3))
    with pytest.raises(
            ValueError, match=r'a.json, video V1: annotations\[0\]'
            ' must be'):
        convert_activitynet(
            broken('a.json', annotations=[dict(segment=[1], label='Yoga')]))
    with pytest.raises(
            ValueError,
            match=r'e.json, video V1: annotations\[0\]'
            ': end 1 is before start 2'):
        convert_activitynet(
            broken('e.json', annotations=[dict(segment=[2, 1], label='Y')]))


# -------------------------------------------------------------- MultiTHUMOS
@pytest.fixture
def multithumos(tmp_path):
    tmp_path = tmp_path / 'multithumos'
    class_list = write(tmp_path / 'class_list.txt',
                       '1 BaseballPitch\n2 BasketballDribble\n3 Run\n')
    ann_dir = tmp_path / 'annotations'
    write(ann_dir / 'BaseballPitch.txt', 'video_validation_0000051 1.5 2.5\n')
    write(ann_dir / 'BasketballDribble.txt', '')
    write(
        ann_dir / 'Run.txt', 'video_test_0000004 3.0 4.0 \n\n'
        'video_validation_0000051 2.0 13.0\nvideo_test_0000004 0.5 1.0\n')
    meta = write(
        tmp_path / 'meta.csv', 'video_id,duration,fps\n'
        'video_validation_0000051,12.0,30\n'
        'video_test_0000004,5.5,29.97\n'
        'video_test_0000009,9.0,30\n')
    return tmp_path, str(ann_dir), class_list, meta


def test_multithumos(multithumos):
    _, ann_dir, class_list, meta = multithumos
    stats = SegmentStats()
    ann = convert_multithumos(ann_dir, class_list, meta_file=meta, stats=stats)
    validate_annotation(ann)
    assert ann['classes'] == ['BaseballPitch', 'BasketballDribble', 'Run']
    # Only videos with annotations; extra rows of the metadata are ignored.
    assert ann['videos'] == {
        'video_test_0000004':
        dict(
            subset='test',
            file='video_test_0000004.mp4',
            duration=5.5,
            fps=29.97,
            labels=[2],
            segments=[seg(0.5, 1.0, 2), seg(3.0, 4.0, 2)]),
        'video_validation_0000051':
        dict(
            subset='validation',
            file='video_validation_0000051.mp4',
            duration=12.0,
            fps=30.0,
            labels=[0, 2],
            segments=[seg(1.5, 2.5, 0), seg(2.0, 12.0, 2)]),
    }
    assert stats.clipped == {'segment ends past the video end': 1}


def test_multithumos_errors(multithumos):
    root, ann_dir, class_list, meta = multithumos
    with pytest.raises(FileNotFoundError, match='no_list.txt'):
        convert_multithumos(ann_dir, str(root / 'no_list.txt'), meta)
    with pytest.raises(FileNotFoundError, match='no_dir'):
        convert_multithumos(str(root / 'no_dir'), class_list, meta)
    bad_list = write(root / 'bad_list.txt', '1 BaseballPitch\n0 Run\n')
    with pytest.raises(ValueError, match="bad_list.txt, line 2: '0' is not"):
        convert_multithumos(ann_dir, bad_list, meta)
    long_list = write(root / 'long_list.txt',
                      '1 BaseballPitch\n2 BasketballDribble\n3 Run\n4 Jump\n')
    with pytest.raises(FileNotFoundError, match=r'Jump.txt'):
        convert_multithumos(ann_dir, long_list, meta)
    short = write(
        root / 'short.csv', 'video_id,duration,fps\n'
        'video_validation_0000051,12.0,30\n')
    with pytest.raises(ValueError, match='video_test_0000004 has no duration'):
        convert_multithumos(ann_dir, class_list, meta_file=short)

    write(root / 'annotations' / 'Run.txt', 'video_train_01 1 2\n')
    with pytest.raises(
            ValueError,
            match=r"Run.txt: video id 'video_train_"
            "01' starts with none of"):
        convert_multithumos(ann_dir, class_list, meta)
    write(root / 'annotations' / 'Run.txt', 'video_test_0000004 2 1\n')
    with pytest.raises(ValueError, match='Run.txt, line 1: end 1.0 is before'):
        convert_multithumos(ann_dir, class_list, meta)
    write(root / 'annotations' / 'Jump.txt', 'video_test_0000004 1 2\n')
    with pytest.raises(
            ValueError,
            match=r"files \['Jump.txt'\] name classes "
            'that are not in .*class_list.txt'):
        convert_multithumos(ann_dir, class_list, meta)


# ---------------------------------------------------------------- Breakfast
CEREALS = [
    'SIL', 'SIL', 'take_bowl', 'take_bowl', 'take_bowl', 'pour_cereals', 'SIL'
]
COFFEE = ['SIL', 'pour_coffee', 'pour_coffee', 'pour_coffee']


@pytest.fixture
def breakfast(tmp_path):
    tmp_path = tmp_path / 'breakfast'
    gt = tmp_path / 'groundTruth'
    write(gt / 'P03_cam01_P03_cereals.txt', '\n'.join(CEREALS) + '\n')
    write(gt / 'P16_webcam01_P16_coffee.txt', '\n'.join(COFFEE) + '\n\n')
    seg_dir = tmp_path / 'segmentation'
    write(
        seg_dir / 'cereals' / 'P03_cam01_P03_cereals.txt',
        '1-2 SIL\n3-4 take_bowl\n5-5 take_bowl\n6-6 pour_cereals\n'
        '7-7 SIL\n')
    write(seg_dir / 'coffee' / 'P16_webcam01_P16_coffee.txt',
          '1-1  SIL  \n\n2-4 pour_coffee\n')
    mapping = write(tmp_path / 'mapping.txt',
                    '0 SIL\n1 pour_cereals\n2 take_bowl\n3 pour_coffee\n')
    return tmp_path, str(gt), str(seg_dir), mapping


def test_breakfast_action_level(breakfast):
    _, gt, seg_dir, mapping = breakfast
    ann = convert_breakfast(gt, mapping_file=mapping)
    validate_annotation(ann)
    assert ann['classes'] == ['pour_cereals', 'take_bowl', 'pour_coffee']
    cereals = ann['videos']['P03_cam01_P03_cereals']
    assert cereals == dict(
        subset='test',
        file='P03_cam01_P03_cereals.mp4',
        duration=pytest.approx(7 / 15),
        fps=15.0,
        labels=[0, 1],
        segments=[
            seg(pytest.approx(2 / 15), pytest.approx(5 / 15), 1),
            seg(pytest.approx(5 / 15), pytest.approx(6 / 15), 0)
        ])
    assert ann['videos']['P16_webcam01_P16_coffee'] == dict(
        subset='train',
        file='P16_webcam01_P16_coffee.mp4',
        duration=pytest.approx(4 / 15),
        fps=15.0,
        labels=[2],
        segments=[seg(pytest.approx(1 / 15), pytest.approx(4 / 15), 2)])
    # Segment files (touching lines of one label merged) give the same.
    assert convert_breakfast(
        seg_dir, label_format='segments', mapping_file=mapping) == ann
    # Without a mapping the classes are the sorted labels found.
    assert convert_breakfast(gt)['classes'] == [
        'pour_cereals', 'pour_coffee', 'take_bowl'
    ]


def test_breakfast_activity_level_and_splits(breakfast):
    _, gt, _, _ = breakfast
    ann = convert_breakfast(
        gt, level='activity', split=2, fps=30.0, file_template='v/{video}.avi')
    validate_annotation(ann)
    assert ann['classes'] == ['cereals', 'coffee']
    assert ann['videos'] == {
        'P03_cam01_P03_cereals':
        dict(
            subset='train',
            file='v/P03_cam01_P03_cereals.avi',
            duration=7 / 30,
            fps=30.0,
            labels=[0],
            segments=[seg(0.0, 7 / 30, 0)]),
        'P16_webcam01_P16_coffee':
        dict(
            subset='test',
            file='v/P16_webcam01_P16_coffee.avi',
            duration=4 / 30,
            fps=30.0,
            labels=[1],
            segments=[seg(0.0, 4 / 30, 1)]),
    }
    subsets = {
        split: {
            vid: v['subset']
            for vid, v in convert_breakfast(gt, split=split)['videos'].items()
        }
        for split in (3, 4)
    }
    assert all(s == 'train' for s in subsets[3].values())
    assert all(s == 'train' for s in subsets[4].values())


def test_breakfast_background_option(breakfast):
    _, gt, _, mapping = breakfast
    ann = convert_breakfast(gt, mapping_file=mapping, background='take_bowl')
    assert ann['classes'] == ['SIL', 'pour_cereals', 'pour_coffee']
    assert [
        s['label'] for s in ann['videos']['P03_cam01_P03_cereals']['segments']
    ] == [0, 1, 0]


def test_breakfast_errors(breakfast):
    root, gt, seg_dir, mapping = breakfast
    with pytest.raises(FileNotFoundError, match='no_dir'):
        convert_breakfast(str(root / 'no_dir'))
    with pytest.raises(FileNotFoundError, match='no_map.txt'):
        convert_breakfast(gt, mapping_file=str(root / 'no_map.txt'))
    with pytest.raises(FileNotFoundError, match=r'no \*.lab label files'):
        convert_breakfast(gt, suffix='.lab')
    with pytest.raises(ValueError, match='split must be in 1..4'):
        convert_breakfast(gt, split=5)
    with pytest.raises(ValueError, match='label_format must be one of'):
        convert_breakfast(gt, label_format='json')
    small = write(root / 'small_map.txt', '0 SIL\n1 take_bowl\n')
    with pytest.raises(
            ValueError,
            match="P03_cam01_P03_cereals.txt, line 6: "
            "label 'pour_cereals' is not in .*small_map.txt"):
        convert_breakfast(gt, mapping_file=small)

    write(root / 'gt2' / 'P03_cam01_P03_cereals.txt', 'SIL\n\nSIL\n')
    with pytest.raises(ValueError, match='cereals.txt, line 2: expected one'):
        convert_breakfast(str(root / 'gt2'))
    write(root / 'gt3' / 'cereals.txt', 'SIL\n')
    with pytest.raises(ValueError, match='cereals.txt: the name is not'):
        convert_breakfast(str(root / 'gt3'))
    write(root / 'gt4' / 'P03_cam01_P03_cereals.txt', '\n')
    with pytest.raises(ValueError, match='has no labelled frames'):
        convert_breakfast(str(root / 'gt4'))


@pytest.mark.parametrize('text, message', [
    ('1-2 SIL\n3_5 take_bowl\n', r'line 2: expected "<first>-<last> '),
    ('1-2 SIL\n5-3 take_bowl\n', 'line 2: end frame 3 is before start'),
    ('0-2 SIL\n', 'line 1: frames start at 1, got 0'),
    ('1-4 SIL\n3-5 take_bowl\n', 'line 2: frames 3-5 overlap'),
])
def test_breakfast_bad_segment_files(tmp_path, text, message):
    write(tmp_path / 'seg' / 'P03_cam01_P03_cereals.txt', text)
    with pytest.raises(ValueError, match='cereals.txt, ' + message):
        convert_breakfast(str(tmp_path / 'seg'), label_format='segments')


def test_breakfast_duplicate_video(breakfast):
    root, _, _, _ = breakfast
    write(root / 'dup' / 'a' / 'P03_cam01_P03_cereals.txt', 'SIL\n')
    write(root / 'dup' / 'b' / 'P03_cam01_P03_cereals.txt', 'SIL\n')
    with pytest.raises(ValueError, match='also has the label file'):
        convert_breakfast(str(root / 'dup'))


# ---------------------------------------------------------------- CLI tools
def run_tool(name, args, monkeypatch, capsys):
    monkeypatch.setattr('sys.argv', [name] + [str(a) for a in args])
    runpy.run_path(osp.join(TOOLS, name), run_name='__main__')
    return capsys.readouterr().out


def test_tools(charades, thumos14, activitynet, multithumos, breakfast,
               tmp_path, monkeypatch, capsys):
    _, train, test, classes = charades
    out = tmp_path / 'out' / 'charades.json'
    printed = run_tool('convert_charades.py',
                       [train, test, classes, out, '--fps', 25], monkeypatch,
                       capsys)
    assert printed.strip() == (
        f'Charades -> {out}: 3 videos (test=1 train=2), 3 classes, '
        '4 segments; clipped 1 (1 segment ends past the video end), '
        'dropped 1 (1 segment starts at/after the video end)')
    assert load_annotation(str(out))['videos']['N11GT']['fps'] == 25.0

    _, dirs, meta = thumos14
    printed = run_tool('convert_thumos14.py',
                       dirs + [tmp_path / 't.json', '--meta', meta],
                       monkeypatch, capsys)
    assert '3 videos (test=1 validation=2), 3 classes, 7 segments' in printed
    assert len(load_annotation(str(tmp_path / 't.json'))['videos']) == 3

    _, _, anet = activitynet
    printed = run_tool(
        'convert_activitynet.py',
        [anet, tmp_path / 'a.json', '--file-template', '{id}.webm'],
        monkeypatch, capsys)
    assert 'testing=1 training=1 validation=1' in printed
    ann = load_annotation(str(tmp_path / 'a.json'))
    assert ann['videos']['T1']['file'] == 'T1.webm'

    _, ann_dir, class_list, meta = multithumos
    printed = run_tool(
        'convert_multithumos.py',
        [ann_dir, class_list, tmp_path / 'm.json', '--meta', meta],
        monkeypatch, capsys)
    assert '2 videos (test=1 validation=1), 3 classes, 4 segments' in printed

    _, _, seg_dir, mapping = breakfast
    printed = run_tool('convert_breakfast.py', [
        seg_dir, tmp_path / 'b.json', '--format', 'segments', '--mapping',
        mapping, '--level', 'activity', '--split', '2'
    ], monkeypatch, capsys)
    assert '2 videos (test=1 train=1), 2 classes, 2 segments' in printed
    assert load_annotation(str(tmp_path /
                               'b.json'))['classes'] == ['cereals', 'coffee']
