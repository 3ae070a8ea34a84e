"""Put the table and figures of a ``make demo`` run into README.md.

The README shows what the demo prints: this copies the run's
``summary.md`` (the table, and the recognition mAP of each seed where the
run has more than one) between the README's demo-table markers, and its
figures (``tools/visualize.py pipeline``) to ``docs/figures/``::

    make demo
    python tools/readme_demo.py work_dirs/demo
"""
import argparse
import glob
import os.path as osp
import shutil
import sys

from mmwsal.utils import atomic_open

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
BEGIN = '<!-- demo table: written by tools/readme_demo.py -->'
END = '<!-- end of demo table -->'
# README figure -> the run's figure it is (glob under WORK_DIR/figures).
FIGURES = {
    'demo_scores.png': 'scores_*.png',
    'demo_localization_adaptfocus.png': 'localization_adaptfocus_*.png',
}


def replace_table(readme: str, table: str, path: str = 'README.md') -> str:
    """``readme`` with the text between the markers replaced by
    ``table``."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ValueError(f'{path} must hold the markers {BEGIN!r} and '
                         f'{END!r} once each')
    head, rest = readme.split(BEGIN)
    _, tail = rest.split(END)
    return f'{head}{BEGIN}\n{table.strip()}\n{END}{tail}'


def run_figures(work_dir: str) -> dict:
    """README figure name -> the run's figure, one each."""
    found = {}
    for name, pattern in FIGURES.items():
        paths = sorted(glob.glob(osp.join(work_dir, 'figures', pattern)))
        if len(paths) != 1:
            raise FileNotFoundError(
                f'{work_dir}/figures holds {len(paths)} files {pattern} (one '
                f'expected); run `python tools/visualize.py pipeline '
                f'{work_dir}` first')
        found[name] = paths[0]
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='the work dir of the demo run')
    parser.add_argument('--readme', default=osp.join(REPO, 'README.md'))
    parser.add_argument(
        '--figure-dir', default=osp.join(REPO, 'docs', 'figures'))
    args = parser.parse_args(argv)
    summary = osp.join(args.work_dir, 'summary.md')
    if not osp.isfile(summary):
        sys.exit(f'{summary} is missing: run the demo first')
    figures = run_figures(args.work_dir)
    with open(summary, encoding='utf-8') as f:
        table = f.read()
    with open(args.readme, encoding='utf-8') as f:
        readme = replace_table(f.read(), table, args.readme)
    with atomic_open(args.readme, encoding='utf-8') as f:
        f.write(readme)
    for name, path in figures.items():
        shutil.copyfile(path, osp.join(args.figure_dir, name))
    print(f'{args.readme}: table of {summary}; '
          f'{len(figures)} figures into {args.figure_dir}')


if __name__ == '__main__':
    main()
