"""Snippet features of the base or the novel classes of a class split."""
from typing import Dict, List

from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .class_split import PARTS, load_class_split, split_video_infos
from .snippet_feature_dataset import SnippetFeatureDataset


@DATASETS.register_module()
class ClassSplitSnippetDataset(SnippetFeatureDataset):
    """A :class:`SnippetFeatureDataset` restricted to one part of a
    base / novel class split (see :mod:`mmwsal.datasets.class_split`).

    Only videos whose labels are all classes of ``classes_part`` are kept
    (videos with labels of both parts, or none, are left out and counted in
    the log); labels are renumbered to the part's classes, so the base part
    trains an ``N_base``-way classifier, and ``metainfo['classes']`` names
    them. The split file is checked against the annotation on load.

    Args:
        class_split (str): The split JSON, e.g. written by
            ``tools/data/make_class_split.py``.
        classes_part (str): ``'base'`` (training) or ``'novel'`` (episodes).
            Defaults to ``'base'``.
        **kwargs: Arguments of :class:`SnippetFeatureDataset`.
    """

    def __init__(self,
                 class_split: str,
                 classes_part: str = 'base',
                 **kwargs) -> None:
        if classes_part not in PARTS:
            raise ValueError(f'classes_part must be one of {PARTS}, got '
                             f'{classes_part!r}')
        self.class_split_file = class_split
        self.classes_part = classes_part
        super().__init__(**kwargs)

    def load_data_list(self) -> List[Dict]:
        data_list = super().load_data_list()
        classes = self._metainfo['classes']
        self.class_split = load_class_split(self.class_split_file, classes,
                                            self.ann_file)
        data_list, dropped = split_video_infos(data_list, classes,
                                               self.class_split,
                                               self.classes_part)
        if not data_list:
            raise ValueError(
                f'{self.ann_file}: no video of subset {self.subset} has '
                f'labels of the {self.classes_part} classes of '
                f'{self.class_split_file} only')
        names = self.class_split[self.classes_part]
        self._metainfo['classes'] = tuple(names)
        self.num_classes = len(names)
        print_log(
            f'{self.__class__.__name__}: {len(data_list)} videos of the '
            f'{len(names)} {self.classes_part} classes of '
            f'{self.class_split_file}; left out: {dropped["other"]} of the '
            f'other classes, {dropped["mixed"]} with both, '
            f'{dropped["unlabelled"]} unlabelled',
            logger='current')
        return data_list
