"""Per-video snippet features with video-level labels, for WS-TAL."""
import json
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.registry import DATASETS
from mmengine.dataset import BaseDataset

from .annotation import load_annotation, subset_video_infos
from .background_clicks import simulate_clicks, video_rng
from .video_selection import (check_heldout, dataset_name, drop_missing,
                              renumber, take_heldout_part)

MANIFEST = 'manifest.json'


def stride_seconds(entry: Optional[Dict]) -> Optional[float]:
    """Seconds between snippet starts from a video's manifest entry, or
    None without one (or when a video shorter than one snippet has stride
    0: its snippets loop), where ``duration / T`` is the best estimate."""
    stride = float((entry or {}).get('snippet_stride') or 0)
    return stride / float(entry['fps']) if stride > 0 else None


def load_feature_manifest(feature_dir: str) -> Dict[str, Dict]:
    """Per-video entries of ``feature_dir/manifest.json``, or ``{}``.

    The manifest is written by ``tools/extract_features.py``; features from
    elsewhere (e.g. the public I3D features of THUMOS14) come without one.

    Args:
        feature_dir (str): A directory of ``<video_id>.npy`` files.

    Returns:
        dict: Video id to its entry (``num_snippets``, ``fps``,
        ``snippet_stride``, ...).
    """
    path = osp.join(feature_dir, MANIFEST)
    if not osp.isfile(path):
        return {}
    with open(path, encoding='utf-8') as f:
        try:
            manifest = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{path}: not valid JSON: {e}') from e
    videos = manifest.get('videos') if isinstance(manifest, dict) else None
    if not isinstance(videos, dict):
        raise ValueError(f'{path}: field "videos" must be an object of '
                         'video id to entry')
    return videos


@DATASETS.register_module()
class SnippetFeatureDataset(BaseDataset):
    """Videos as sequences of snippet features ``(T, C)``, one ``.npy`` per
    video, with labels from the unified annotation.

    Features come from ``tools/extract_features.py`` or any per-video
    ``<video_id>.npy`` of shape ``(T, C)``. Several ``feature_dirs`` (e.g.
    RGB and optical flow) are concatenated along ``C`` by
    :class:`LoadSnippetFeatures`.

    Each data info holds ``video_id``, ``video_index`` (0..N-1 over the
    videos kept, in sorted id order, as in :class:`LongVideoDataset`: a
    video left out takes no index), ``subset``,
    ``label`` (multi-hot float32), ``labels``, ``duration``, ``fps``,
    ``segments``, ``background_clicks`` (seconds), ``feature_paths`` and
    ``snippet_stride_seconds``: seconds between snippet starts when the
    feature manifest says it (``snippet_stride / fps``), else None, and then
    :class:`LoadSnippetFeatures` takes ``duration / T``.

    Args:
        ann_file (str): The unified annotation JSON.
        pipeline (list[dict | callable]): Data transforms.
        feature_dirs (str | Sequence[str]): Directories of ``<video_id>.npy``
            files, relative to ``data_root`` when it is given.
        subset (str | Sequence[str], optional): Subsets to keep; None keeps
            every video. Defaults to None.
        heldout (dict, optional): ``dict(ratio=0.1, seed=0, part='train')``
            keeps the videos outside a seeded held-out split of the
            subset(s), ``part='val'`` the held-out ones, as in
            :class:`LongVideoDataset`. Defaults to None (no split).
        check_files (bool): Check at start-up that every selected video has
            its feature file in each of ``feature_dirs``. Defaults to True.
        missing_videos (str): What the start-up check does with a video
            whose feature file is missing (features exist only for the
            videos one could extract): ``'error'`` raises, naming the count
            and the first files; ``'skip'`` leaves the video out with a
            warning naming them. Defaults to ``'error'``.
        simulate_clicks (bool): Replace ``background_clicks`` by one click
            on a random frame of every background stretch between the
            ground-truth segments (for datasets without human clicks; reads
            ``segments``), seeded by ``click_seed`` and the video id.
            Defaults to False: the annotation's clicks, if any.
        click_seed (int): Seed of the simulated clicks. Defaults to 0.
        data_root (str): Prefix of ``feature_dirs``. Defaults to ''.
        test_mode (bool): Defaults to False.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 feature_dirs: Union[str, Sequence[str]],
                 subset: Optional[Union[str, Sequence[str]]] = None,
                 heldout: Optional[Dict] = None,
                 check_files: bool = True,
                 missing_videos: str = 'error',
                 simulate_clicks: bool = False,
                 click_seed: int = 0,
                 data_root: str = '',
                 test_mode: bool = False,
                 **kwargs) -> None:
        if isinstance(feature_dirs, str):
            feature_dirs = [feature_dirs]
        if not feature_dirs:
            raise ValueError('SnippetFeatureDataset needs at least one entry '
                             'in feature_dirs')
        self.feature_dirs = [osp.join(data_root, d) for d in feature_dirs]
        self.subset = [subset] if isinstance(subset, str) else subset
        self.heldout = check_heldout(heldout,
                                     f'{ann_file}: {dataset_name(self)}')
        self.heldout_split: Optional[Dict] = None
        self.check_files = check_files
        self.missing_videos = missing_videos
        self.missing: List[Dict] = []
        self.simulate_clicks = simulate_clicks
        self.click_seed = click_seed
        super().__init__(
            ann_file=ann_file,
            pipeline=pipeline,
            data_root=data_root,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[Dict]:
        ann = load_annotation(self.ann_file)
        self._metainfo['classes'] = tuple(ann['classes'])
        self.num_classes = len(ann['classes'])
        manifest = load_feature_manifest(self.feature_dirs[0])
        data_list = subset_video_infos(ann, self.subset, self.ann_file)
        data_list, self.heldout_split = take_heldout_part(
            data_list, self.heldout, self.ann_file, self.subset)
        for info in data_list:
            info.pop('ann_info')
            vid = info['video_id']
            if self.simulate_clicks:
                info['background_clicks'] = simulate_clicks(
                    info['segments'], info['duration'], info['fps'],
                    video_rng(self.click_seed, vid))
            info['feature_paths'] = [
                osp.join(d, f'{vid}.npy') for d in self.feature_dirs
            ]
            info['snippet_stride_seconds'] = stride_seconds(manifest.get(vid))
        if self.check_files:
            data_list, self.missing = drop_missing(
                data_list, lambda info: info['feature_paths'],
                self.missing_videos, self.ann_file, 'feature',
                dataset_name(self))
        return renumber(data_list)
