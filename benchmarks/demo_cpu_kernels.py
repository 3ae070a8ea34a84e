"""How far the demo's table moves on a CPU of another kind.

The demo is seeded and deterministic, so two runs on one machine give the
same table; a CPU with other vector instructions makes PyTorch (and MKL,
oneDNN, OpenCV, NumPy) pick other kernels, which round differently, and a
training amplifies such differences. This runs the demo's pipeline again
with every library held to the kernels of an AVX2 CPU without AVX-512 (as
on many cloud x86 machines; run it on an AVX-512 machine) into separate
data and work dirs, and prints each row's metrics against a reference run
of the demo (``make demo``, ``make demo-seeds``) made with the machine's
own kernels::

    make demo
    python benchmarks/demo_cpu_kernels.py --reference work_dirs/demo \
        --reference-data data/synthetic_demo

It prints whether the synthetic videos came out byte-identical, each row's
recognition and localization mAP with both kernels, and AdaptFocus's gain
over Noisy with both; the README quotes one run.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys

from mmwsal.apis import file_sha256
from mmwsal.apis.pipeline import RECOGNITION_KEY
from mmwsal.utils import FOCUS_MODE_NAMES

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# The kernels of an AVX2 CPU, in each library of the pipeline.
AVX2_ENV = dict(
    ATEN_CPU_CAPABILITY='avx2',
    ONEDNN_MAX_CPU_ISA='AVX2',
    MKL_ENABLE_INSTRUCTIONS='AVX2',
    OPENCV_CPU_DISABLE='AVX512-SKX,AVX512-CLX,AVX_VNNI',
    NPY_DISABLE_CPU_FEATURES='X86_V4 AVX512_ICL')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--reference',
        default='work_dirs/demo',
        help='work dir of the demo run with the machine\'s own kernels')
    parser.add_argument(
        '--reference-data',
        default='data/synthetic_demo',
        help='its synthetic videos')
    parser.add_argument('--data-dir', default='data/synthetic_demo_avx2')
    parser.add_argument('--work-dir', default='work_dirs/demo_avx2')
    parser.add_argument(
        '--num-videos',
        type=int,
        help='as the reference run was made (default: the demo\'s)')
    return parser.parse_args()


def metrics(work_dir: str) -> dict:
    """Per mode: recognition mAP and localization mAP avg (%)."""
    with open(osp.join(work_dir, 'summary.json')) as f:
        rows = json.load(f)['rows']
    return {
        mode: (100 * row['recognizer']['metrics'][RECOGNITION_KEY],
               100 * row['localizer']['metrics']['mAP_avg'])
        for mode, row in rows.items()
    }


def different_videos(reference_root: str, root: str) -> int:
    """How many of the reference run's video files differ in bytes from
    (or are missing in) the other run's."""
    differ = 0
    for name in sorted(os.listdir(osp.join(reference_root, 'videos'))):
        other = osp.join(root, 'videos', name)
        differ += not (osp.isfile(other) and file_sha256(other) == file_sha256(
            osp.join(reference_root, 'videos', name)))
    return differ


def main():
    args = parse_args()
    reference = metrics(args.reference)
    command = [
        sys.executable,
        osp.join(REPO, 'tools', 'run_pipeline.py'), '--data-dir',
        args.data_dir, '--work-dir', args.work_dir, '--no-progress'
    ]
    if args.num_videos is not None:
        command += ['--num-videos', str(args.num_videos)]
    subprocess.run(command, check=True, env={**os.environ, **AVX2_ENV})
    other = metrics(args.work_dir)
    print('\nkernels: ' + ' '.join(f'{k}={v}' for k, v in AVX2_ENV.items()))
    differ = different_videos(args.reference_data, args.data_dir)
    print('synthetic videos: ' + ('byte-identical' if not differ else
                                  f'{differ} differ'))
    print(f'{"mode":<20} {"rec. mAP":>18} {"loc. mAP avg":>18}')
    print(f'{"":<20} {"own / AVX2":>18} {"own / AVX2":>18}')
    for mode, (rec, loc) in reference.items():
        rec2, loc2 = other[mode]
        print(f'{FOCUS_MODE_NAMES.get(mode, mode):<20} '
              f'{rec:8.1f} / {rec2:<7.1f} {loc:8.1f} / {loc2:<7.1f}')
    if {'noisy', 'adaptfocus'} <= set(reference):
        gains = [
            r['adaptfocus'][0] - r['noisy'][0] for r in (reference, other)
        ]
        print('AdaptFocus - Noisy, recognition: '
              f'{gains[0]:+.1f} / {gains[1]:+.1f}')
    same = all(reference[m] == other[m] for m in reference)
    print('metrics: ' + ('identical' if same else 'not identical'))


if __name__ == '__main__':
    main()
