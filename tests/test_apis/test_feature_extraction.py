import io
import json
import os
import os.path as osp
import threading

import numpy as np
import pytest
import torch
from mmaction.registry import MODELS, TRANSFORMS
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from mmwsal.apis import (ExtractionProgress, ExtractionSettingsError,
                         SnippetFeatureExtractor, SnippetViews, SnippetWindows,
                         extract_features, init_feature_model,
                         pool_backbone_features, prefetch, shard_videos,
                         snippet_frame_indices, snippet_starts)
from mmwsal.datasets import OpenCVClipReader, VideoReadError
from mmwsal.datasets.transforms import WeakClipSampler
from tests.conftest import DEMO_CONFIG, write_counter_video

CLIP_LEN, FRAME_INTERVAL = 8, 4  # the demo config's, 32 frames a snippet


def save_random_checkpoint(path, seed=0):
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    torch.save({'state_dict': model.state_dict()}, str(path))
    return str(path)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    return save_random_checkpoint(
        tmp_path_factory.mktemp('ckpt') / 'random.pth')


@pytest.fixture(scope='module')
def model(checkpoint):
    return init_feature_model(DEMO_CONFIG, checkpoint, 'cpu')


def test_init_feature_model_refuses_a_checkpoint_without_the_backbone(
        tmp_path):
    torch.manual_seed(0)
    state = MODELS.build(Config.fromfile(DEMO_CONFIG).model).state_dict()
    head_only = {k: v for k, v in state.items() if k.startswith('cls_head')}
    torch.save({'state_dict': head_only}, str(tmp_path / 'head.pth'))
    with pytest.raises(ValueError, match='head.pth: has no weights for'):
        init_feature_model(DEMO_CONFIG, str(tmp_path / 'head.pth'))


# --- snippet geometry ------------------------------------------------------


@pytest.mark.parametrize('num_frames, kwargs, starts, stride', [
    (100, dict(snippet_stride=32), [0, 32, 64], 32.),
    (96, dict(snippet_stride=32), [0, 32, 64], 32.),
    (100, dict(snippet_stride=16), [0, 16, 32, 48, 64], 16.),
    (37, dict(snippet_stride=2.5), [0, 3, 5], 2.5),  # 2.5 -> 3, 7.5 -> 8 > 5
    (7, dict(snippet_stride=32), [0], 32.),
    (100, dict(num_snippets=4), [0, 23, 45, 68], 68 / 3),
    (100, dict(num_snippets=1), [0], 0.),
    (7, dict(num_snippets=3), [0, 0, 0], 0.),
])
def test_snippet_starts(num_frames, kwargs, starts, stride):
    got, got_stride = snippet_starts(num_frames, 32, **kwargs)
    assert got.tolist() == starts
    assert got_stride == pytest.approx(stride)


def test_snippet_starts_rejects_bad_modes():
    with pytest.raises(ValueError, match='exactly one'):
        snippet_starts(100, 32)
    with pytest.raises(ValueError, match='exactly one'):
        snippet_starts(100, 32, snippet_stride=16, num_snippets=3)
    with pytest.raises(ValueError, match='snippet_stride must be positive'):
        snippet_starts(100, 32, snippet_stride=0)
    with pytest.raises(ValueError, match='num_snippets must be positive'):
        snippet_starts(100, 32, num_snippets=0)


def test_frame_indices_loop_over_a_short_video_like_training():
    inds = snippet_frame_indices(np.array([0]), CLIP_LEN, FRAME_INTERVAL, 7)
    sampler = WeakClipSampler(CLIP_LEN, FRAME_INTERVAL)
    assert inds[0].tolist() == sampler.frame_indices(0, 7).tolist()
    assert inds.max() < 7


# --- decode-once windows ---------------------------------------------------


class CountingReader:
    """A fake reader whose frame i is filled with i; it records every
    call."""

    def __init__(self, num_frames):
        self.num_frames = num_frames
        self.calls = []

    def read(self, inds):
        self.calls.append(list(inds))
        return np.stack(
            [np.full((2, 3, 3), i, dtype=np.int64) for i in inds])


@pytest.mark.parametrize('stride', [32, 16, 6, 45])
def test_windows_decode_every_frame_once_without_seeking(stride):
    num_frames = 200
    starts, _ = snippet_starts(num_frames, 32, snippet_stride=stride)
    inds = snippet_frame_indices(starts, CLIP_LEN, FRAME_INTERVAL, num_frames)
    reader = CountingReader(num_frames)
    transformed = []

    def transform(frame):
        transformed.append(int(frame[0, 0, 0]))
        return frame

    windows = list(SnippetWindows(reader, inds, transform))
    assert [i for i, _ in windows] == list(range(len(starts)))
    for (_, frames), expected in zip(windows, inds):
        assert frames[:, 0, 0, 0].tolist() == expected.tolist()
    # Consecutive calls continue where the previous one stopped: one
    # sequential pass, no frame asked for twice.
    requested = [i for call in reader.calls for i in call]
    assert requested == sorted(set(requested))
    assert requested[0] == 0
    for before, after in zip(reader.calls, reader.calls[1:]):
        assert after[0] == before[-1] + 1
    # Only the frames the model sees are transformed, each once.
    assert sorted(transformed) == sorted(set(inds.ravel().tolist()))
    # The buffer holds at most the frames of the current snippet's span that
    # some snippet needs, never the video.
    needed = set(inds.ravel().tolist())
    span = (CLIP_LEN - 1) * FRAME_INTERVAL
    bound = max(len([f for f in needed if s <= f <= s + span]) for s in starts)
    assert bound <= 2 * CLIP_LEN
    counted = SnippetWindows(CountingReader(num_frames), inds)
    list(counted)
    assert counted.max_buffered <= bound
    assert counted.frames_decoded == inds.max() + 1


def test_prefetch_keeps_order_raises_and_stops():
    assert list(prefetch(range(50), depth=3)) == list(range(50))
    assert list(prefetch(range(5), depth=0)) == list(range(5))

    def broken():
        yield 1
        raise RuntimeError('decoder broke')

    with pytest.raises(RuntimeError, match='decoder broke'):
        list(prefetch(broken(), depth=2))

    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    before = threading.active_count()
    stream = prefetch(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert threading.active_count() == before
    assert len(produced) <= 5


# --- pooling and views -----------------------------------------------------


def test_pool_backbone_features_of_each_backbone_kind():
    x3d = torch.rand(4, 432, 8, 2, 2)
    assert torch.allclose(
        pool_backbone_features(x3d), x3d.mean(dim=(2, 3, 4)))
    slow, fast = torch.rand(4, 2048, 4, 7, 7), torch.rand(4, 256, 32, 7, 7)
    pooled = pool_backbone_features((slow, fast))
    assert pooled.shape == (4, 2304)
    assert torch.allclose(pooled[:, :2048], slow.mean(dim=(2, 3, 4)))
    assert torch.allclose(pooled[:, 2048:], fast.mean(dim=(2, 3, 4)))
    patch, cls_token = torch.rand(4, 768, 8, 7, 7), torch.rand(4, 768)
    mvit = ([torch.rand(4, 96, 8, 14, 14), torch.rand(4, 96)],
            [patch, cls_token])
    assert torch.allclose(
        pool_backbone_features(mvit), patch.mean(dim=(2, 3, 4)))
    with pytest.raises(TypeError, match='cannot pool'):
        pool_backbone_features('features')


def copy_frames(results):
    """Make crops separate arrays. MMAction2's ``ThreeCrop`` returns
    overlapping views of one frame and its ``Flip`` flips in place, so
    ``ThreeCrop + Flip`` corrupts the overlapping crops."""
    results['imgs'] = [img.copy() for img in results['imgs']]
    return results


FLIP = [copy_frames, dict(type='Flip', flip_ratio=1.)]


def mmaction_views(frames, steps):
    results = dict(imgs=list(frames), img_shape=frames.shape[1:3],
                   modality='RGB')
    for step in steps:
        results = (TRANSFORMS.build(step) if isinstance(step, dict) else
                   step)(results)
    imgs = np.stack(results['imgs'])
    return imgs.reshape(-1, len(frames), *imgs.shape[1:])


@pytest.mark.parametrize('crop_transform, crops', [
    (dict(type='CenterCrop', crop_size=40), 'center'),
    (dict(type='ThreeCrop', crop_size=40), 'three_crop'),
])
@pytest.mark.parametrize('flip', [False, True])
def test_views_equal_mmaction_crops_and_flip(crop_transform, crops, flip):
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 255, (3, 40, 53, 3), dtype=np.uint8)
    views = SnippetViews(crop_size=40, crops=crops, flip=flip)(frames)
    expected = [mmaction_views(frames, [crop_transform])]
    if flip:
        expected.append(mmaction_views(frames, [crop_transform] + FLIP))
    np.testing.assert_array_equal(views, np.concatenate(expected))
    assert len(views) == (3 if crops == 'three_crop' else 1) * (1 + flip)


def test_views_follow_the_test_pipeline_and_report_small_frames():
    views = SnippetViews.from_pipeline(
        Config.fromfile(DEMO_CONFIG).test_pipeline)
    assert views.resize_frame(np.zeros((48, 64, 3), np.uint8)).shape == \
        (64, 64, 3)
    assert views.num_views == 1
    short = SnippetViews.from_pipeline([], short_side=40, crops='three_crop')
    assert short.resize_frame(np.zeros((48, 64, 3), np.uint8)).shape == \
        (40, 53, 3)
    assert short.crop_boxes(40, 53) == [(0, 0, 40, 40), (12, 0, 40, 40),
                                        (6, 0, 40, 40)]
    with pytest.raises(ValueError, match='larger than the resized frame'):
        SnippetViews(crop_size=80).crop_boxes(64, 64)


# --- features against independent decoding --------------------------------


def write_textured_video(path, num_frames, fps=10, size=(48, 64)):
    """An H.264 mp4 of a scrolling colour texture: unlike a counter video,
    every crop and every frame looks different."""
    import av
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 256, (size[0] // 4, size[1] // 4, 3))
    texture = np.kron(texture, np.ones((4, 4, 1))).astype(np.uint8)
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.height, stream.width = size
        stream.pix_fmt = 'yuv420p'
        for i in range(num_frames):
            img = np.roll(texture, (i, 2 * i), (0, 1))
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return str(path)


@pytest.fixture(scope='module')
def textured_video(tmp_path_factory):
    return write_textured_video(
        tmp_path_factory.mktemp('textured') / 'tex.mp4', 100)


def independent_features(model, filename, frame_inds, spatial):
    """The backbone's output for one window decoded on its own, by the
    training/test pipeline transforms (a fresh reader, one seek)."""
    pipeline = Compose([dict(type='LongVideoInit'),
                        dict(type='LongVideoDecode')] + spatial + [
                            dict(type='FormatShape', input_format='NCTHW'),
                            dict(type='PackActionInputs')
                        ])
    packed = pipeline(
        dict(filename=filename, frame_inds=np.asarray(frame_inds),
             clip_len=CLIP_LEN, num_clips=1, modality='RGB', start_index=0))
    with torch.no_grad():
        data = model.data_preprocessor(pseudo_collate([packed]), False)
        feats, _ = model.extract_feat(data['inputs'], stage='backbone')
    return feats.mean(dim=(2, 3, 4)).numpy()  # (views, C)


def test_window_features_equal_backbone_on_independently_decoded_frames(
        model, textured_video, long_video_set):
    _, root, _ = long_video_set
    views = SnippetViews.from_pipeline(
        Config.fromfile(DEMO_CONFIG).test_pipeline)
    resize = [dict(type='Resize', scale=(64, 64), keep_ratio=False)]
    # batch_size 2 leaves a partial last batch.
    extractor = SnippetFeatureExtractor(model, views, CLIP_LEN,
                                        FRAME_INTERVAL, batch_size=2)
    video = textured_video  # 100 frames, 48x64

    # Non-overlapping snippets are the training sampler's clip positions.
    result = extractor.extract(video)
    sampler = WeakClipSampler(CLIP_LEN, FRAME_INTERVAL)
    assert result.features.shape == (3, 432)
    assert (result.num_frames, result.fps, result.snippet_stride) == \
        (100, 10., 32.)
    for t, row in enumerate(result.features):
        expected = independent_features(model, video,
                                        sampler.frame_indices(t, 100), resize)
        np.testing.assert_allclose(row, expected[0], atol=1e-5, rtol=0)

    for kwargs in (dict(snippet_stride=16), dict(num_snippets=4)):
        result = extractor.extract(video, **kwargs)
        starts, _ = snippet_starts(100, 32, **kwargs)
        assert len(result.features) == len(starts)
        inds = snippet_frame_indices(starts, CLIP_LEN, FRAME_INTERVAL, 100)
        for row, frame_inds in zip(result.features, inds):
            expected = independent_features(model, video, frame_inds, resize)
            np.testing.assert_allclose(row, expected[0], atol=1e-5, rtol=0)
    # Distinct windows give distinct features: the comparison has teeth.
    assert not np.allclose(result.features[0], result.features[-1],
                           atol=1e-4)

    # A video shorter than one snippet loops, as the training sampler does.
    short = osp.join(root, 'b.mp4')
    result = extractor.extract(short)
    expected = independent_features(model, short,
                                    sampler.frame_indices(0, 7), resize)
    assert result.features.shape == (1, 432)
    np.testing.assert_allclose(result.features[0], expected[0], atol=1e-5)


def test_three_crop_flip_features_equal_independent_views(
        model, textured_video):
    video = textured_video
    views = SnippetViews([dict(scale=(-1, 40))], crops='three_crop',
                         flip=True)
    extractor = SnippetFeatureExtractor(model, views, CLIP_LEN,
                                        FRAME_INTERVAL, batch_size=3,
                                        prefetch_depth=2)
    result = extractor.extract(video, snippet_stride=32)
    spatial = [dict(type='Resize', scale=(-1, 40)),
               dict(type='ThreeCrop', crop_size=40)]
    flipped = spatial + FLIP
    sampler = WeakClipSampler(CLIP_LEN, FRAME_INTERVAL)
    for t, row in enumerate(result.features):
        inds = sampler.frame_indices(t, 100)
        both = np.concatenate([
            independent_features(model, video, inds, spatial),
            independent_features(model, video, inds, flipped)
        ])
        assert both.shape == (6, 432)
        np.testing.assert_allclose(row, both.mean(0), atol=1e-5, rtol=0)


def test_an_error_in_the_model_stops_the_decoding_thread(
        model, textured_video):
    extractor = SnippetFeatureExtractor(model, SnippetViews(), CLIP_LEN,
                                        FRAME_INTERVAL, batch_size=1,
                                        prefetch_depth=1)

    def out_of_memory(views):
        raise RuntimeError('out of memory')

    extractor.forward = out_of_memory
    before = threading.active_count()
    try:
        # 69 snippets: the decoding thread is still busy at the error.
        extractor.extract(textured_video, snippet_stride=1)
    except RuntimeError as e:
        # While the traceback lives (a logger, a debugger), the thread must
        # already be gone: the reader it decodes from is closed.
        assert 'out of memory' in str(e)
        assert threading.active_count() == before
    else:
        raise AssertionError('the error was not raised')


# --- runs: restart, settings, corrupt videos --------------------------------


def npy_files(out_dir):
    return sorted(f for f in os.listdir(out_dir) if f.endswith('.npy'))


def all_files(out_dir):
    return sorted(
        osp.relpath(osp.join(d, f), out_dir)
        for d, _, files in os.walk(out_dir) for f in files)


def run(checkpoint, ann_file, root, out_dir, **kwargs):
    kwargs.setdefault('progress', False)
    return extract_features(DEMO_CONFIG, checkpoint, ann_file, root,
                            str(out_dir), **kwargs)


def test_restart_after_a_crash_gives_the_files_of_one_run(
        checkpoint, long_video_set, tmp_path, monkeypatch):
    ann_file, root, _ = long_video_set
    one_run = tmp_path / 'one_run'
    summary = run(checkpoint, ann_file, root, one_run, snippet_stride=16)
    assert summary.ok and summary.extracted == {0: ['a', 'b', 'c']}
    assert npy_files(one_run) == ['a.npy', 'b.npy', 'c.npy']

    # Crash (not a video error) while extracting the second video.
    calls = []
    real_extract = SnippetFeatureExtractor.extract

    def crash_on_second_video(self, *args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError('simulated crash')
        return real_extract(self, *args, **kwargs)

    restarted = tmp_path / 'restarted'
    monkeypatch.setattr(SnippetFeatureExtractor, 'extract',
                        crash_on_second_video)
    with pytest.raises(RuntimeError, match='simulated crash'):
        run(checkpoint, ann_file, root, restarted, snippet_stride=16)
    monkeypatch.undo()
    assert npy_files(restarted) == ['a.npy']
    assert not [f for f in all_files(restarted) if f.endswith('.tmp')]
    with open(restarted / 'manifest.json') as f:
        assert json.load(f)['videos'] == {}  # written at the start
    # What a SIGKILL in the middle of a write leaves; the restart clears it.
    (restarted / '.b.npy.x1y2.tmp').write_bytes(b'half a file')

    summary = run(checkpoint, ann_file, root, restarted, snippet_stride=16)
    assert summary.skipped == ['a']
    assert summary.extracted == {0: ['b', 'c']}
    assert all_files(restarted) == all_files(one_run)
    for name in all_files(one_run):
        assert (restarted / name).read_bytes() == (one_run / name).read_bytes()
    with open(restarted / 'manifest.json') as f:
        manifest = json.load(f)
    assert manifest['videos']['a'] == dict(
        file='a.npy', num_snippets=5, fps=10.0, num_frames=100,
        snippet_stride=16.0)
    assert manifest['feature_dim'] == 432
    assert manifest['snippet_frames'] == 32
    assert len(manifest['checkpoint_sha256']) == 16


def test_restart_with_other_settings_is_refused(checkpoint, long_video_set,
                                                tmp_path):
    ann_file, root, _ = long_video_set
    out = tmp_path / 'out'
    run(checkpoint, ann_file, root, out, subset='test')
    before = {n: (out / n).read_bytes() for n in all_files(out)}
    with pytest.raises(ExtractionSettingsError, match='snippet_stride'):
        run(checkpoint, ann_file, root, out, snippet_stride=16)
    with pytest.raises(ExtractionSettingsError, match='dtype'):
        run(checkpoint, ann_file, root, out, dtype='float16')
    other = save_random_checkpoint(tmp_path / 'other.pth', seed=1)
    with pytest.raises(ExtractionSettingsError, match='checkpoint_sha256'):
        run(other, ann_file, root, out)
    assert {n: (out / n).read_bytes() for n in all_files(out)} == before
    # The same settings for other videos add to the directory.
    summary = run(checkpoint, ann_file, root, out, subset='train',
                  dtype='float32')
    assert summary.extracted == {0: ['a', 'b']}
    with open(out / 'manifest.json') as f:
        assert sorted(json.load(f)['videos']) == ['a', 'b', 'c']


def test_corrupt_video_is_skipped_reported_and_retried(
        checkpoint, long_video_set, tmp_path):
    ann_file, root, ann = long_video_set
    with open(osp.join(root, 'a.mp4'), 'wb') as f:
        f.write(b'not a video' * 50)
    out = tmp_path / 'out'
    summary = run(checkpoint, ann_file, root, out, dtype='float16')
    assert not summary.ok
    assert list(summary.failed) == ['a']
    assert 'a.mp4' in summary.failed['a']
    assert 'FAILED a' in summary.format()
    assert npy_files(out) == ['b.npy', 'c.npy']
    assert np.load(out / 'b.npy').dtype == np.float16
    with open(out / 'manifest.json') as f:
        manifest = json.load(f)
    assert sorted(manifest['videos']) == ['b', 'c']
    assert manifest['dtype'] == 'float16'
    again = run(checkpoint, ann_file, root, out, dtype='float16')
    assert again.skipped == ['b', 'c'] and list(again.failed) == ['a']


def test_truncated_video_is_a_read_error(tmp_path):
    write_counter_video(tmp_path / 'v.mkv', 300)
    data = (tmp_path / 'v.mkv').read_bytes()
    cut = tmp_path / 'cut.mkv'
    cut.write_bytes(data[:len(data) // 2])
    with OpenCVClipReader(str(cut)) as reader:
        assert reader.num_frames == 300  # the container does not know
        starts, _ = snippet_starts(300, 32, snippet_stride=32)
        windows = SnippetWindows(
            reader, snippet_frame_indices(starts, CLIP_LEN, FRAME_INTERVAL,
                                          300))
        with pytest.raises(VideoReadError, match='cut.mkv'):
            list(windows)


# --- sharding and progress -------------------------------------------------


def test_shard_videos_gives_each_video_to_one_rank():
    durations = {f'v{i}': float(d) for i, d in enumerate([9, 1, 5, 5, 3, 7])}
    shards = shard_videos(list(durations), durations, 3)
    flat = [v for s in shards for v in s]
    assert sorted(flat) == sorted(durations)
    loads = [sum(durations[v] for v in s) for s in shards]
    assert max(loads) - min(loads) <= 2
    assert shard_videos(list(durations), durations, 1) == [sorted(durations)]
    assert shard_videos(['a'], {'a': 1.}, 2) == [['a'], []]


def test_progress_line_has_rates_and_eta():
    stream = io.StringIO()
    bar = ExtractionProgress(2, stream=stream, interval=0.)
    bar.update(10)
    bar.update(30)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[-1].startswith('[2/2] ')
    for word in ('videos/s', 'snippets/s', 'ETA 0:00:00'):
        assert word in lines[-1]
    silent = io.StringIO()
    ExtractionProgress(2, enabled=False, stream=silent).update(3)
    assert silent.getvalue() == ''
