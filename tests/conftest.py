import json
from fractions import Fraction

import numpy as np
import pytest


def frame_value(index: int) -> int:
    """Grey level of frame ``index`` in a counter video: it tells a decoded
    frame's index back within the codec's error."""
    return 20 + (index * 7) % 210


def write_counter_video(path, num_frames, fps=10, size=(48, 64)):
    """Write an H.264 mp4 whose frame i is uniformly ``frame_value(i)``."""
    import av
    with av.open(str(path), 'w') as container:
        stream = container.add_stream(
            'libx264', rate=Fraction(fps).limit_denominator(1001))
        stream.height, stream.width = size
        stream.pix_fmt = 'yuv420p'
        stream.codec_context.gop_size = 12
        for i in range(num_frames):
            img = np.full((*size, 3), frame_value(i), np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return str(path)


def decoded_indices(frames):
    """Frame indices that decoded counter-video frames show."""
    table = np.array([frame_value(i) for i in range(30)])
    out = []
    for frame in frames:
        diff = np.abs(table - float(frame.mean()))
        out.append(int(diff.argmin()))
    return out


@pytest.fixture
def long_video_set(tmp_path):
    """Three counter videos and their unified annotation.

    ``a``: 100 frames at 10 fps, ``b``: 7 frames (shorter than a clip),
    ``c``: 45 frames at 7.5 fps (an odd rate). Segments: a has class 0 in
    [2, 4] s and class 2 in [8, 10] s.
    """
    root = tmp_path / 'videos'
    root.mkdir()
    write_counter_video(root / 'a.mp4', 100, fps=10)
    write_counter_video(root / 'b.mp4', 7, fps=10)
    write_counter_video(root / 'c.mp4', 45, fps=7.5)
    ann = {
        'classes': ['jump', 'run', 'throw'],
        'videos': {
            'a': dict(subset='train', file='a.mp4', duration=10.0, fps=10.0,
                      labels=[0, 2],
                      segments=[dict(start=2.0, end=4.0, label=0),
                                dict(start=8.0, end=10.0, label=2)]),
            'b': dict(subset='train', file='b.mp4', duration=0.7, fps=10.0,
                      labels=[1],
                      segments=[dict(start=0.0, end=0.7, label=1)]),
            'c': dict(subset='test', file='c.mp4', duration=6.0, fps=7.5,
                      labels=[1]),
        }
    }
    ann_file = tmp_path / 'ann.json'
    ann_file.write_text(json.dumps(ann))
    return str(ann_file), str(root), ann


@pytest.fixture(autouse=True, scope='session')
def mmaction_scope():
    """Build components from MMAction2's registries, as a runner with
    ``default_scope='mmaction'`` does."""
    from mmaction.utils import register_all_modules

    import mmwsal  # noqa: F401
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def tiny_synthetic(tmp_path_factory):
    """A small synthetic long-video set shared by the training tests."""
    from mmwsal.datasets.synthetic import generate_synthetic_dataset
    root = tmp_path_factory.mktemp('synthetic')
    ann_file = generate_synthetic_dataset(
        str(root), num_videos=8, seed=0, size=(48, 64), min_duration=8,
        max_duration=10, fps=8)
    return ann_file, str(root)


DEMO_CONFIG = 'configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py'


def tiny_train_options(ann_file, root, max_epochs=2):
    """``--cfg-options`` that point the demo config at a tiny data set and
    make it run in seconds."""
    opts = {}
    for split in ('train', 'val', 'test'):
        opts[f'{split}_dataloader.dataset.ann_file'] = ann_file
        opts[f'{split}_dataloader.dataset.data_prefix.video'] = root
        opts[f'{split}_dataloader.num_workers'] = 0
        opts[f'{split}_dataloader.persistent_workers'] = False
    opts.update({
        'train_dataloader.batch_size': 2,
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': max_epochs,
        'default_hooks.logger.interval': 1,
    })
    return opts


@pytest.fixture
def planted_features(tmp_path):
    """Snippet features with one planted action per video (see
    :func:`mmwsal.datasets.generate_planted_features`)."""
    from mmwsal.datasets import generate_planted_features
    return generate_planted_features(str(tmp_path))
