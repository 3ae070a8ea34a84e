"""Snippet feature extraction: decoding each frame once against re-decoding
each window, snippets/s and where the time goes.

On one long H.264 video and one model, for non-overlapping snippets and
snippets overlapping by 50%, this times:

1. ``decode once``: :class:`SnippetFeatureExtractor` without prefetching: one
   sequential pass over the video, frames resized once and kept only while
   a snippet needs them, windows batched through the model; decoding and
   the model take turns, so their shares are measured separately.
2. ``decode once + prefetch``: the same with decoding in a background thread
   while the model runs (the default of ``tools/extract_features.py``).
3. ``re-decode each window``: what MMAction2's clip feature extraction does
   per clip: open the video, seek to the window, decode it, resize its
   frames; the same batching and model.
4. ``model only``: the model on views already in memory, the ceiling.

Decoding is single-threaded (one decoder thread per reader) and the model
runs on ``--torch-threads`` CPU threads (``--device cuda`` for a GPU); the
model is the config's, randomly initialised (nothing is downloaded). Paths
run interleaved ``--rounds`` times and the best of each is shown. The
features of all paths are compared.

Without ``--video`` a 340x256 30 fps video of scrolling noise texture
(``--seconds`` long, key frame every ``--gop`` frames) is generated with PyAV
under ``work_dirs/benchmarks/`` and reused.

Run::

    python benchmarks/extract_throughput.py [--video PATH] [--seconds 60]
"""
import argparse
import os
import os.path as osp
import time

import av
import numpy as np
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmwsal.apis import (SnippetFeatureExtractor, SnippetViews,
                         init_feature_model, snippet_frame_indices,
                         snippet_starts)
from mmwsal.datasets import OpenCVClipReader

WIDTH, HEIGHT, FPS = 340, 256, 30
DEFAULT_CONFIG = 'configs/weak/weak_x3d-tiny_8x4_30e_synthetic.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--video', help='long video; generated if omitted')
    parser.add_argument('--seconds', type=int, default=60)
    parser.add_argument('--gop', type=int, default=250,
                        help='key-frame interval of the generated video')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--short-side', type=int,
                        help='resize instead of the config\'s test pipeline')
    parser.add_argument('--crop-size', type=int)
    parser.add_argument('--clip-len', type=int, default=8)
    parser.add_argument('--frame-interval', type=int, default=4)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--torch-threads', type=int, default=1,
                        help='PyTorch CPU threads; 1 keeps the timing of a '
                        'busy 2-core machine stable (0: PyTorch\'s default)')
    parser.add_argument('--rounds', type=int, default=3,
                        help='interleaved repetitions; the best is shown')
    return parser.parse_args()


def make_video(path, seconds, gop):
    """Two layers of noise texture scrolling in different directions."""
    rng = np.random.default_rng(0)
    coarse = np.kron(rng.integers(0, 256, (HEIGHT // 8, WIDTH // 4 + 1, 3)),
                     np.ones((8, 4, 1)))[:HEIGHT, :WIDTH]
    fine = rng.integers(-30, 30, (HEIGHT, WIDTH, 3))
    tmp = path + '.part.mp4'
    with av.open(tmp, 'w') as out:
        stream = out.add_stream('libx264', rate=FPS)
        stream.width, stream.height = WIDTH, HEIGHT
        stream.pix_fmt = 'yuv420p'
        stream.codec_context.gop_size = gop
        for t in range(seconds * FPS):
            img = (0.7 * np.roll(coarse, (t, 2 * t), (0, 1)) +
                   np.roll(fine, (-2 * t, t), (0, 1)) + 40)
            frame = av.VideoFrame.from_ndarray(
                np.clip(img, 0, 255).astype(np.uint8), format='rgb24')
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    os.replace(tmp, path)


def redecode_each_window(extractor, filename, stride):
    """Features with the video opened, sought and decoded per window."""
    with OpenCVClipReader(filename) as probe:
        num_frames = probe.num_frames
    starts, _ = snippet_starts(num_frames, extractor.snippet_frames, stride)
    inds = snippet_frame_indices(starts, extractor.clip_len,
                                 extractor.frame_interval, num_frames)
    decode_s = model_s = 0.
    batch, outputs = [], []
    for i, window in enumerate(inds):
        tic = time.perf_counter()
        with OpenCVClipReader(filename) as reader:
            frames = reader.read(window)
        frames = np.stack([extractor.views.resize_frame(f) for f in frames])
        batch.append(extractor.views(frames))
        decode_s += time.perf_counter() - tic
        if len(batch) == extractor.batch_size or i == len(inds) - 1:
            tic = time.perf_counter()
            outputs.append(extractor.forward(np.stack(batch)))
            model_s += time.perf_counter() - tic
            batch = []
    return np.concatenate(outputs), decode_s, model_s


def _timed_once(extractor, filename, stride):
    tic = time.perf_counter()
    result = extractor.extract(filename, snippet_stride=stride)
    seconds = time.perf_counter() - tic
    serial = extractor.prefetch_depth == 0  # else the two overlap
    return dict(features=result.features, seconds=seconds,
                decode=result.decode_seconds / seconds if serial else None,
                model=result.model_seconds / seconds if serial else None)


def _timed_redecode(extractor, filename, stride):
    tic = time.perf_counter()
    features, decode_s, model_s = redecode_each_window(
        extractor, filename, stride)
    seconds = time.perf_counter() - tic
    return dict(features=features, seconds=seconds, decode=decode_s / seconds,
                model=model_s / seconds)


def model_only(extractor, views, num_snippets):
    batch = np.stack([views] * extractor.batch_size)
    done, tic = 0, time.perf_counter()
    while done < num_snippets:
        extractor.forward(batch)
        done += len(batch)
    return done / (time.perf_counter() - tic)


def main():
    args = parse_args()
    if args.video:
        filename = args.video
    else:
        filename = osp.join('work_dirs', 'benchmarks',
                            f'texture_{WIDTH}x{HEIGHT}_{FPS}fps_'
                            f'{args.seconds}s_gop{args.gop}.mp4')
        if not osp.exists(filename):
            os.makedirs(osp.dirname(filename), exist_ok=True)
            tic = time.perf_counter()
            make_video(filename, args.seconds, args.gop)
            print(f'generated {filename} in {time.perf_counter() - tic:.1f} s')
    if args.torch_threads > 0:
        torch.set_num_threads(args.torch_threads)
    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    ckpt = osp.join('work_dirs', 'benchmarks', 'random_init.pth')
    torch.manual_seed(0)
    torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
    model = init_feature_model(cfg, ckpt, args.device)
    views = SnippetViews.from_pipeline(cfg.test_pipeline, args.short_side,
                                       args.crop_size)
    serial, prefetching = [
        SnippetFeatureExtractor(model, views, args.clip_len,
                                args.frame_interval, args.batch_size,
                                prefetch_depth=depth)
        for depth in (0, 2 * args.batch_size)
    ]
    with OpenCVClipReader(filename) as reader:
        num_frames = reader.num_frames
        # Real pixels for the model-only ceiling: all-zero input makes a
        # randomly initialised CPU model much slower (denormal numbers).
        window = reader.read(np.arange(args.clip_len) * args.frame_interval)
    real_views = views(np.stack([views.resize_frame(f) for f in window]))
    snippet_frames = serial.snippet_frames
    print(f'video {filename}: {num_frames} frames '
          f'{window.shape[2]}x{window.shape[1]}; model {args.config} (random '
          f'weights), {views}, {args.clip_len}x{args.frame_interval} '
          f'snippets, batch {args.batch_size}, {torch.get_num_threads()} '
          f'torch threads, {args.device}')
    serial.extract(filename, num_snippets=2 * args.batch_size)  # warm-up

    rows = []
    for name, stride in (('non-overlapping', snippet_frames),
                         ('50% overlap', snippet_frames // 2)):
        best, ceiling = {}, 0.
        paths = (('decode once', _timed_once, serial),
                 ('decode once + prefetch', _timed_once, prefetching),
                 ('re-decode each window', _timed_redecode, serial))
        for _ in range(args.rounds):
            # Interleaved rounds, best of each: load from other processes
            # hits every path alike.
            for path, timed, extractor in paths:
                result = timed(extractor, filename, stride)
                if (path not in best
                        or result['seconds'] < best[path]['seconds']):
                    best[path] = result
            num = len(best['decode once']['features'])
            ceiling = max(ceiling, model_only(serial, real_views, 2 * num))
        diff = max(
            np.abs(best['decode once']['features'] -
                   best[p]['features']).max() for p in best)
        for path, result in best.items():
            rate = num / result['seconds']
            rows.append((name, path, num, rate, result['decode'],
                         result['model'], rate / ceiling))
        rows.append((name, 'model only', num, ceiling, 0., 1., 1.))
        print(f'{name}: stride {stride} frames, {num} snippets, max |feature '
              f'difference| between the paths {diff:.2e}')
    print()
    print('| windows | path | snippets | snippets/s | decode share | '
          'model share | of model speed |')
    print('|---|---|---:|---:|---:|---:|---:|')
    for name, path, num, rate, dec, mod, frac in rows:
        share = (lambda x: '-' if x is None else f'{100 * x:.0f}%')
        print(f'| {name} | {path} | {num} | {rate:.1f} | {share(dec)} | '
              f'{share(mod)} | {100 * frac:.0f}% |')


if __name__ == '__main__':
    main()
