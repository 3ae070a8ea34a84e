"""Disjoint base / novel class splits for annotation-efficient recognition.

A split is a JSON file saved with the experiment::

    {"seed": 0, "base": ["name", ...], "novel": ["name", ...]}

Classes are named, not indexed, so that a split stays valid whatever the
order of ``classes`` in the annotation; both lists keep the annotation's
order, and a class's index among the base (novel) classes is its position in
``base`` (``novel``). Base-class training reads the videos whose labels are
all base classes; novel-class episodes read those whose labels are all novel
classes. A video with labels of both parts belongs to neither: its novel
action would be unlabelled foreground in a base video, and the two datasets
of the problem setting are disjoint.
"""
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from mmwsal.utils import dump_json_atomic

PARTS = ('base', 'novel')


class ClassSplitError(ValueError):
    """A class split file is malformed or does not fit its annotation; the
    message names the file and the field."""


def make_class_split(classes: Sequence[str], num_novel: int,
                     seed: int = 0) -> Dict:
    """Choose ``num_novel`` novel classes at random, the rest are base.

    Args:
        classes (Sequence[str]): The annotation's class names.
        num_novel (int): Number of novel classes, e.g. 20 of ActivityNet
            1.2's 100 or 40 of 1.3's 200.
        seed (int): Seed of the choice. Defaults to 0.

    Returns:
        dict: ``seed``, ``base`` and ``novel`` name lists in annotation order.
    """
    classes = list(classes)
    if not 0 < num_novel < len(classes):
        raise ValueError(f'num_novel must be in [1, {len(classes) - 1}] for '
                         f'{len(classes)} classes, got {num_novel}')
    novel = set(np.random.default_rng(seed).permutation(
        len(classes))[:num_novel].tolist())
    return dict(
        seed=int(seed),
        base=[c for i, c in enumerate(classes) if i not in novel],
        novel=[c for i, c in enumerate(classes) if i in novel])


def validate_class_split(split: Dict, classes: Sequence[str],
                         source: str = '<class split>',
                         ann_source: str = '<annotation>') -> None:
    """Check that ``split`` has disjoint ``base`` and ``novel`` lists of
    class names that together cover ``classes``.

    Raises:
        ClassSplitError: Naming ``source``, the field and the classes.
    """
    if not isinstance(split, dict):
        raise ClassSplitError(f'{source}: must be a JSON object with fields '
                              '"base" and "novel"')
    errors = []
    known = set(classes)
    for part in PARTS:
        names = split.get(part)
        if not isinstance(names, list) or not names or not all(
                isinstance(c, str) for c in names):
            errors.append(f"field '{part}': must be a non-empty list of "
                          f'class names, got {names!r}')
            continue
        repeated = sorted({c for c in names if names.count(c) > 1})
        if repeated:
            errors.append(f"field '{part}': repeated classes {repeated}")
        unknown = [c for c in names if c not in known]
        if unknown:
            errors.append(f"field '{part}': {unknown[:10]} are not classes "
                          f'of {ann_source}')
    if not errors:
        both = sorted(set(split['base']) & set(split['novel']))
        if both:
            errors.append(f"fields 'base' and 'novel' share classes {both}: "
                          'they must be disjoint')
        missing = [c for c in classes
                   if c not in split['base'] and c not in split['novel']]
        if missing:
            errors.append(f"fields 'base' and 'novel' leave out classes "
                          f'{missing[:10]} of {ann_source}')
    if errors:
        raise ClassSplitError(f'{source}: invalid class split:\n  ' +
                              '\n  '.join(errors))


def load_class_split(path: str, classes: Sequence[str],
                     ann_source: str = '<annotation>') -> Dict:
    """Load a split file and validate it against the annotation's
    ``classes`` (see :func:`validate_class_split`)."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'class split {path} does not exist; write one with '
            'tools/data/make_class_split.py')
    with open(path, encoding='utf-8') as f:
        try:
            split = json.load(f)
        except json.JSONDecodeError as e:
            raise ClassSplitError(f'{path}: not valid JSON: {e}') from e
    validate_class_split(split, classes, path, ann_source)
    return split


def dump_class_split(split: Dict, path: str, classes: Sequence[str]) -> None:
    """Validate ``split`` against ``classes`` and write it atomically."""
    validate_class_split(split, classes, path)
    dump_json_atomic(split, path)


def split_video_infos(infos: List[Dict], classes: Sequence[str],
                      split: Dict, part: str) -> Tuple[List[Dict], Dict]:
    """Keep the videos whose labels are all of ``part``, with labels,
    multi-hot ``label`` and segment labels renumbered to the part's classes
    and ``video_index`` renumbered from 0.

    Args:
        infos (list[dict]): Data infos of :func:`subset_video_infos`.
        classes (Sequence[str]): The annotation's class names.
        split (dict): A validated split.
        part (str): ``'base'`` or ``'novel'``.

    Returns:
        tuple[list[dict], dict]: The kept infos and the counts of the
        videos left out: ``other`` (labels of the other part only),
        ``mixed`` (labels of both parts) and ``unlabelled``.
    """
    if part not in PARTS:
        raise ValueError(f'part must be one of {PARTS}, got {part!r}')
    position = {name: i for i, name in enumerate(split[part])}
    to_part = {
        i: position[name]
        for i, name in enumerate(classes) if name in position
    }
    kept, dropped = [], dict(other=0, mixed=0, unlabelled=0)
    for info in infos:
        labels = info['labels']
        inside = [label in to_part for label in labels]
        if not labels:
            dropped['unlabelled'] += 1
        elif not any(inside):
            dropped['other'] += 1
        elif not all(inside):
            dropped['mixed'] += 1
        else:
            info = dict(info)
            info['labels'] = [to_part[label] for label in labels]
            info['label'] = np.zeros(len(position), dtype=np.float32)
            info['label'][info['labels']] = 1.
            info['segments'] = [(s, e, to_part[label])
                                for s, e, label in info['segments']]
            info['video_index'] = len(kept)
            kept.append(info)
    return kept, dropped
