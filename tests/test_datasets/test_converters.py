"""Converters of official annotation files, on tiny files in the official
layouts written by each test."""
import csv
import json
import os.path as osp
import runpy

import numpy as np
import pytest
from scipy.io import loadmat, savemat

from mmwsal.datasets.annotation import load_annotation, validate_annotation
from mmwsal.datasets.converters import (SegmentStats, convert_activitynet,
                                        convert_breakfast, convert_charades,
                                        convert_multithumos, convert_thumos14,
                                        probe_video, read_video_meta, summary)
from mmwsal.datasets.converters.common import parse_interval
from mmwsal.datasets.converters.thumos14 import read_meta_mat

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
                   'objects,descriptions,actions,length\n')


def charades_row(vid, actions, length, scene='Kitchen', quality='6'):
    """One row as the official CSVs write it: script, objects and
    descriptions double-quoted, with commas (and doubled quotes) inside."""
    return (f'{vid},HR43,{scene},{quality},7,Yes,'
            '"A person holds some clothes, then takes a laptop from the '
            'table.","clothes;laptop;table","A person, holding clothes, '
            f'says ""hello"" and takes a laptop.",{actions},{length}\n')


def charades_csv(path, rows):
    return write(path,
                 CHARADES_HEADER + ''.join(charades_row(*row) for row in rows))


@pytest.fixture
def charades(tmp_path):
    tmp_path = tmp_path / 'charades'
    classes = write(
        tmp_path / 'Charades_v1_classes.txt',
        'c000 Holding some clothes\nc001 Putting clothes somewhere\n'
        'c002 Taking a laptop from somewhere\n')
    train = charades_csv(
        tmp_path / 'Charades_v1_train.csv',
        [('46GP8', 'c002 11.90 21.20;c000 0.00 12.60', '30.50'),
         ('N11GT', '', '10.00', 'Bedroom', ''),
         ('00SL4', 'c001 18.00 10.00;c000 1.20 4.50', '20.10')])
    test = charades_csv(tmp_path / 'Charades_v1_test.csv', [
        ('YSKX3', 'c001 5.00 12.00;c000 12.00 13.00;c002 2.00 3.00', '10.00')
    ])
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
    assert list(ann['videos']) == ['00SL4', '46GP8', 'N11GT', 'YSKX3']
    assert ann['videos']['46GP8'] == dict(
        subset='train',
        file='46GP8.mp4',
        duration=30.5,
        fps=24.0,
        labels=[0, 2],
        segments=[seg(0.0, 12.6, 0), seg(11.9, 21.2, 2)])
    # An empty actions field: a video without actions.
    assert ann['videos']['N11GT'] == dict(
        subset='train',
        file='N11GT.mp4',
        duration=10.0,
        fps=24.0,
        labels=[],
        segments=[])
    # The action that ends before it starts gets its ends swapped.
    assert ann['videos']['00SL4']['segments'] == [
        seg(1.2, 4.5, 0), seg(10.0, 18.0, 1)
    ]
    # c001 ends past the length: clipped; c000 starts at it: dropped.
    assert ann['videos']['YSKX3'] == dict(
        subset='test',
        file='YSKX3.mp4',
        duration=10.0,
        fps=24.0,
        labels=[1, 2],
        segments=[seg(2.0, 3.0, 2), seg(5.0, 10.0, 1)])
    assert stats.clipped == {'segment ends past the video end': 1}
    assert stats.dropped == {'segment starts at/after the video end': 1}
    assert stats.swapped == {'segment ends before it starts': 1}
    report = (f"{train}, line 4, video '00SL4', action 'c001 18.00 10.00': "
              'end 10.0 is before start 18.0: ends swapped')
    assert stats.reports == [report]
    assert summary('Charades', ann, stats) == (
        'Charades: 4 videos (test=1 train=3), 3 classes, 6 segments; '
        'clipped 1 (1 segment ends past the video end), dropped 1 '
        '(1 segment starts at/after the video end), swapped 1 (1 segment '
        f'ends before it starts)\n  {report}')


def test_charades_reversed_interval_policies(charades):
    _, train, test, classes = charades
    stats = SegmentStats()
    ann = convert_charades(
        train, test, classes, reversed_intervals='drop', stats=stats)
    assert ann['videos']['00SL4']['segments'] == [seg(1.2, 4.5, 0)]
    assert ann['videos']['00SL4']['labels'] == [0]
    assert stats.dropped == {
        'segment starts at/after the video end': 1,
        'segment ends before it starts': 1
    }
    assert not stats.swapped
    assert stats.reports == [
        f"{train}, line 4, video '00SL4', action 'c001 18.00 10.00': "
        'end 10.0 is before start 18.0: dropped'
    ]
    with pytest.raises(
            ValueError,
            match=r"Charades_v1_train.csv, line 4, video '00SL4', action "
            r"'c001 18.00 10.00': end 10.0 is before start 18.0$"):
        convert_charades(train, test, classes, reversed_intervals='error')
    with pytest.raises(ValueError, match="reversed_intervals must be one of"):
        convert_charades(train, test, classes, reversed_intervals='fix')


def test_charades_csv_form(charades):
    """The quoted free text with commas does not shift the columns."""
    _, train, _, _ = charades
    with open(train, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    assert rows[0] == CHARADES_HEADER.strip().split(',')
    assert {len(row) for row in rows} == {11}
    assert rows[1][7] == 'clothes;laptop;table'
    assert rows[1][8] == ('A person, holding clothes, says "hello" and '
                          'takes a laptop.')
    assert rows[2][3] == '' and rows[2][9] == ''


def test_charades_probes_fps(charades):
    root, train, test, classes = charades
    for vid in ('46GP8', 'N11GT', '00SL4', 'YSKX3'):
        write_video(root / 'videos' / f'{vid}.mp4', fps=12.0)
    ann = convert_charades(
        train, test, classes, fps=30.0, video_root=str(root / 'videos'))
    assert {v['fps'] for v in ann['videos'].values()} == {12.0}
    # The duration stays the CSV's length.
    assert ann['videos']['46GP8']['duration'] == 30.5
    with pytest.raises(
            FileNotFoundError,
            match='none of the 4 videos is under the video root .*nowhere'
            '.*00SL4.mp4'):
        convert_charades(
            train, test, classes, video_root=str(root / 'nowhere'))


def test_charades_missing_videos(charades):
    root, train, test, classes = charades
    for vid in ('46GP8', 'N11GT', '00SL4'):
        write_video(root / 'videos' / f'{vid}.mp4', fps=12.0)
    videos = str(root / 'videos')
    stats = SegmentStats()
    ann = convert_charades(
        train, test, classes, fps=30.0, video_root=videos, stats=stats)
    assert ann['videos']['YSKX3']['fps'] == 30.0
    assert ann['videos']['46GP8']['fps'] == 12.0
    assert stats.missing_videos == ['YSKX3']
    assert str(stats).endswith('videos missing under the video root: 1, '
                               'kept with the default fps (YSKX3)')
    stats = SegmentStats()
    ann = convert_charades(
        train,
        test,
        classes,
        video_root=videos,
        missing_videos='drop',
        stats=stats)
    assert list(ann['videos']) == ['00SL4', '46GP8', 'N11GT']
    assert 'videos missing under the video root: 1, left out (YSKX3)' in str(
        stats)
    with pytest.raises(
            FileNotFoundError,
            match=r'videos missing under the video root .*videos: 1 '
            r'\(.*YSKX3.mp4\)'):
        convert_charades(
            train, test, classes, video_root=videos, missing_videos='error')


@pytest.mark.parametrize('actions, length, message', [
    ('c000 1.0', '10', r'line 2.*46GP8.*"<code> <start> <end>"'),
    ('c000 a 2', '10', r'line 2.*start \'a\' is not a number'),
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
def thumos14_lines(*instances):
    """Lines of an official per-class file: two spaces after the video id."""
    return ''.join(f'{vid}  {start} {end}\n' for vid, start, end in instances)


# Fields of the official meta files beyond the three that are read.
THUMOS14_META_FIELDS = ('video_name', 'primary_action', 'secondary_actions',
                        'primary_action_index', 'secondary_actions_indices',
                        '{subset}_set_index', 'video_duration_seconds',
                        'frame_rate_FPS', 'number_of_frames', 'video_format',
                        'background_video')


def thumos14_meta_mat(path, subset, videos, column=False, drop_field=None):
    """Write ``validation_set.mat`` / ``test_set_meta.mat``: a 1xN (or Nx1)
    MATLAB struct array ``<subset>_videos``, as MATLAB saves it."""
    fields = [
        f.format(subset=subset) for f in THUMOS14_META_FIELDS
        if f != drop_field
    ]
    records = np.empty((1, len(videos)), dtype=[(f, object) for f in fields])
    for i, (vid, duration, fps) in enumerate(videos):
        values = dict(
            video_name=vid,
            primary_action='BaseballPitch',
            secondary_actions=np.array(['Diving'], dtype=object),
            primary_action_index=7.0,
            secondary_actions_indices=np.zeros((0, 0)),
            video_duration_seconds=duration,
            frame_rate_FPS=fps,
            video_format='mp4',
            background_video='NO')
        values[f'{subset}_set_index'] = float(i + 1)
        values['number_of_frames'] = (
            float(round(duration * fps))
            if isinstance(duration, float) and isinstance(fps, float) else 0.0)
        records[0, i] = tuple(values[f] for f in fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    savemat(str(path), {f'{subset}_videos': records.T if column else records})
    return str(path)


V51, V52, T4 = ('video_validation_0000051', 'video_validation_0000052',
                'video_test_0000004')


@pytest.fixture
def thumos14(tmp_path):
    tmp_path = tmp_path / 'thumos14'
    val, test = tmp_path / 'val', tmp_path / 'test'
    write(val / 'BaseballPitch_val.txt',
          thumos14_lines((V51, 67.5, 75.9), (V51, 80.0, 85.0), (V52, 1, 2)))
    write(val / 'CliffDiving_val.txt', thumos14_lines((V52, 3.1, 4.2)))
    write(val / 'Diving_val.txt', thumos14_lines((V52, 3.1, 4.2),
                                                 (V52, 9, 12)))
    write(val / 'Ambiguous_val.txt',
          thumos14_lines((V51, 76, 77), ('video_validation_999', 1, 2)))
    write(val / 'readme.md', 'not an annotation file')
    write(test / 'BaseballPitch_test.txt', thumos14_lines((T4, 10, 20.5)))
    write(test / 'Ambiguous_test.txt', thumos14_lines((T4, 100, 130)))
    meta = write(
        tmp_path / 'meta.csv', 'video_id,duration,fps\n'
        f'{V51},82.0,29.97\n{V52},10.0,30\n{T4},120,25\n')
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


def test_thumos14_official_line_forms(thumos14):
    """Two spaces after the id, trailing spaces, CRLF and blank lines."""
    root, dirs, meta = thumos14
    (root / 'val' / 'Diving_val.txt').write_bytes(
        f'{V52}  3.1 4.2  \r\n\r\n{V52}  9.0 12.0\r\n'.encode())
    ann = convert_thumos14(dirs, meta_file=meta)
    assert [s for s in ann['videos'][V52]['segments']
            if s['label'] == 2] == [seg(3.1, 4.2, 2),
                                    seg(9.0, 10.0, 2)]


def thumos14_official_meta(root, column=False):
    val = thumos14_meta_mat(
        root / 'validation_set_meta' / 'validation_set.mat', 'validation',
        [('video_validation_0000001', 171.57, 29.97), (V51, 82.0, 29.97),
         (V52, 10.0, 30.0)], column)
    test = thumos14_meta_mat(root / 'test_set_meta.mat', 'test',
                             [(T4, 120.0, 25.0)], column)
    return val, test


def test_thumos14_meta_mat(thumos14):
    root, dirs, meta = thumos14
    val, test = thumos14_official_meta(root)
    # The fixture has the nesting of a MATLAB-saved struct array.
    videos = loadmat(val)['validation_videos']
    assert videos.shape == (1, 3) and 'validation_set_index' in (
        videos.dtype.names)
    assert videos[0, 1]['video_name'].shape == (1, )
    assert videos[0, 1]['frame_rate_FPS'].shape == (1, 1)
    assert read_meta_mat(val) == {
        'video_validation_0000001': (171.57, 29.97),
        V51: (82.0, 29.97),
        V52: (10.0, 30.0)
    }
    from_csv = convert_thumos14(dirs, meta_file=meta)
    assert convert_thumos14(dirs, meta_file=[val, test]) == from_csv
    # Nx1 struct arrays, and .mat files mixed with a CSV.
    column = thumos14_official_meta(root / 'column', column=True)
    assert convert_thumos14(dirs, meta_file=list(column)) == from_csv
    test_csv = write(root / 'test.csv',
                     f'video_id,duration,fps\n{T4},120,25\n')
    assert convert_thumos14(dirs, meta_file=[val, test_csv]) == from_csv


def test_thumos14_meta_mat_errors(thumos14):
    root, dirs, _ = thumos14
    other = root / 'other.mat'
    savemat(str(other), dict(videos=np.zeros((1, 2))))
    with pytest.raises(
            ValueError,
            match=r"other.mat: has none of the variables \['validation_"
            r"videos', 'test_videos'\] \(it has \['videos'\]\)"):
        read_meta_mat(str(other))
    savemat(str(other), dict(test_videos=np.zeros((1, 2))))
    with pytest.raises(
            ValueError, match='other.mat: test_videos is not a '
            'struct array'):
        read_meta_mat(str(other))
    no_fps = thumos14_meta_mat(
        root / 'no_fps.mat',
        'test', [(T4, 120.0, 25.0)],
        drop_field='frame_rate_FPS')
    with pytest.raises(
            ValueError,
            match="no_fps.mat: test_videos lacks the field 'frame_rate_FPS'"):
        convert_thumos14(dirs, meta_file=no_fps)
    bad_fps = thumos14_meta_mat(root / 'bad_fps.mat', 'test',
                                [(V51, 82.0, 29.97), (T4, 120.0, 'n/a')])
    with pytest.raises(
            ValueError,
            match=r"bad_fps.mat, test_videos\(2\), field 'frame_rate_FPS': "
            "value 'n/a' is not a number"):
        read_meta_mat(bad_fps)
    zero = thumos14_meta_mat(root / 'zero.mat', 'test', [(T4, 0.0, 25.0)])
    with pytest.raises(
            ValueError,
            match=r"zero.mat, test_videos\(1\), field 'video_duration_"
            "seconds': expected a positive number, got 0.0"):
        read_meta_mat(zero)
    twice = thumos14_meta_mat(root / 'twice.mat', 'test', [(T4, 120.0, 25.0),
                                                           (T4, 120.0, 25.0)])
    with pytest.raises(
            ValueError,
            match=r'twice.mat, test_videos\(2\), field '
            "'video_name': video video_test_0000004 appears twice"):
        read_meta_mat(twice)
    text = write(root / 'text.mat', 'video_id,duration,fps\n')
    with pytest.raises(ValueError, match='text.mat: not a MATLAB .mat file'):
        read_meta_mat(text)
    with pytest.raises(FileNotFoundError, match='no_meta.mat'):
        read_meta_mat(str(root / 'no_meta.mat'))
    # Two files that disagree about a video.
    _, test = thumos14_official_meta(root)
    other_csv = write(root / 'o.csv', f'video_id,duration,fps\n{T4},121,25\n')
    with pytest.raises(
            ValueError,
            match=r'o.csv: video video_test_0000004 has \(duration, fps\) '
            r'\(121.0, 25.0\), but .*test_set_meta.mat gives \(120.0, 25.0\)'):
        convert_thumos14(dirs, meta_file=[test, other_csv])


def test_thumos14_errors(thumos14):
    root, dirs, meta = thumos14
    with pytest.raises(FileNotFoundError, match='no_dir'):
        convert_thumos14([str(root / 'no_dir')], meta_file=meta)
    with pytest.raises(FileNotFoundError, match='no <ClassName>_val.txt'):
        convert_thumos14(str(root), meta_file=meta)
    with pytest.raises(FileNotFoundError, match='no_meta.csv'):
        convert_thumos14(dirs, meta_file=str(root / 'no_meta.csv'))
    with pytest.raises(ValueError, match=r'give metadata files \(--meta\)'):
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
    assert not SegmentStats().changed

    stats = SegmentStats()
    assert stats.reverse(5.0, 2.0, 'a.txt, line 3', 'swap') == (2.0, 5.0)
    assert stats.reverse(5.0, 2.0, 'a.txt, line 4', 'drop') is None
    with pytest.raises(ValueError, match='^a.txt, line 5: end 2.0 is before'):
        stats.reverse(5.0, 2.0, 'a.txt, line 5', 'error')
    assert stats.reports == [
        'a.txt, line 3: end 2.0 is before start 5.0: ends swapped',
        'a.txt, line 4: end 2.0 is before start 5.0: dropped'
    ]
    for i in range(7):
        stats.missing_video(f'v{i}', 'keep')
    assert stats.changed and str(stats) == (
        'clipped 0, dropped 1 (1 segment ends before it starts), swapped 1 '
        '(1 segment ends before it starts), videos missing under the video '
        'root: 7, kept with the default fps (v0, v1, v2, v3, v4 and 2 more)')


def test_parse_interval_policies():
    # Without stats (THUMOS14, MultiTHUMOS) an interval ending before its
    # start stays an error whatever the policy.
    with pytest.raises(ValueError, match='f.txt, line 2: end 1.0 is before'):
        parse_interval('2', '1', 'f.txt, line 2', 'swap')
    stats = SegmentStats()
    assert parse_interval('2', '1', 'f.txt, line 2', 'swap',
                          stats) == (1.0, 2.0)
    assert parse_interval('1', '2', 'f.txt, line 3', 'drop',
                          stats) == (1.0, 2.0)
    assert stats.swapped == {'segment ends before it starts': 1}


# -------------------------------------------------------------- ActivityNet
ANET_TAXONOMY = [
    dict(parentName='Root', nodeName='Root', nodeId=0, parentId=None),
    dict(
        parentName='Root',
        nodeName='Sports, Exercise, and Recreation',
        nodeId=1,
        parentId=0),
    dict(
        parentName='Sports, Exercise, and Recreation',
        nodeName='Archery',
        nodeId=2,
        parentId=1),
]
TRAIN_ID, VAL_ID, TEST_ID = 'sJFgo9H6zNo', 'JDg--pjY5gg', '-0TaUWX5fEE'


def anet_video(vid, subset, duration, annotations):
    """One ``database`` entry, fields in the order of the official file."""
    return dict(
        duration=duration,
        subset=subset,
        resolution='1280x720',
        url=f'https://www.youtube.com/watch?v={vid}',
        annotations=[
            dict(segment=[start, end], label=label)
            for start, end, label in annotations
        ])


def activitynet_json(path, database):
    return write(
        path,
        json.dumps(
            dict(
                version='VERSION 1.3',
                taxonomy=ANET_TAXONOMY,
                database=database)))


@pytest.fixture
def activitynet(tmp_path):
    tmp_path = tmp_path / 'activitynet'
    database = {
        TRAIN_ID:
        anet_video(TRAIN_ID, 'training', 20.0, [(12.5, 25.0, 'Zumba'),
                                                (1.0, 3.25, 'Archery'),
                                                (20.0, 22.0, 'Zumba')]),
        VAL_ID:
        anet_video(VAL_ID, 'validation', 8.5, [(0, 8, 'Long jump')]),
        TEST_ID:
        anet_video(TEST_ID, 'testing', 60, []),
    }
    return tmp_path, database, activitynet_json(
        tmp_path / 'activity_net.v1-3.min.json', database)


def test_activitynet(activitynet):
    _, _, path = activitynet
    stats = SegmentStats()
    ann = convert_activitynet(path, stats=stats)
    validate_annotation(ann)
    assert ann['classes'] == ['Archery', 'Long jump', 'Zumba']
    assert ann['videos'] == {
        TEST_ID:
        dict(
            subset='testing',
            file=f'v_{TEST_ID}.mp4',
            duration=60.0,
            fps=30.0,
            labels=[],
            segments=[]),
        VAL_ID:
        dict(
            subset='validation',
            file=f'v_{VAL_ID}.mp4',
            duration=8.5,
            fps=30.0,
            labels=[1],
            segments=[seg(0.0, 8.0, 1)]),
        TRAIN_ID:
        dict(
            subset='training',
            file=f'v_{TRAIN_ID}.mp4',
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
    for vid in (TRAIN_ID, VAL_ID, TEST_ID):
        write_video(root / 'videos' / f'{vid}.mkv', fps=5.0)
    ann = convert_activitynet(
        path,
        classes_file=classes,
        video_root=str(root / 'videos'),
        file_template='{id}.mkv')
    assert ann['classes'] == ['Zumba', 'Long jump', 'Archery', 'Yoga']
    video = ann['videos'][TRAIN_ID]
    assert (video['file'], video['fps'],
            video['labels']) == (f'{TRAIN_ID}.mkv', 5.0, [0, 2])
    assert video['segments'] == [seg(1.0, 3.25, 2), seg(12.5, 20.0, 0)]


def test_activitynet_missing_videos(activitynet):
    """Only part of the listed videos was downloaded."""
    root, _, path = activitynet
    videos = str(root / 'videos')
    write_video(root / 'videos' / f'v_{TRAIN_ID}.mp4', fps=5.0)
    stats = SegmentStats()
    ann = convert_activitynet(path, video_root=videos, stats=stats)
    validate_annotation(ann)
    assert {
        vid: v['fps']
        for vid, v in ann['videos'].items()
    } == {
        TRAIN_ID: 5.0,
        VAL_ID: 30.0,
        TEST_ID: 30.0
    }
    assert stats.missing_videos == [TEST_ID, VAL_ID]
    assert summary('ActivityNet', ann, stats).endswith(
        'videos missing under the video root: 2, kept with the default fps '
        f'({TEST_ID}, {VAL_ID})')

    stats = SegmentStats()
    ann = convert_activitynet(
        path, video_root=videos, missing_videos='drop', stats=stats)
    validate_annotation(ann)
    assert list(ann['videos']) == [TRAIN_ID]
    assert str(stats).endswith('videos missing under the video root: 2, '
                               f'left out ({TEST_ID}, {VAL_ID})')
    with pytest.raises(
            FileNotFoundError,
            match=f'videos missing under the video root .*: 2 .*v_{TEST_ID}'
            f'.mp4, .*v_{VAL_ID}.mp4'):
        convert_activitynet(path, video_root=videos, missing_videos='error')
    with pytest.raises(ValueError, match='missing_videos must be one of'):
        convert_activitynet(path, missing_videos='skip')
    # Nothing under the root: a wrong root, not a partial download.
    with pytest.raises(
            FileNotFoundError,
            match=f'none of the 3 videos is under .*v_{TEST_ID}.mp4'):
        convert_activitynet(path, video_root=str(root / 'elsewhere'))


def test_activitynet_errors(activitynet):
    root, database, path = activitynet
    with pytest.raises(FileNotFoundError, match='nothing.json'):
        convert_activitynet(str(root / 'nothing.json'))
    classes = write(root / 'classes.txt', 'Zumba\nArchery\n')
    with pytest.raises(
            ValueError,
            match=rf"video {VAL_ID}: label 'Long jump' is "
            'not in the class list .*classes.txt'):
        convert_activitynet(path, classes_file=classes)
    with pytest.raises(ValueError, match='bad.json: not valid JSON'):
        convert_activitynet(write(root / 'bad.json', '{"database": '))
    with pytest.raises(ValueError, match='no "database" object'):
        convert_activitynet(write(root / 'nodb.json', '{"version": 1}'))

    def broken(name, **fields):
        db = json.loads(json.dumps(database))
        db[VAL_ID].update(fields)
        return activitynet_json(root / name, db)

    with pytest.raises(
            ValueError, match=rf'd.json, video {VAL_ID}: "duration"'):
        convert_activitynet(broken('d.json', duration=None))
    with pytest.raises(ValueError, match=rf's.json, video {VAL_ID}: "subset"'):
        convert_activitynet(broken('s.json', subset=3))
    with pytest.raises(
            ValueError,
            match=rf'a.json, video {VAL_ID}: annotations\[0\]'
            ' must be'):
        convert_activitynet(
            broken('a.json', annotations=[dict(segment=[1], label='Yoga')]))
    with pytest.raises(
            ValueError,
            match=rf'e.json, video {VAL_ID}: annotations\[0\]'
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


# The 48 labels of the ``mapping.txt`` that comes with the per-frame
# ``groundTruth`` files, in its order.
BREAKFAST_MAPPING = (
    'SIL pour_cereals pour_milk stir_cereals take_bowl pour_coffee take_cup '
    'spoon_sugar stir_coffee pour_sugar pour_oil crack_egg add_saltnpepper '
    'fry_egg take_plate put_egg2plate take_eggs butter_pan take_knife '
    'cut_orange squeeze_orange pour_juice take_glass take_squeezer '
    'spoon_powder stir_milk spoon_flour stir_dough pour_dough2pan '
    'fry_pancake put_pancake2plate pour_flour cut_fruit put_fruit2bowl '
    'peel_fruit stir_fruit cut_bun smear_butter take_topping '
    'put_toppingOnTop put_bunTogether take_butter stir_egg pour_egg2pan '
    'stirfry_egg add_teabag pour_water stir_tea').split()


def test_breakfast_official_ground_truth(tmp_path):
    """``groundTruth/<video>.txt`` (one label a line, one line a frame) and
    ``mapping.txt`` (``0 SIL`` ... ``47 stir_tea``) as released."""
    assert len(BREAKFAST_MAPPING) == 48
    mapping = write(
        tmp_path / 'mapping.txt',
        ''.join(f'{i} {name}\n' for i, name in enumerate(BREAKFAST_MAPPING)))
    frames = ['SIL'] * 3 + ['add_teabag'] * 4 + ['pour_water'] * 5 + [
        'stir_tea'
    ] * 2 + ['SIL'] * 1
    gt = tmp_path / 'groundTruth'
    write(gt / 'P03_stereo01_P03_tea.txt', '\n'.join(frames) + '\n')
    write(gt / 'P20_cam02_P20_tea.txt', 'SIL\n' * 2 + 'stir_tea\n' * 3)
    ann = convert_breakfast(str(gt), mapping_file=mapping)
    validate_annotation(ann)
    assert ann['classes'] == BREAKFAST_MAPPING[1:]
    teabag, stir = BREAKFAST_MAPPING.index("add_teabag") - 1, 46
    assert ann['classes'][stir] == 'stir_tea'
    video = ann['videos']['P03_stereo01_P03_tea']
    assert (video['subset'], video['fps'], video['labels']) == ('test', 15.0,
                                                                [44, 45, 46])
    assert video['duration'] == pytest.approx(15 / 15)
    assert video['segments'] == [
        seg(pytest.approx(3 / 15), pytest.approx(7 / 15), teabag),
        seg(pytest.approx(7 / 15), pytest.approx(12 / 15), teabag + 1),
        seg(pytest.approx(12 / 15), pytest.approx(14 / 15), stir)
    ]
    assert ann['videos']['P20_cam02_P20_tea']['subset'] == 'train'
    assert ann['videos']['P20_cam02_P20_tea']['segments'] == [
        seg(pytest.approx(2 / 15), pytest.approx(5 / 15), stir)
    ]


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
    assert printed.strip().split('\n') == [
        f'Charades -> {out}: 4 videos (test=1 train=3), 3 classes, '
        '6 segments; clipped 1 (1 segment ends past the video end), '
        'dropped 1 (1 segment starts at/after the video end), swapped 1 '
        '(1 segment ends before it starts)',
        f"  {train}, line 4, video '00SL4', action 'c001 18.00 10.00': end "
        '10.0 is before start 18.0: ends swapped'
    ]
    assert load_annotation(str(out))['videos']['N11GT']['fps'] == 25.0
    printed = run_tool(
        'convert_charades.py',
        [train, test, classes, out, '--reversed-intervals', 'drop'],
        monkeypatch, capsys)
    assert '5 segments' in printed and printed.strip().endswith('dropped')
    with pytest.raises(SystemExit):
        run_tool('convert_charades.py',
                 [train, test, classes, out, '--missing-videos', 'skip'],
                 monkeypatch, capsys)

    root, dirs, meta = thumos14
    val_mat, _ = thumos14_official_meta(root)
    test_csv = write(root / 'test.csv',
                     f'video_id,duration,fps\n{T4},120,25\n')
    printed = run_tool(
        'convert_thumos14.py',
        dirs + [tmp_path / 't.json', '--meta', val_mat, test_csv], monkeypatch,
        capsys)
    assert '3 videos (test=1 validation=2), 3 classes, 7 segments' in printed
    assert load_annotation(str(tmp_path /
                               't.json'))['videos'][V51]['fps'] == 29.97

    root, _, anet = activitynet
    write_video(root / 'videos' / f'{TRAIN_ID}.mkv', fps=5.0)
    printed = run_tool('convert_activitynet.py', [
        anet, tmp_path / 'a.json', '--file-template', '{id}.mkv',
        '--video-root', root / 'videos', '--missing-videos', 'drop'
    ], monkeypatch, capsys)
    assert 'training=1' in printed and 'missing under the video root: 2, ' \
        'left out' in printed
    ann = load_annotation(str(tmp_path / 'a.json'))
    assert ann['videos'][TRAIN_ID]['file'] == f'{TRAIN_ID}.mkv'
    assert list(ann['videos']) == [TRAIN_ID]

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
