"""Write snippet features with action-context confusion and their unified
annotation (:func:`mmwsal.datasets.generate_context_features`; every
argument of it is an option here, with its default).

Example::

    python tools/data/make_context_features.py --out-dir data/context \
        --num-classes 12 --scene-strength 0

then ``benchmarks/wstal_synthetic.py --feature-dir data/context/features
--ann-file data/context/annotations.json``.
"""
import argparse
import inspect

from mmwsal.datasets import generate_context_features


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write snippet features whose background carries the '
        'context (scene) of their classes, in the unified annotation '
        'format.')
    parser.add_argument('--out-dir', required=True)
    parameters = inspect.signature(generate_context_features).parameters
    for name, parameter in parameters.items():
        if parameter.default is inspect.Parameter.empty:
            continue
        parser.add_argument(
            '--' + name.replace('_', '-'),
            type=type(parameter.default),
            default=parameter.default,
            help=f'default {parameter.default}')
    return parser.parse_args(argv)


def main(argv=None):
    args = vars(parse_args(argv))
    ann_file, feature_dir = generate_context_features(**args)
    print(f'wrote {ann_file} and {feature_dir}/')


if __name__ == '__main__':
    main()
