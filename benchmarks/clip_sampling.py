"""Random training-clip sampling from a long H.264 video: clips/s of four
pipelines.

Training reads one short clip (``--clip-len`` frames, ``--frame-interval``
apart) at a random position of a long video per sample, and a dataset visits
a different video each sample, so every clip opens the video afresh. This
script times, on the same video and with the same seed:

1. ours: ``LongVideoInit -> WeakClipSampler -> LongVideoDecode`` (OpenCV,
   one seek to the clip's first frame, then sequential grab/retrieve);
2. MMAction2 stock: ``DecordInit -> SampleFrames -> DecordDecode`` (reads the
   file into memory and opens a decord reader per clip);
3. decord with our sampler: ``DecordInit -> WeakClipSampler -> DecordDecode``
   (separates the reader from the sampler);
4. MMAction2 ``OpenCVInit -> SampleFrames -> OpenCVDecode`` (a seek per
   frame; fewer clips, it is slow).

Decoding is single-threaded: decord ``num_threads=1`` and OpenCV's FFmpeg
backend through ``OPENCV_FFMPEG_THREADS`` (``--opencv-threads``), which must be
set before cv2 is imported. Paths run interleaved in ``--rounds`` blocks so
that load from other processes hits all of them alike. CPU% is process CPU
time over wall time: above 100% means decoder threads beyond the main one
(decord decodes ahead in a background thread until its reader is deleted).
A few clips are also decoded by paths 1 and 2 at the same frame indices and
compared (the two decoders may differ by 1-2 levels in colour conversion).

Without ``--video`` a 3-minute 340x256 30 fps H.264 video of scrolling
noise texture is generated once (PyAV, libx264, yuv420p) under
``work_dirs/benchmarks/`` and reused.

Run::

    python benchmarks/clip_sampling.py [--video PATH] [--gop 30]
"""
import argparse
import os
import os.path as osp
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--video', help='long video; generated if omitted')
    parser.add_argument('--gop', type=int, default=250,
                        help='key-frame interval of the generated video '
                        '(250 is the x264 default)')
    parser.add_argument('--seconds', type=int, default=180)
    parser.add_argument('--clip-len', type=int, default=32)
    parser.add_argument('--frame-interval', type=int, default=3)
    parser.add_argument('--num-clips', type=int, default=60)
    parser.add_argument('--num-clips-slow', type=int, default=12,
                        help='clips for the seek-per-frame OpenCV pipeline')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--check-clips', type=int, default=3)
    parser.add_argument('--opencv-threads', type=int, default=1,
                        help='FFmpeg threads of OpenCV; 0 keeps its default '
                        '(one per CPU)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


ARGS = parse_args()
if ARGS.opencv_threads > 0:
    # Read by OpenCV's FFmpeg backend at open time; cv2.setNumThreads does
    # not reach the decoder.
    os.environ['OPENCV_FFMPEG_THREADS'] = str(ARGS.opencv_threads)

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402
from mmaction.registry import TRANSFORMS  # noqa: E402

import mmwsal  # noqa: E402,F401  (registers our transforms)

WIDTH, HEIGHT, FPS = 340, 256, 30


def periodic_texture(rng, sigma):
    """Colour noise low-passed in the Fourier domain, hence periodic: a
    scrolled copy never jumps, so the encoder sees motion, not scene cuts."""
    noise = rng.standard_normal((HEIGHT, WIDTH, 3))
    fy = np.fft.fftfreq(HEIGHT)[:, None, None]
    fx = np.fft.fftfreq(WIDTH)[None, :, None]
    gauss = np.exp(-2 * (np.pi * sigma)**2 * (fx**2 + fy**2))
    tex = np.fft.ifft2(np.fft.fft2(noise, axes=(0, 1)) * gauss,
                       axes=(0, 1)).real
    return (tex / tex.std()).astype(np.float32)


def make_video(path, seconds, gop):
    """Two noise layers scrolling in different directions, libx264 at its
    default preset and CRF, key frames every ``gop`` frames."""
    rng = np.random.default_rng(0)
    coarse, fine = periodic_texture(rng, 12), periodic_texture(rng, 4)
    tmp = path + '.part.mp4'  # an interrupted run leaves no usable file
    with av.open(tmp, 'w') as out:
        stream = out.add_stream('libx264', rate=FPS)
        stream.width, stream.height = WIDTH, HEIGHT
        stream.pix_fmt = 'yuv420p'
        stream.codec_context.gop_size = gop
        for t in range(seconds * FPS):
            img = (128 + 40 * np.roll(coarse, (t, 2 * t), (0, 1)) +
                   25 * np.roll(fine, (2 * t, -3 * t), (0, 1)))
            frame = av.VideoFrame.from_ndarray(
                np.clip(img, 0, 255).astype(np.uint8), format='rgb24')
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    os.replace(tmp, path)


def describe_video(path):
    with av.open(path) as container:
        stream = container.streams.video[0]
        keyframes = sum(p.is_keyframe for p in container.demux(stream))
        return (f'{stream.codec_context.name} {stream.width}x{stream.height} '
                f'{float(stream.average_rate):.0f} fps, {stream.frames} '
                f'frames, {keyframes} key frames, '
                f'{(stream.bit_rate or 0) / 1e3:.0f} kb/s, '
                f'{osp.getsize(path) / 2**20:.1f} MiB')


def build(*cfgs):
    return [TRANSFORMS.build(cfg) for cfg in cfgs]


def pipelines(clip_len, frame_interval):
    ours_sampler = dict(type='WeakClipSampler', clip_len=clip_len,
                        frame_interval=frame_interval)
    stock_sampler = dict(type='SampleFrames', clip_len=clip_len,
                         frame_interval=frame_interval, num_clips=1)
    decord_init = dict(type='DecordInit', num_threads=1)
    # name -> (transforms, slow)
    return {
        'ours (LongVideo*, OpenCV one seek)': (build(
            dict(type='LongVideoInit'), ours_sampler,
            dict(type='LongVideoDecode')), False),
        'MMAction2 Decord* + SampleFrames': (build(
            decord_init, stock_sampler, dict(type='DecordDecode')), False),
        'Decord* + WeakClipSampler': (build(
            decord_init, ours_sampler, dict(type='DecordDecode')), False),
        'MMAction2 OpenCV* (seek per frame)': (build(
            dict(type='OpenCVInit'), stock_sampler,
            dict(type='OpenCVDecode')), True),
    }


def run_clip(transforms, filename, **given):
    """One sample as a dataset makes it; the reader is opened here and
    released by the decode transform."""
    results = dict(filename=filename, start_index=0, modality='RGB',
                   label=np.zeros(1, dtype=np.float32), **given)
    for transform in transforms:
        results = transform(results)
    if results.get('video_reader') is not None:
        raise RuntimeError(f'{transforms[-1]!r} left the reader open')
    return np.stack(results['imgs'])


def check_frames(paths, filename, total_frames, args):
    """Mean absolute difference of ours and the stock decord pipeline on the
    same frame indices."""
    sampler = TRANSFORMS.build(
        dict(type='WeakClipSampler', clip_len=args.clip_len,
             frame_interval=args.frame_interval))
    rng = np.random.default_rng(args.seed)
    # Init and decode transforms only: the frame indices are given.
    (ours_init, _, ours_decode), (stock_init, _, stock_decode) = [
        transforms for transforms, _ in list(paths.values())[:2]]
    diffs = []
    for _ in range(args.check_clips):
        position = int(rng.integers(sampler.num_positions(total_frames)))
        inds = sampler.frame_indices(position, total_frames)
        a = run_clip([ours_init, ours_decode], filename, frame_inds=inds)
        b = run_clip([stock_init, stock_decode], filename, frame_inds=inds)
        a, b = a.astype(np.float32), b.astype(np.float32)
        if a.shape != b.shape:
            raise RuntimeError(f'shapes differ: {a.shape} vs {b.shape}')
        diffs.append((int(inds[0]), np.abs(a - b).mean(), np.abs(a - b).max()))
    return diffs


def main(args):
    if args.video:
        filename = args.video
    else:
        filename = osp.join(
            'work_dirs', 'benchmarks', f'noise_{WIDTH}x{HEIGHT}_{FPS}fps_'
            f'{args.seconds}s_gop{args.gop}.mp4')
        if osp.exists(filename):
            print(f'reusing {filename}')
        else:
            os.makedirs(osp.dirname(filename), exist_ok=True)
            start = time.perf_counter()
            make_video(filename, args.seconds, args.gop)
            print(f'generated {filename} in '
                  f'{time.perf_counter() - start:.1f} s')
    print(f'video: {describe_video(filename)}')
    cap = cv2.VideoCapture(filename)
    total_frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    opencv_threads = int(cap.get(cv2.CAP_PROP_N_THREADS))
    cap.release()
    print(f'clip: {args.clip_len} frames x stride {args.frame_interval}, '
          'one random position per clip, video reopened per clip')
    print(f'threads: decord num_threads=1 (+ its read-ahead thread), OpenCV '
          f'FFmpeg decoder threads={opencv_threads} (OPENCV_FFMPEG_THREADS='
          f'{os.environ.get("OPENCV_FFMPEG_THREADS", "unset")}), '
          f'{os.cpu_count()} CPUs')

    paths = pipelines(args.clip_len, args.frame_interval)
    diffs = check_frames(paths, filename, total_frames, args)
    for first, mean, peak in diffs:
        print(f'check: clip at frame {first}: ours vs stock decord, mean abs '
              f'diff {mean:.3f}, max {peak:.0f} (uint8 levels)')

    totals = {name: [0, 0.0, 0.0] for name in paths}  # clips, wall, cpu
    for name, (transforms, _) in paths.items():
        np.random.seed(args.seed + 1000)
        for _ in range(args.warmup):
            run_clip(transforms, filename)
    for rnd in range(args.rounds):
        for name, (transforms, slow) in paths.items():
            n = (args.num_clips_slow if slow else args.num_clips)
            n = n // args.rounds + (rnd < n % args.rounds)
            # Same positions for the paths that share a sampler.
            np.random.seed(args.seed + rnd)
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(n):
                run_clip(transforms, filename)
            totals[name][0] += n
            totals[name][1] += time.perf_counter() - wall
            totals[name][2] += time.process_time() - cpu

    print(f'load average (1 min) at the end: {os.getloadavg()[0]:.2f} '
          '(other processes share the CPUs)')
    baseline = totals['MMAction2 Decord* + SampleFrames']
    base_rate = baseline[0] / baseline[1]
    print()
    print('| pipeline | clips | clips/s | ms/clip | CPU % | vs stock decord |')
    print('|---|---:|---:|---:|---:|---:|')
    for name, (n, wall, cpu) in totals.items():
        print(f'| {name} | {n} | {n / wall:.1f} | {1e3 * wall / n:.1f} | '
              f'{100 * cpu / wall:.0f} | {n / wall / base_rate:.2f}x |')


if __name__ == '__main__':
    sys.exit(main(ARGS))
