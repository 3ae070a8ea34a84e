import hashlib
import json
import os
import os.path as osp
import runpy

import cv2
import numpy as np
import pytest

from mmwsal.datasets import load_annotation, synthetic
from mmwsal.datasets.synthetic import (MOTION_CLASSES, encode_video,
                                       generate_synthetic_dataset,
                                       make_video_specs, render_frames,
                                       render_video, video_annotation)

# Tiny videos: 8-10 s at 5 fps, 32 x 64 (decord cannot read widths 16, 24,
# 48 and 72); 5 train videos and 1 test video
# that must then hold all 3 classes.
TINY = dict(
    num_videos=6,
    num_classes=3,
    fps=5.0,
    size=(32, 64),
    min_duration=8.0,
    max_duration=10.0)


@pytest.fixture(scope='module')
def tiny_dataset(tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('synthetic'))
    ann_file = generate_synthetic_dataset(out_dir, seed=3, **TINY)
    return out_dir, ann_file


def _digests(out_dir):
    video_dir = osp.join(out_dir, 'videos')
    return {
        name: hashlib.md5(open(osp.join(video_dir, name),
                               'rb').read()).hexdigest()
        for name in sorted(os.listdir(video_dir))
    }


def _mtimes(out_dir):
    video_dir = osp.join(out_dir, 'videos')
    return {
        n: os.stat(osp.join(video_dir, n)).st_mtime_ns
        for n in os.listdir(video_dir)
    }


def test_specs_and_frames_are_deterministic_by_seed():
    specs = make_video_specs(seed=5, **TINY)
    assert specs == make_video_specs(seed=5, **TINY)
    frames = render_video(specs[0])
    assert frames.dtype == np.uint8 and frames.shape == (specs[0].num_frames,
                                                         32, 64, 3)
    np.testing.assert_array_equal(frames, render_video(specs[0]))
    # The generator yields the same frames as the stacked array.
    np.testing.assert_array_equal(
        np.stack(list(render_frames(specs[0]))), frames)
    # Consecutive frames differ: the background drifts.
    assert np.abs(np.diff(frames.astype(int),
                          axis=0)).mean(axis=(1, 2, 3)).min() > 0

    other = make_video_specs(seed=6, **TINY)
    assert [video_annotation(s)
            for s in other] != [video_annotation(s) for s in specs]
    other_frames = render_video(other[0])
    n = min(len(frames), len(other_frames))
    assert np.abs(frames[:n].astype(int) - other_frames[:n]).mean() > 10


def test_annotation_is_valid_and_weakly_labelled(tiny_dataset):
    out_dir, ann_file = tiny_dataset
    assert ann_file == osp.join(out_dir, 'annotations.json')
    ann = load_annotation(ann_file, video_root=out_dir)
    assert ann['classes'] == list(MOTION_CLASSES[:3])
    assert ann['synthetic']['seed'] == 3
    assert ann['synthetic']['size'] == [32, 64]
    assert len(ann['videos']) == 6
    classes_per_subset = {}
    for vid, info in ann['videos'].items():
        assert info['file'] == f'videos/{vid}.mp4'
        assert info['fps'] == 5.0
        num_frames = round(info['duration'] * info['fps'])
        assert info['duration'] == num_frames / info['fps']
        segments = info['segments']
        assert info['labels'] == sorted({s['label'] for s in segments})
        covered = sum(s['end'] - s['start'] for s in segments)
        assert 0 < covered < 0.5 * info['duration'], vid
        for a, b in zip(segments, segments[1:]):
            assert a['end'] < b['start']
        assert 0 <= segments[0]['start'] and segments[-1]['end'] <= info[
            'duration']
        for click in info['background_clicks']:
            assert not any(s['start'] <= click <= s['end'] for s in segments)
        classes_per_subset.setdefault(info['subset'],
                                      set()).update(info['labels'])
    assert any(len(v['labels']) >= 2 for v in ann['videos'].values())
    assert classes_per_subset == {'train': {0, 1, 2}, 'test': {0, 1, 2}}


def test_videos_decode_to_the_rendered_frames(tiny_dataset):
    decord = pytest.importorskip('decord')
    out_dir, ann_file = tiny_dataset
    ann = load_annotation(ann_file)
    specs = {s.video_id: s for s in make_video_specs(seed=3, **TINY)}
    for vid, info in ann['videos'].items():
        reader = decord.VideoReader(osp.join(out_dir, info['file']))
        assert len(reader) == round(info['duration'] * info['fps'])
        assert reader.get_avg_fps() == pytest.approx(info['fps'])
        decoded = reader.get_batch(list(range(len(reader)))).asnumpy()
        del reader
        rendered = render_video(specs[vid]).astype(int)
        assert decoded.shape == rendered.shape
        error = np.abs(decoded - rendered).mean()
        # Colour channels in the right order, within the codec's error
        # (mostly 4:2:0 chroma on these tiny frames).
        assert error < 20
        assert error < np.abs(decoded - rendered[..., ::-1]).mean()


def test_same_seed_gives_identical_files(tmp_path, tiny_dataset):
    out_dir, ann_file = tiny_dataset
    again = generate_synthetic_dataset(str(tmp_path / 'a'), seed=3, **TINY)
    with open(ann_file) as f, open(again) as g:
        assert f.read() == g.read()
    assert _digests(out_dir) == _digests(str(tmp_path / 'a'))
    other = generate_synthetic_dataset(str(tmp_path / 'b'), seed=4, **TINY)
    with open(ann_file) as f, open(other) as g:
        assert json.load(f)['videos'] != json.load(g)['videos']


def test_resume_keeps_existing_videos(tmp_path):
    out_dir = str(tmp_path)
    ann_file = generate_synthetic_dataset(out_dir, seed=1, **TINY)
    with open(ann_file) as f:
        content = f.read()
    mtimes = _mtimes(out_dir)
    assert generate_synthetic_dataset(out_dir, seed=1, **TINY) == ann_file
    assert _mtimes(out_dir) == mtimes

    # An interrupted run: one video and the annotation are missing.
    os.remove(ann_file)
    os.remove(osp.join(out_dir, 'videos', 'synthetic_00002.mp4'))
    generate_synthetic_dataset(out_dir, seed=1, **TINY)
    now = _mtimes(out_dir)
    assert now.keys() == mtimes.keys()
    assert [n for n in now if now[n] != mtimes[n]] == ['synthetic_00002.mp4']
    with open(ann_file) as f:
        assert f.read() == content

    # Other parameters never reuse these videos unless asked to.
    with pytest.raises(FileExistsError, match='other parameters'):
        generate_synthetic_dataset(out_dir, seed=2, **TINY)
    generate_synthetic_dataset(out_dir, seed=2, overwrite=True, **TINY)
    assert load_annotation(ann_file, out_dir)['synthetic']['seed'] == 2
    assert all(_mtimes(out_dir)[n] != now[n] for n in now)


def test_unknown_videos_are_not_reused(tmp_path):
    os.makedirs(tmp_path / 'videos')
    (tmp_path / 'videos' / 'synthetic_00000.mp4').write_bytes(b'junk')
    with pytest.raises(FileExistsError, match='unknown origin'):
        generate_synthetic_dataset(str(tmp_path), seed=0, **TINY)


def test_interrupted_encoding_leaves_nothing(tmp_path):
    spec = make_video_specs(seed=0, **TINY)[0]

    def broken():
        frames = render_frames(spec)
        for _ in range(5):
            yield next(frames)
        raise KeyboardInterrupt

    path = str(tmp_path / 'v.mp4')
    with pytest.raises(KeyboardInterrupt):
        encode_video(broken(), path, spec.fps)
    assert os.listdir(tmp_path) == []


def test_opencv_fallback_without_pyav(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, 'av', None)
    spec = make_video_specs(seed=0, **TINY)[0]
    frames = render_video(spec)
    path = str(tmp_path / 'v.mp4')
    encode_video(iter(frames), path, spec.fps)
    cap = cv2.VideoCapture(path)
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(spec.fps)
    decoded = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        decoded.append(img[..., ::-1])
    cap.release()
    assert len(decoded) == spec.num_frames
    assert np.abs(np.stack(decoded).astype(int) - frames).mean() < 15


@pytest.mark.parametrize('bad, match', [
    (dict(size=(33, 64)), "even"),
    (dict(num_classes=len(MOTION_CLASSES) + 1), 'num_classes'),
    (dict(min_duration=4.0), 'too short'),
    (dict(num_videos=3, num_classes=4), 'too few'),
    (dict(num_videos=1), 'empty'),
    (dict(subsets=(('train', 1.0), ('test', 0.0))), 'subsets'),
])
def test_bad_parameters_are_rejected(bad, match):
    with pytest.raises(ValueError, match=match):
        make_video_specs(seed=0, **{**TINY, **bad})


def test_cli(tmp_path, capsys):
    script = osp.join(
        osp.dirname(__file__), '..', '..', 'tools', 'data',
        'make_synthetic.py')
    main = runpy.run_path(script)['main']
    main([
        '--out-dir',
        str(tmp_path), '--num-videos', '4', '--seed', '0', '--num-classes',
        '2', '--fps', '5', '--size', '32', '48', '--min-duration', '6',
        '--max-duration', '7', '--test-fraction', '0.5'
    ])
    assert str(tmp_path / 'annotations.json') in capsys.readouterr().out
    ann = load_annotation(str(tmp_path / 'annotations.json'), str(tmp_path))
    assert ann['synthetic']['num_videos'] == 4
    assert {v['subset'] for v in ann['videos'].values()} == {'train', 'test'}


def test_class_colours_change_only_colours():
    plain = make_video_specs(seed=5, num_videos=40, num_classes=6)
    coloured = make_video_specs(
        seed=5, num_videos=40, num_classes=6, class_colours=True)
    hues = {k: synthetic.class_colours(k) for k in range(6)}
    assert len({tuple(map(tuple, c)) for c in hues.values()}) == 6
    dressed = []
    for a, b in zip(plain, coloured):
        assert video_annotation(a) == video_annotation(b)
        assert len(a.objects) == len(b.objects)
        for x, y in zip(a.objects, b.objects):
            # Same layout, motion and shape; only the colours may change.
            assert (x.motion, x.start_frame, x.end_frame, x.label,
                    x.params) == (y.motion, y.start_frame, y.end_frame,
                                  y.label, y.params)
            assert {k: v for k, v in x.look.items() if k != 'colours'} == {
                k: v
                for k, v in y.look.items() if k != 'colours'
            }
            if y.label is not None:
                assert y.look['colours'] == hues[y.label]
            else:
                dressed.append(y.look['colours'] in hues.values())
    # About half of the distractors wear some class's colours.
    assert 0.35 < np.mean(dressed) < 0.65 and len(dressed) > 40
    assert not any(
        o.look['colours'] in hues.values() for s in plain for o in s.objects)


def test_class_colours_recorded_only_when_set(tmp_path):
    out_dir = str(tmp_path / 'c')
    ann_file = generate_synthetic_dataset(out_dir, seed=3, class_colours=True,
                                          **TINY)
    with open(ann_file) as f:
        assert json.load(f)['synthetic']['class_colours'] is True
    # A dataset of the other setting is refused, not mixed.
    with pytest.raises(FileExistsError, match='other parameters'):
        generate_synthetic_dataset(out_dir, seed=3, **TINY)


def test_shared_backgrounds_reuse_a_few_scenes():
    plain = make_video_specs(seed=5, num_videos=40, num_classes=6)
    shared = make_video_specs(
        seed=5, num_videos=40, num_classes=6, shared_backgrounds=3)
    scenes = set()
    for a, b in zip(plain, shared):
        assert video_annotation(a) == video_annotation(b)
        assert a.objects == b.objects
        # The drift stays the video's own; texture and colours are shared.
        assert a.background['velocity'] == b.background['velocity']
        assert a.background['seed'] != b.background['seed']
        scenes.add((b.background['seed'], str(b.background['colours'])))
    assert len(scenes) == 3
    assert len({s.background['seed'] for s in plain}) == 40
    with pytest.raises(ValueError, match='shared_backgrounds'):
        make_video_specs(seed=5, shared_backgrounds=-1, **TINY)
