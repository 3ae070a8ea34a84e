"""Which videos of a subset a dataset keeps: the held-out part and the
videos whose files are missing.

A long-video or snippet-feature dataset selects its videos in this order:

1. the ``subset`` (see :func:`subset_video_infos`), in sorted id order;
2. one part of a seeded held-out split of those ids (:func:`heldout_ids`),
   when the dataset has a ``heldout`` option; the split is computed on the
   annotation's ids, not on the files present, so a video's part does not
   depend on which other videos a user has downloaded;
3. the videos whose files exist, when ``missing_videos='skip'``
   (:func:`drop_missing`).

Then ``video_index`` numbers the kept videos 0..N-1 in sorted id order
(:func:`renumber`).
"""
import hashlib
import logging
import numbers
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from mmengine.logging import print_log

from mmwsal.utils import name_some

HELDOUT_PARTS = ('train', 'val')
MISSING_POLICIES = ('error', 'skip')
# How many missing paths a report names; the count is always given.
MAX_SHOWN = 10


def dataset_name(dataset) -> str:
    """``LongVideoDataset(subset=['train'])``: a dataset in messages."""
    return f'{type(dataset).__name__}(subset={dataset.subset})'


def heldout_ids(video_ids: Sequence[str],
                ratio: float,
                seed: int = 0) -> List[str]:
    """The ids a seeded held-out split sets aside for validation.

    Each id is ranked by the SHA-256 of ``f'{seed}:{id}'`` and the first
    ``round(ratio * N)`` (at least 1, at most N - 1) are held out. The
    result depends only on the set of ids and the seed, not on their order;
    adding or removing one id moves at most one other id between the parts.

    Args:
        video_ids (Sequence[str]): The ids to split (e.g. a subset's).
        ratio (float): Share of the ids held out, in (0, 1).
        seed (int): Seed of the split. Defaults to 0.

    Returns:
        list[str]: The held-out ids, sorted.
    """
    ids = sorted(set(video_ids))
    if len(ids) < 2:
        raise ValueError(f'a held-out split needs at least 2 videos, got '
                         f'{len(ids)}')
    num = min(len(ids) - 1, max(1, int(ratio * len(ids) + 0.5)))

    def rank(vid: str) -> Tuple[str, str]:
        digest = hashlib.sha256(f'{seed}:{vid}'.encode('utf-8')).hexdigest()
        return digest, vid

    return sorted(sorted(ids, key=rank)[:num])


def check_heldout(heldout: Optional[Dict],
                  source: str = '<dataset>') -> Optional[Dict]:
    """Validate a dataset's ``heldout`` option and fill its defaults.

    Args:
        heldout (dict, optional): ``dict(ratio, seed=0, part)``, ``part``
            one of ``'train'`` (the videos not held out) or ``'val'`` (the
            held-out videos). None: no split.
        source (str): What the option belongs to, for error messages.

    Returns:
        dict | None: ``dict(ratio=float, seed=int, part=str)`` or None.
    """
    if heldout is None:
        return None
    if not isinstance(heldout, dict):
        raise TypeError(f'{source}: heldout must be a dict(ratio=..., '
                        f'seed=..., part=...), got {heldout!r}')
    unknown = sorted(set(heldout) - {'ratio', 'seed', 'part'})
    if unknown:
        raise ValueError(f'{source}: heldout has unknown keys {unknown}; it '
                         'takes ratio, seed and part')
    ratio, seed = heldout.get('ratio'), heldout.get('seed', 0)
    part = heldout.get('part')
    if (not isinstance(ratio, numbers.Real) or isinstance(ratio, bool)
            or not 0 < ratio < 1):
        raise ValueError(f'{source}: heldout.ratio must be a number in '
                         f'(0, 1), got {ratio!r}')
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise ValueError(f'{source}: heldout.seed must be an integer, got '
                         f'{seed!r}')
    if part not in HELDOUT_PARTS:
        raise ValueError(f'{source}: heldout.part must be one of '
                         f'{HELDOUT_PARTS}, got {part!r}')
    return dict(ratio=float(ratio), seed=int(seed), part=part)


def take_heldout_part(
        infos: List[Dict], heldout: Optional[Dict], ann_file: str,
        subset: Optional[Sequence[str]]) -> Tuple[List[Dict], Optional[Dict]]:
    """Keep one part of the held-out split of ``infos``.

    Args:
        infos (list[dict]): Data infos with ``video_id``.
        heldout (dict, optional): A checked option (:func:`check_heldout`).
        ann_file (str): The annotation, recorded with the split.
        subset (Sequence[str], optional): The subsets ``infos`` come from.

    Returns:
        tuple[list[dict], dict | None]: The infos of the part, and the split
        (``ann_file``, ``subset``, ``ratio``, ``seed`` and ``videos``: the
        held-out ids), None without ``heldout``.
    """
    if heldout is None:
        return infos, None
    try:
        held = heldout_ids([info['video_id'] for info in infos],
                           heldout['ratio'], heldout['seed'])
    except ValueError as e:
        raise ValueError(f'{ann_file}: subset {subset}: {e}') from e
    held_set = set(held)
    want = heldout['part'] == 'val'
    kept = [info for info in infos if (info['video_id'] in held_set) == want]
    split = dict(
        ann_file=ann_file,
        subset=None if subset is None else list(subset),
        ratio=heldout['ratio'],
        seed=heldout['seed'],
        videos=held)
    return kept, split


def drop_missing(infos: List[Dict], paths: Callable[[Dict], List[str]],
                 policy: str, source: str, what: str,
                 owner: str) -> Tuple[List[Dict], List[Dict]]:
    """Find the videos whose files are missing; stop or leave them out.

    Args:
        infos (list[dict]): Data infos with ``video_id``.
        paths (callable): The files a video needs, from its info.
        policy (str): ``'error'`` (raise, naming the files) or ``'skip'``
            (leave the videos out, with a warning naming the count and the
            first files).
        source (str): The annotation file, for messages.
        what (str): What the files are, e.g. ``'video'``, ``'feature'``.
        owner (str): The dataset, e.g.
            ``"LongVideoDataset(subset=['train'])"``.

    Returns:
        tuple[list[dict], list[dict]]: The kept infos, and one
        ``dict(video_id, files)`` per video left out.
    """
    if policy not in MISSING_POLICIES:
        raise ValueError(f'{owner}: missing_videos must be one of '
                         f'{MISSING_POLICIES}, got {policy!r}')
    kept, missing = [], []
    for info in infos:
        absent = [p for p in paths(info) if not osp.isfile(p)]
        if absent:
            missing.append(dict(video_id=info['video_id'], files=absent))
        else:
            kept.append(info)
    if not missing:
        return infos, missing
    files = [p for m in missing for p in m['files']]
    summary = (f'{source}: {owner}: {len(missing)} of {len(infos)} videos '
               f'have missing {what} files ({len(files)} files): '
               f'{name_some(files, MAX_SHOWN)}')
    if policy == 'error':
        raise FileNotFoundError(
            f"{summary}. Set missing_videos='skip' to train and test on the "
            'videos that exist.')
    if not kept:
        raise FileNotFoundError(f'{summary}: none is left')
    print_log(
        f'{summary}. They are left out (missing_videos=\'skip\'); '
        f'{len(kept)} videos remain.',
        logger='current',
        level=logging.WARNING)
    return kept, missing


def renumber(infos: List[Dict]) -> List[Dict]:
    """Set ``video_index`` to 0..N-1 in the order of ``infos``."""
    for index, info in enumerate(infos):
        info['video_index'] = index
    return infos
