import copy
import json

import pytest

from mmwsal.datasets.annotation import (MAX_REPORTED_ERRORS, AnnotationError,
                                        dump_annotation, load_annotation,
                                        validate_annotation)

GOOD = {
    'classes': ['jump', 'run'],
    'videos': {
        'v1': {
            'subset': 'train', 'file': 'v1.mp4', 'duration': 30.0,
            'fps': 24.0, 'labels': [0, 1],
            'segments': [{'start': 0.0, 'end': 30.0, 'label': 1},
                         {'start': 3.0, 'end': 3.0, 'label': 0}],
            'background_clicks': [0.0, 12.5],
            'ambiguous': [{'start': 5.0, 'end': 6.0}]
        },
        'v2': {'subset': 'test', 'file': 'd/v2.mp4', 'duration': 5,
               'fps': 30, 'labels': []},
    }
}


def broken(edit):
    ann = copy.deepcopy(GOOD)
    edit(ann)
    return ann


def test_good_annotation_passes():
    validate_annotation(GOOD)


CASES = [
    (lambda a: a.pop('classes'), "field 'classes' is missing"),
    (lambda a: a.update(classes=['a', 'a']), 'repeated names'),
    (lambda a: a.update(classes='ab'), 'list of non-empty class names'),
    (lambda a: a.update(videos=[]), "'videos': must be an object"),
    (lambda a: a['videos'].update(v3=[1]), "video 'v3'.*must be an object"),
    (lambda a: a['videos']['v1'].pop('fps'), "video 'v1': field 'fps': is "
     'missing'),
    (lambda a: a['videos']['v1'].update(label=[0]),
     "field 'label': is not a field"),
    (lambda a: a['videos']['v1'].update(subset=''), "'subset'"),
    (lambda a: a['videos']['v1'].update(file=None), "'file'"),
    (lambda a: a['videos']['v1'].update(duration=0), "'duration': must be "
     'a positive number'),
    (lambda a: a['videos']['v1'].update(fps='24'), "'fps'"),
    (lambda a: a['videos']['v1'].update(labels=3), "'labels': must be a list"),
    (lambda a: a['videos']['v1'].update(labels=[0, 2]),
     "'labels\\[1\\]': 2 is not a class index.*no class"),
    (lambda a: a['videos']['v1'].update(labels=[0, True]),
     "'labels\\[1\\]'"),
    (lambda a: a['videos']['v1'].update(labels=[0, 1, 1]), 'repeated'),
    (lambda a: a['videos']['v1'].update(segments={}),
     "'segments': must be a list"),
    (lambda a: a['videos']['v1']['segments'].append({'start': 1.0}),
     "'segments\\[2\\]': must be"),
    (lambda a: a['videos']['v1']['segments'][0].update(end=30.5),
     "'segments\\[0\\]': \\[0.0, 30.5\\] is outside the video \\[0, 30.0\\]"),
    (lambda a: a['videos']['v1']['segments'][0].update(start=-1.0),
     'outside the video'),
    (lambda a: a['videos']['v1']['segments'][0].update(start=20.0, end=10.),
     'start 20.0 is after end 10.0'),
    (lambda a: a['videos']['v1']['segments'][0].update(start='a'),
     'must be numbers'),
    (lambda a: a['videos']['v1']['segments'][0].update(label=5),
     "'segments\\[0\\].label': 5 is not a class index"),
    (lambda a: a['videos']['v1'].update(labels=[0]),
     "'segments\\[0\\].label': class 1 is not among the video labels"),
    (lambda a: a['videos']['v1'].update(background_clicks=3.0),
     "'background_clicks': must be a list"),
    (lambda a: a['videos']['v1']['background_clicks'].append(31.0),
     "'background_clicks\\[2\\]': 31.0 is not a time inside"),
    (lambda a: a['videos']['v1'].update(ambiguous={}),
     "'ambiguous': must be a list"),
    (lambda a: a['videos']['v1']['ambiguous'].append([1, 2]),
     "'ambiguous\\[1\\]': must be"),
    (lambda a: a['videos']['v1']['ambiguous'].append(
        {'start': 29.0, 'end': 31.0}), "'ambiguous\\[1\\]'.*outside the "
     'video'),
    (lambda a: a['videos']['v1']['ambiguous'].append(
        {'start': 'x', 'end': 1.0}), 'must be numbers'),
]


@pytest.mark.parametrize('edit,match', CASES)
def test_each_error_names_the_video_and_field(edit, match):
    with pytest.raises(AnnotationError, match=f'(?s)^ann.json: .*{match}'):
        validate_annotation(broken(edit), source='ann.json')


def test_not_an_object():
    with pytest.raises(AnnotationError, match='must be a JSON object'):
        validate_annotation([], source='x.json')


def test_many_errors_are_capped():
    ann = broken(lambda a: a['videos'].update({
        f'bad{i}': dict(GOOD['videos']['v2'], labels=[9])
        for i in range(3 * MAX_REPORTED_ERRORS)
    }))
    with pytest.raises(AnnotationError) as info:
        validate_annotation(ann)
    assert str(info.value).count('is not a class index') == \
        MAX_REPORTED_ERRORS
    assert 'and more' in str(info.value)


def test_load_checks_files_and_json(tmp_path):
    path = tmp_path / 'ann.json'
    with pytest.raises(FileNotFoundError, match='ann.json'):
        load_annotation(str(path))
    path.write_text('{"classes": [')
    with pytest.raises(AnnotationError, match='ann.json: not valid JSON'):
        load_annotation(str(path))
    path.write_text(json.dumps(GOOD))
    assert load_annotation(str(path)) == GOOD
    (tmp_path / 'v1.mp4').write_bytes(b'')
    with pytest.raises(AnnotationError,
                       match="video 'v2': field 'file': video file "
                       '.*d/v2.mp4 does not exist'):
        load_annotation(str(path), video_root=str(tmp_path))


def test_dump_refuses_invalid_and_writes_valid(tmp_path):
    out = tmp_path / 'out.json'
    with pytest.raises(AnnotationError, match='out.json'):
        dump_annotation(broken(lambda a: a.pop('videos')), str(out))
    assert not out.exists()
    dump_annotation(GOOD, str(out))
    assert json.loads(out.read_text()) == GOOD
