import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import DATASETS

from mmwsal.datasets import (ClassSplitError, load_class_split,
                             make_class_split, split_video_infos,
                             validate_class_split)
from mmwsal.datasets.annotation import subset_video_infos

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLASSES = [f'c{i}' for i in range(10)]


def test_make_class_split_is_seeded_disjoint_and_covering():
    split = make_class_split(CLASSES, num_novel=3, seed=4)
    assert len(split['novel']) == 3 and len(split['base']) == 7
    assert not set(split['base']) & set(split['novel'])
    assert set(split['base']) | set(split['novel']) == set(CLASSES)
    # annotation order inside each part
    assert split['base'] == [c for c in CLASSES if c in split['base']]
    assert make_class_split(CLASSES, 3, seed=4) == split
    others = [make_class_split(CLASSES, 3, seed=s)['novel'] for s in range(5)]
    assert any(novel != split['novel'] for novel in others)
    with pytest.raises(ValueError, match='num_novel'):
        make_class_split(CLASSES, 10)


@pytest.mark.parametrize('split, message', [
    (dict(base=CLASSES[:6], novel=CLASSES[5:]),
     r"fields 'base' and 'novel' share classes \['c5'\]"),
    (dict(base=CLASSES[:5], novel=CLASSES[6:]),
     r"leave out classes \['c5'\] of ann.json"),
    (dict(base=CLASSES[:7] + ['jump'], novel=CLASSES[7:]),
     r"field 'base': \['jump'\] are not classes of ann.json"),
    (dict(base=CLASSES, novel=[]), "field 'novel': must be a non-empty"),
    (dict(base=CLASSES[:7] + ['c0'], novel=CLASSES[7:]),
     r"field 'base': repeated classes \['c0'\]"),
    (dict(novel=CLASSES), "field 'base': must be"),
])
def test_validation_names_file_and_field(split, message):
    with pytest.raises(ClassSplitError, match=message) as info:
        validate_class_split(split, CLASSES, 'split.json', 'ann.json')
    assert str(info.value).startswith('split.json: invalid class split')


def test_load_class_split_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='make_class_split.py'):
        load_class_split(str(tmp_path / 'none.json'), CLASSES)
    bad = tmp_path / 'bad.json'
    bad.write_text('{"base": [')
    with pytest.raises(ClassSplitError, match='bad.json: not valid JSON'):
        load_class_split(str(bad), CLASSES)


def toy_annotation():
    """Classes a-d, split base {a, b} / novel {c, d}; videos of every
    kind."""
    def video(labels, subset='train'):
        return dict(subset=subset, file='x.mp4', duration=10.0, fps=1.0,
                    labels=labels,
                    segments=[dict(start=1.0, end=2.0 + k, label=k)
                              for k in labels])
    return dict(
        classes=['a', 'b', 'c', 'd'],
        videos=dict(v0=video([1]), v1=video([2]), v2=video([0, 3]),
                    v3=video([3], 'test'), v4=video([0, 1]), v5=video([])))


def test_split_video_infos_keeps_and_renumbers():
    ann = toy_annotation()
    split = dict(base=['a', 'b'], novel=['c', 'd'])
    infos = subset_video_infos(ann)
    base, dropped = split_video_infos(infos, ann['classes'], split, 'base')
    assert [i['video_id'] for i in base] == ['v0', 'v4']
    assert dropped == dict(other=2, mixed=1, unlabelled=1)
    assert base[1]['labels'] == [0, 1] and base[1]['video_index'] == 1
    np.testing.assert_array_equal(base[0]['label'], [0, 1])
    novel, _ = split_video_infos(infos, ann['classes'], split, 'novel')
    assert [i['video_id'] for i in novel] == ['v1', 'v3']
    assert novel[1]['labels'] == [1]  # d is the second novel class
    assert novel[1]['segments'] == [(1.0, 5.0, 1)]
    assert infos[1]['labels'] == [2]  # the input is left as it was


def test_dataset_reads_one_part(tmp_path):
    ann = toy_annotation()
    (tmp_path / 'feats').mkdir()
    for vid in ann['videos']:
        np.save(tmp_path / 'feats' / f'{vid}.npy', np.zeros((4, 3), 'f4'))
    (tmp_path / 'ann.json').write_text(json.dumps(ann))
    (tmp_path / 'split.json').write_text(
        json.dumps(dict(base=['a', 'b'], novel=['c', 'd'])))
    common = dict(type='ClassSplitSnippetDataset', ann_file='ann.json',
                  data_root=str(tmp_path), feature_dirs='feats', pipeline=[],
                  class_split=str(tmp_path / 'split.json'))
    base = DATASETS.build(common)
    assert base.metainfo['classes'] == ('a', 'b') and len(base) == 2
    assert base.get_data_info(0)['label'].shape == (2, )
    novel = DATASETS.build(dict(common, classes_part='novel', subset='test'))
    assert [novel.get_data_info(0)['video_id']] == ['v3']
    (tmp_path / 'split.json').write_text(
        json.dumps(dict(base=['a', 'b'], novel=['c', 'e'])))
    with pytest.raises(ClassSplitError, match=r"'novel': \['e'\]"):
        DATASETS.build(common)


def test_make_class_split_tool(tmp_path, capsys):
    ann_file = tmp_path / 'ann.json'
    ann_file.write_text(json.dumps(toy_annotation()))
    spec = importlib.util.spec_from_file_location(
        'make_class_split', osp.join(REPO, 'tools/data/make_class_split.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path / 'split.json'
    tool.main([str(ann_file), '--num-novel', '2', '--seed', '1', '--out',
               str(out)])
    split = load_class_split(str(out), ['a', 'b', 'c', 'd'])
    assert split == make_class_split(['a', 'b', 'c', 'd'], 2, seed=1)
    assert 'wrote' in capsys.readouterr().out
    with pytest.raises(SystemExit, match='--overwrite'):
        tool.main([str(ann_file), '--out', str(out)])
