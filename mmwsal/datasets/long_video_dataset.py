"""The dataset of long untrimmed videos with video-level labels."""
import logging
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.dist import get_rank
from mmengine.logging import print_log

from .annotation import load_annotation, subset_video_infos
from .skip_records import claim_skip_record, default_skip_record_dir
from .video_reader import VideoReadError
from .video_selection import (check_heldout, dataset_name, drop_missing,
                              renumber, take_heldout_part)


@DATASETS.register_module()
class LongVideoDataset(BaseActionDataset):
    """Long videos in the unified annotation format (see
    :mod:`mmwsal.datasets.annotation`).

    Each item is one video. Its data info holds:

    - ``filename``, ``video_id``, ``subset``
    - ``video_index``: the position of the video among the sorted ids of the
      videos this dataset keeps (its subset(s), its ``heldout`` part, and
      the files present when ``missing_videos='skip'``), so 0..N-1. Per-video
      state such as the AdaptFocus estimates is indexed by it, and must have
      a slot for every video trained on and for none other: a skipped video
      takes no index. It is the same for every launch that keeps the same
      videos; resuming with other files present shifts it, and the
      AdaptFocus layout check names the difference.
    - ``label``: multi-hot float32 array of the video-level labels, and
      ``labels``: the same as a list of class indices.
    - ``duration``, ``fps``, ``total_frames`` (as the annotation states them;
      the loading transforms read the real count from the video).
    - ``segments``: ``(start, end, label)`` tuples, for evaluation and the
      oracle "Full (Clean)" baseline only; weak training never reads them.

    A video that cannot be read during training is replaced by another
    sample for the rest of training and reported once per run: the first
    process (dataloader worker, rank) to meet it writes a record in
    ``skip_record_dir`` and logs a warning, and :class:`SkippedVideosHook`
    lists every record at the end of training. In test mode it raises an
    error naming the file.

    Args:
        ann_file (str): Path of the unified annotation JSON.
        pipeline (list[dict | callable]): Data transforms.
        data_prefix (dict): ``dict(video=root)``, the directory that the
            ``file`` fields are relative to. Defaults to ``dict(video='')``.
        subset (str | Sequence[str], optional): Subset(s) to keep, e.g.
            ``'train'``. None keeps every video. Defaults to None.
        heldout (dict, optional): ``dict(ratio=0.1, seed=0, part='train')``
            keeps the videos of the subset(s) outside a seeded held-out
            split, ``part='val'`` the held-out ones (see
            :func:`mmwsal.datasets.video_selection.heldout_ids`): train on
            one and validate on the other with the same ratio and seed.
            The split is made on the annotated ids before any missing file
            is left out. Defaults to None (no split).
        check_files (bool): Check at start-up that the video file of every
            selected video exists. Defaults to True.
        missing_videos (str): What the start-up check does with missing
            files: ``'error'`` raises, naming their count and the first
            paths; ``'skip'`` leaves those videos out with a warning that
            names them (e.g. for an ActivityNet download that lacks the
            videos no longer online). Defaults to ``'error'``.
        skip_record_dir (str, optional): Where training records unreadable
            videos. Defaults to None: ``skipped_videos/`` beside the current
            MMLogger's log file, which for a dataset the Runner builds is
            its ``log_dir`` (the same on every rank); without a log file no
            records are kept and each process reports on its own.
        test_mode (bool): Defaults to False.
        **kwargs: Passed to :class:`BaseActionDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 data_prefix: Dict = dict(video=''),
                 subset: Optional[Union[str, Sequence[str]]] = None,
                 heldout: Optional[Dict] = None,
                 check_files: bool = True,
                 missing_videos: str = 'error',
                 skip_record_dir: Optional[str] = None,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.subset = [subset] if isinstance(subset, str) else subset
        self.heldout = check_heldout(heldout,
                                     f'{ann_file}: {dataset_name(self)}')
        self.heldout_split: Optional[Dict] = None
        self.check_files = check_files
        self.missing_videos = missing_videos
        self.missing: List[Dict] = []
        self.skip_record_dir = skip_record_dir or default_skip_record_dir()
        self._rank = get_rank()
        self._bad_videos = set()
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[Dict]:
        root = self.data_prefix.get('video', '')
        ann = load_annotation(self.ann_file)
        self._metainfo['classes'] = tuple(ann['classes'])
        self.num_classes = len(ann['classes'])
        data_list = subset_video_infos(ann, self.subset, self.ann_file)
        data_list, self.heldout_split = take_heldout_part(
            data_list, self.heldout, self.ann_file, self.subset)
        for info in data_list:
            raw = info.pop('ann_info')
            info['filename'] = osp.join(root, raw['file'])
            info['total_frames'] = int(round(info['duration'] * info['fps']))
        if self.check_files:
            data_list, self.missing = drop_missing(
                data_list, lambda info: [info['filename']],
                self.missing_videos, self.ann_file, 'video',
                dataset_name(self))
        return renumber(data_list)

    def get_data_info(self, idx: int) -> Dict:
        # BaseActionDataset would turn `label` into a one-hot of a single
        # class index; ours is multi-hot already.
        data_info = super(BaseActionDataset, self).get_data_info(idx)
        data_info['modality'] = self.modality
        data_info['start_index'] = self.start_index
        return data_info

    def prepare_data(self, idx: int):
        """Run the pipeline; a video that cannot be read returns None in
        training (so that mmengine draws another sample) and raises in test
        mode."""
        if idx in self._bad_videos:
            return None
        try:
            return super().prepare_data(idx)
        except VideoReadError as e:
            if self.test_mode:
                raise
            self._bad_videos.add(idx)
            self._report_unreadable(idx, e)
            return None

    def _report_unreadable(self, idx: int, error: VideoReadError) -> None:
        video_id = self.get_data_info(idx)['video_id']
        if self.skip_record_dir is not None and not claim_skip_record(
                self.skip_record_dir,
                dict(
                    video_id=video_id,
                    file=error.filename,
                    reason=error.reason,
                    rank=self._rank)):
            return  # another worker or rank of this run reported it
        print_log(
            f'{self.ann_file}: skipping unreadable video {video_id!r} '
            f'(file {error.filename}: {error.reason}); it is replaced by '
            'another sample for the rest of training.',
            logger='current',
            level=logging.WARNING)

    @property
    def bad_videos(self) -> List[str]:
        """Files found unreadable so far in this process."""
        return sorted(
            self.get_data_info(i)['filename'] for i in self._bad_videos)
