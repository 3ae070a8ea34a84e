"""The dataset of long untrimmed videos with video-level labels."""
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .annotation import load_annotation, subset_video_infos
from .video_reader import VideoReadError


@DATASETS.register_module()
class LongVideoDataset(BaseActionDataset):
    """Long videos in the unified annotation format (see
    :mod:`mmwsal.datasets.annotation`).

    Each item is one video. Its data info holds:

    - ``filename``, ``video_id``, ``subset``
    - ``video_index``: a stable integer, the position of the video among the
      sorted ids of the selected subset(s). Per-video state such as the
      AdaptFocus estimates is indexed by it.
    - ``label``: multi-hot float32 array of the video-level labels, and
      ``labels``: the same as a list of class indices.
    - ``duration``, ``fps``, ``total_frames`` (as the annotation states them;
      the loading transforms read the real count from the video).
    - ``segments``: ``(start, end, label)`` tuples, for evaluation and the
      oracle "Full (Clean)" baseline only; weak training never reads them.

    A video that cannot be read is reported once (per dataloader worker) and
    replaced by another sample for the rest of training; in test mode it
    raises an error naming the file.

    Args:
        ann_file (str): Path of the unified annotation JSON.
        pipeline (list[dict | callable]): Data transforms.
        data_prefix (dict): ``dict(video=root)``, the directory that the
            ``file`` fields are relative to. Defaults to ``dict(video='')``.
        subset (str | Sequence[str], optional): Subset(s) to keep, e.g.
            ``'train'``. None keeps every video. Defaults to None.
        check_files (bool): Check at start-up that every video file exists
            and fail naming the missing ones. Defaults to True.
        test_mode (bool): Defaults to False.
        **kwargs: Passed to :class:`BaseActionDataset`.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[Dict, Callable]],
                 data_prefix: Dict = dict(video=''),
                 subset: Optional[Union[str, Sequence[str]]] = None,
                 check_files: bool = True,
                 test_mode: bool = False,
                 **kwargs) -> None:
        self.subset = [subset] if isinstance(subset, str) else subset
        self.check_files = check_files
        self._bad_videos = set()
        super().__init__(
            ann_file,
            pipeline=pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self) -> List[Dict]:
        root = self.data_prefix.get('video', '')
        ann = load_annotation(
            self.ann_file, video_root=root if self.check_files else None)
        self._metainfo['classes'] = tuple(ann['classes'])
        self.num_classes = len(ann['classes'])
        data_list = subset_video_infos(ann, self.subset, self.ann_file)
        for info in data_list:
            raw = info.pop('ann_info')
            info['filename'] = osp.join(root, raw['file'])
            info['total_frames'] = int(round(info['duration'] * info['fps']))
        return data_list

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
            print_log(
                f'Skipping unreadable video {e.filename} ({e.reason}); it '
                'is replaced by another sample for the rest of training.',
                logger='current',
                level=30)
            return None

    @property
    def bad_videos(self) -> List[str]:
        """Files found unreadable so far in this process."""
        return sorted(self.get_data_info(i)['filename']
                      for i in self._bad_videos)
