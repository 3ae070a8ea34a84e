import json

import numpy as np
import pytest
import torch
from mmaction.registry import METRICS

from mmwsal.evaluation.functional import mean_confidence_interval
from mmwsal.evaluation.metrics.fewshot_metric import segment_snippets

NUM_BASE, NUM_NOVEL, PER_CLASS, T, DIM = 3, 5, 4, 10, 12


def test_mean_confidence_interval_against_a_direct_computation():
    values = np.random.default_rng(0).random(1000)
    mean, ci = mean_confidence_interval(values)
    assert mean == pytest.approx(values.mean())
    assert ci == pytest.approx(1.96 * values.std() / np.sqrt(1000))
    # by hand: mean 0.5, std 0.5, n 4
    assert mean_confidence_interval([0, 1, 0, 1]) == pytest.approx(
        (0.5, 1.96 * 0.5 / 2))
    with pytest.raises(ValueError, match='no episode'):
        mean_confidence_interval([])


def test_segment_snippets():
    assert segment_snippets(2.0, 5.0, 1.0, 10) == slice(2, 5)
    assert segment_snippets(2.2, 2.3, 1.0, 10) == slice(2, 3)  # >= 1
    assert segment_snippets(9.5, 12.0, 1.0, 10) == slice(9, 10)


@pytest.fixture
def episode_files(tmp_path):
    """Classes b0-b2 (base) and n0-n4 (novel), 4 videos each of 10 s with
    one action in [2, 5) s."""
    classes = [f'b{i}' for i in range(NUM_BASE)] + [
        f'n{i}' for i in range(NUM_NOVEL)]
    videos = {}
    for c in range(len(classes)):
        for v in range(PER_CLASS):
            videos[f'{classes[c]}_{v}'] = dict(
                subset='train', file='x.mp4', duration=float(T), fps=1.0,
                labels=[c], segments=[dict(start=2.0, end=5.0, label=c)])
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(dict(classes=classes, videos=videos)))
    split = tmp_path / 'split.json'
    split.write_text(json.dumps(dict(base=classes[:NUM_BASE],
                                     novel=classes[NUM_BASE:])))
    return str(ann), str(split)


def novel_predictions(learned_attention=False, seed=0):
    """Unit embeddings: background along channel 0, the action of novel
    class c along channel 1 + c, with a little noise."""
    rng = np.random.default_rng(seed)
    out = []
    for c in range(NUM_NOVEL):
        for v in range(PER_CLASS):
            emb = np.zeros((T, DIM), np.float32)
            emb[:, 0] = 1.0
            emb[2:5, 0] = 0.2
            emb[2:5, 1 + c] = 1.0
            emb += rng.normal(scale=0.05, size=emb.shape)
            emb /= np.linalg.norm(emb, axis=1, keepdims=True)
            sample = dict(video_id=f'n{c}_{v}', snippet_seconds=1.0,
                          duration=float(T),
                          snippet_embeddings=torch.from_numpy(emb))
            if learned_attention:
                sample['learned_attention'] = torch.tensor(
                    [0.1] * 2 + [0.9] * 3 + [0.1] * 5)
            else:
                sample['self_weighting'] = (8.0, 0.5)
            out.append(sample)
    return out


@pytest.mark.parametrize('learned', [False, True])
def test_separable_novel_classes(episode_files, learned):
    ann_file, split = episode_files
    metric = METRICS.build(
        dict(type='FewShotEpisodeMetric', ann_file=ann_file,
             class_split=split, num_queries=2, num_episodes=30,
             shots=(1, 2)))
    metric.process(None, novel_predictions(learned))
    found = metric.evaluate(NUM_NOVEL * PER_CLASS)
    for shots in (1, 2):
        assert found[f'acc_5way_{shots}shot'] == 1.0
        assert found[f'acc_5way_{shots}shot_ci95'] == 0.0
        assert found[f'mAP@0.50_5way_{shots}shot'] > 0.9
        assert 0 < found[f'mAP_avg_5way_{shots}shot'] <= found[
            f'mAP@0.50_5way_{shots}shot']


def test_confidence_interval_over_the_episodes(episode_files):
    ann_file, split = episode_files
    metric = METRICS.build(
        dict(type='FewShotEpisodeMetric', ann_file=ann_file,
             class_split=split, num_queries=3, num_episodes=40, shots=(1, ),
             detection=False))
    results = novel_predictions()
    for r in results:  # hard: background and actions look alike
        r['snippet_embeddings'] = torch.nn.functional.normalize(
            r['snippet_embeddings'] + 0.8 * torch.randn(T, DIM), dim=-1)
    metric.process(None, results)
    kept = list(metric.results)
    found = metric.evaluate(len(results))
    assert set(found) == {'acc_5way_1shot', 'acc_5way_1shot_ci95'}
    pools = {c: {f'n{c}_{v}': 1 for v in range(PER_CLASS)}
             for c in range(NUM_NOVEL)}
    data = metric._stack(kept)
    accs = metric.evaluate_shots(data, pools, 1)['acc']
    assert len(accs) == 40 and 0 < np.std(accs)
    assert found['acc_5way_1shot'] == pytest.approx(np.mean(accs))
    assert found['acc_5way_1shot_ci95'] == pytest.approx(
        1.96 * np.std(accs) / np.sqrt(40))


def test_missing_embeddings_is_an_error(episode_files):
    ann_file, split = episode_files
    metric = METRICS.build(dict(type='FewShotEpisodeMetric',
                                ann_file=ann_file, class_split=split))
    with pytest.raises(KeyError, match="video n0_0: no snippet_embeddings"):
        metric.process(None, [dict(video_id='n0_0', snippet_seconds=1.0)])
    with pytest.raises(ValueError, match='action_threshold'):
        METRICS.build(dict(type='FewShotEpisodeMetric', ann_file=ann_file,
                           class_split=split,
                           postprocess_cfg=dict(class_threshold=0.5)))
