import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from mmwsal.datasets import (context_bases, generate_context_features,
                             load_annotation, validate_annotation)
from mmwsal.datasets.context_features import bases_needed, similar_class

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# small videos that still hold two classes of up to three instances each
SMALL = dict(num_classes=4, dim=16, min_snippets=32, max_snippets=64)
# no noise and no jitter: every snippet is exactly what was planted on it
EXACT = dict(noise=0.0, pattern_jitter=0.0, strength_jitter=0.0)


def load(ann_file, feat_dir):
    """Annotation entries and each video's features."""
    videos = load_annotation(ann_file)['videos']
    return videos, {v: np.load(osp.join(feat_dir, f'{v}.npy')) for v in videos}


def action_mask(info, num):
    """Per snippet, the class of the segment holding it, else -1."""
    mask = np.full(num, -1)
    step = 1 / info['fps']
    for seg in info['segments']:
        mask[round(seg['start'] / step):round(seg['end'] / step)] = \
            seg['label']
    return mask


def test_deterministic_per_video(tmp_path):
    first = generate_context_features(
        str(tmp_path / 'a'), num_train=6, num_test=3, seed=3, **SMALL)
    again = generate_context_features(
        str(tmp_path / 'b'), num_train=6, num_test=3, seed=3, **SMALL)
    more = generate_context_features(
        str(tmp_path / 'c'), num_train=6, num_test=5, seed=3, **SMALL)
    other = generate_context_features(
        str(tmp_path / 'd'), num_train=6, num_test=3, seed=4, **SMALL)
    videos, feats = load(*first)
    assert load(*again)[0] == videos
    for vid, x in load(*again)[1].items():
        np.testing.assert_array_equal(x, feats[vid])
    # a video's features do not depend on how many others there are
    more_videos, more_feats = load(*more)
    assert {v: more_videos[v] for v in videos} == videos
    for vid, x in feats.items():
        np.testing.assert_array_equal(more_feats[vid], x)
    other_feats = load(*other)[1]
    assert not np.array_equal(other_feats['train_0000'], feats['train_0000'])


def test_annotation_is_consistent(tmp_path):
    ann_file, feat_dir = generate_context_features(
        str(tmp_path),
        num_train=40,
        num_test=20,
        seed=0,
        min_action=2,
        **SMALL)
    with open(ann_file) as f:
        validate_annotation(json.load(f), ann_file)
    videos, feats = load(ann_file, feat_dir)
    assert sum(v['subset'] == 'train' for v in videos.values()) == 40
    assert sum(v['subset'] == 'test' for v in videos.values()) == 20
    lengths, counts = [], []
    for vid, info in videos.items():
        x = feats[vid]
        assert x.dtype == np.float32 and x.shape[1] == 16
        assert 32 <= len(x) <= 64
        assert info['duration'] == pytest.approx(len(x) * 0.5)
        segments = info['segments']
        assert info['labels'] == sorted({s['label'] for s in segments})
        ends = [0.0]
        for seg in segments:  # in time order, one snippet apart at least
            assert seg['start'] >= ends[-1] + (0.5 if len(ends) > 1 else 0)
            assert seg['end'] - seg['start'] >= 2 * 0.5
            assert seg['end'] <= info['duration']
            ends.append(seg['end'])
            lengths.append((seg['end'] - seg['start']) / info['duration'])
        counts.append(len(segments))
    # variable counts and lengths, and some videos of two classes
    assert any(len(v['labels']) == 2 for v in videos.values())
    assert min(counts) == 1 and max(counts) >= 4
    assert min(lengths) < 0.07 and max(lengths) > 0.25
    assert len({len(x) for x in feats.values()}) > 10


def test_bases_are_orthonormal_with_shared_components():
    bases = context_bases(
        5, bases_needed(5), seed=1, actionness_share=0.2, pair_share=0.3)
    patterns, scenes = bases.patterns, bases.scenes
    gram = patterns @ patterns.T
    np.testing.assert_allclose(np.diag(gram), 1, atol=1e-5)
    # classes 0-1 and 2-3 are pairs, class 4 has none
    assert gram[0, 1] == pytest.approx(0.5, abs=1e-5)
    assert gram[2, 3] == pytest.approx(0.5, abs=1e-5)
    assert gram[1, 2] == pytest.approx(0.2, abs=1e-5)
    assert gram[3, 4] == pytest.approx(0.2, abs=1e-5)
    np.testing.assert_allclose(scenes @ scenes.T, np.eye(5), atol=1e-5)
    np.testing.assert_allclose(scenes @ patterns.T, 0, atol=1e-5)
    assert patterns @ bases.actionness == pytest.approx(
        [np.sqrt(0.2)] * 5, abs=1e-5)
    assert [similar_class(c, 5) for c in range(5)] == [1, 0, 3, 2, 4]


@pytest.mark.parametrize('scene_swap', [0.0, 1.0])
def test_exact_scenes_and_actions(tmp_path, scene_swap):
    ann_file, feat_dir = generate_context_features(
        str(tmp_path),
        num_train=20,
        num_test=0,
        seed=2,
        distractors=0,
        scene_swap=scene_swap,
        scene_strength=1.5,
        action_strength=2.0,
        **SMALL,
        **EXACT)
    bases = context_bases(4, 16, seed=2)
    videos, feats = load(ann_file, feat_dir)
    for vid, info in videos.items():
        x = feats[vid]
        mask = action_mask(info, len(x))
        background = x[mask < 0]
        # one scene on the whole background, of a class of the video unless
        # swapped for another
        scene_cls = int(np.argmax(background[0] @ bases.scenes.T))
        assert (scene_cls in info['labels']) == (scene_swap == 0)
        scene = 1.5 * bases.scenes[scene_cls]
        np.testing.assert_allclose(
            background, np.broadcast_to(scene, background.shape), atol=1e-5)
        # the scene stays inside actions
        actions = x[mask >= 0] - scene
        np.testing.assert_allclose(
            actions, 2.0 * bases.patterns[mask[mask >= 0]], atol=1e-5)


def scene_hits(ann_file, feat_dir, bases):
    """Share of videos whose mean feature is nearest a scene of their own
    classes, and the mean projection of background snippets on the scene
    of the video's first class."""
    videos, feats = load(ann_file, feat_dir)
    hits, along = [], []
    for vid, info in videos.items():
        x = feats[vid]
        hits.append(
            int(np.argmax(x.mean(0) @ bases.scenes.T)) in info['labels'])
        background = x[action_mask(info, len(x)) < 0]
        along.append(background.mean(0) @ bases.scenes[info['labels'][0]])
    return np.mean(hits), np.mean(along)


def test_context_predicts_the_label(tmp_path):
    bases = context_bases(4, 16, seed=0)
    with_scene = generate_context_features(
        str(tmp_path / 'scene'),
        num_train=60,
        num_test=0,
        seed=0,
        scene_swap=0.25,
        scene_strength=1.5,
        **SMALL)
    without = generate_context_features(
        str(tmp_path / 'none'),
        num_train=60,
        num_test=0,
        seed=0,
        scene_strength=0.0,
        **SMALL)
    hits, along = scene_hits(*with_scene, bases)
    # three quarters of the videos keep their class's scene
    assert hits > 0.6
    assert along > 0.6 * 1.5
    # pure noise (and actions, orthogonal to the scenes): chance level
    hits, along = scene_hits(*without, bases)
    assert hits < 0.5
    assert abs(along) < 0.15


@pytest.mark.parametrize('distractor_own', [0.0, 1.0])
def test_distractors_are_partial_unlabelled_patterns(tmp_path, distractor_own):
    ann_file, feat_dir = generate_context_features(
        str(tmp_path),
        num_train=30,
        num_test=0,
        seed=5,
        distractors=2.0,
        distractor_strength=0.5,
        distractor_channels=0.5,
        scene_strength=1.5,
        action_strength=2.0,
        scene_swap=0.0,
        distractor_own=distractor_own,
        **SMALL,
        **EXACT)
    bases = context_bases(4, 16, seed=5)
    videos, feats = load(ann_file, feat_dir)
    rows, support = 0, []
    for vid, info in videos.items():
        x = feats[vid]
        background = x[action_mask(info, len(x)) < 0]
        scene_cls = [
            c for c in info['labels']
            if np.isclose(background @ bases.scenes[c], 1.5).any()
        ][0]
        residual = background - 1.5 * bases.scenes[scene_cls]
        allowed = (
            info['labels'] if distractor_own else
            [similar_class(c, 4) for c in info['labels']])
        for r in residual[np.abs(residual).max(1) > 1e-5]:
            rows += 1
            np.testing.assert_allclose(np.linalg.norm(r), 0.5 * 2.0, rtol=1e-4)
            keep = np.abs(r) > 1e-6
            support.append(keep.mean())
            # the pattern of an allowed class on some of its channels
            fits = [
                np.allclose(
                    r[keep] / bases.patterns[c][keep],
                    (r[keep] / bases.patterns[c][keep])[0],
                    rtol=1e-3) for c in allowed
            ]
            assert any(fits)
    assert rows > 30
    assert 0.3 < np.mean(support) < 0.7
    no_distractors = generate_context_features(
        str(tmp_path / 'none'),
        num_train=10,
        num_test=0,
        seed=5,
        distractors=0,
        scene_swap=0.0,
        **SMALL,
        **EXACT)
    videos, feats = load(*no_distractors)
    for vid, info in videos.items():
        background = feats[vid][action_mask(info, len(feats[vid])) < 0]
        np.testing.assert_allclose(
            background, background[:1].repeat(len(background), 0), atol=1e-5)


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match='dim >= 31'):
        generate_context_features(str(tmp_path), num_classes=12, dim=30)
    with pytest.raises(ValueError, match='scene_swap'):
        generate_context_features(str(tmp_path), scene_swap=1.5)
    with pytest.raises(ValueError, match='cannot hold 6 actions'):
        generate_context_features(
            str(tmp_path), min_snippets=16, max_instances=3)
    with pytest.raises(ValueError, match='actionness_share'):
        context_bases(4, 16, actionness_share=0.8, pair_share=0.3)


def test_make_context_features_tool(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'make_context_features',
        osp.join(REPO, 'tools', 'data', 'make_context_features.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    # every keyword of the generator is an option with its default
    args = tool.parse_args(['--out-dir', 'x'])
    assert args.num_train == 400 and args.scene_swap == 0.25
    tool.main([
        '--out-dir',
        str(tmp_path), '--num-train', '3', '--num-test', '2', '--num-classes',
        '3', '--dim', '12', '--scene-strength', '0'
    ])
    videos, feats = load(
        osp.join(tmp_path, 'annotations.json'), osp.join(tmp_path, 'features'))
    assert len(videos) == 5
    assert {x.shape[1] for x in feats.values()} == {12}
    # --scene-strength 0 reached the generator: no scene on the background
    bases = context_bases(3, 12, seed=0)
    for vid, info in videos.items():
        x = feats[vid][action_mask(info, len(feats[vid])) < 0]
        assert np.abs(x.mean(0) @ bases.scenes.T).max() < 1.0
