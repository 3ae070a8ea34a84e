import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsal.utils import use_feature_set

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
HEADS = ('MILHead', 'BaSNetHead', 'BackgroundModelingHead')


def samples(n, num_classes=3):
    out = []
    for i in range(n):
        s = ActionDataSample()
        label = torch.zeros(num_classes, dtype=torch.long)
        label[i % num_classes] = 1
        s.set_gt_labels(label)
        s.set_metainfo(dict(video_id=f'v{i}', snippet_seconds=0.5,
                            duration=50.0))
        out.append(s)
    return out


def localizer(head='BaSNetHead', **kwargs):
    cfg = dict(type='WeakLocalizer', in_channels=6, embed_channels=8,
               head=dict(type=head, num_classes=3))
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('head', HEADS)
def test_predict_groups_lengths_like_single_videos(head):
    torch.manual_seed(0)
    model = localizer(head).eval()
    inputs = [torch.randn(t, 6) for t in (30, 45, 30)]
    batched = model(inputs, samples(3), mode='predict')
    for i, x in enumerate(inputs):
        [alone] = model([x], samples(3)[i:i + 1], mode='predict')
        torch.testing.assert_close(batched[i].pred_instances.segments,
                                   alone.pred_instances.segments)
        # float32 batches of other sizes differ in the last bits, which
        # the min-max normalisation of a T-CAS can raise to ~1e-6
        torch.testing.assert_close(batched[i].pred_instances.scores,
                                   alone.pred_instances.scores,
                                   rtol=1e-5, atol=1e-5)
        assert batched[i].video_id == f'v{i}'


def test_kept_sequences_name_the_classes_it_localized():
    """Proposals come only from classes whose video score passes the class
    threshold; with keep_sequences the sample says which those were."""
    head = MODELS.build(
        dict(type='MILHead', in_channels=4, num_classes=3,
             test_cfg=dict(keep_sequences=True, class_threshold=0.4)))
    with torch.no_grad():
        head.classifier.weight.zero_()
        head.classifier.weight[1, 0] = 4.0  # class 1 peaks where x0 = 1
        head.classifier.bias.copy_(torch.tensor([2.0, 0.0, 0.0]))
    feats = torch.zeros(1, 4, 16)
    feats[0, 0, 4:8] = 1.0
    [out] = head.predict(feats, samples(1))
    scores = out.pred_scores.item
    # top-2 mean logits: class 0: 2, class 1: 4, class 2: 0
    torch.testing.assert_close(
        scores, torch.tensor([2.0, 4.0, 0.0]).softmax(0))
    assert out.class_threshold == 0.4
    assert out.localized_classes.tolist() == [1]
    assert set(out.pred_instances.labels.tolist()) == {1}
    # Class 0 is not localized although its T-CAS outside 4:8 is its peak.
    assert out.tcas[:, 0].max() > 0.7


def test_training_needs_one_length():
    model = localizer()
    with pytest.raises(ValueError, match='ResampleSnippets'):
        model([torch.randn(30, 6), torch.randn(31, 6)], samples(2),
              mode='loss')


def test_wrong_channels_name_the_videos():
    model = localizer()
    with pytest.raises(ValueError, match=r"\['v0', 'v1'\].*in_channels"):
        model([torch.randn(30, 5), torch.randn(30, 5)], samples(2),
              mode='loss')


def test_no_embedding_feeds_features_to_the_head():
    model = localizer('MILHead', embed_layers=0)
    assert model.head.in_channels == 6
    out = model(torch.randn(2, 20, 6), mode='tensor')
    assert out['tcas'].shape == (2, 20, 3)
    with pytest.raises(ValueError, match='mode'):
        model(torch.randn(2, 20, 6), mode='train')


@pytest.mark.parametrize('head', HEADS)
def test_gradients_reach_every_parameter(head):
    model = localizer(head, dropout=0.0)
    losses = model(torch.randn(4, 24, 6), samples(4), mode='loss')
    sum(losses.values()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def train_planted(head, ann_file, feat_dir, work_dir, iters=150):
    """Train the shipped synthetic config of ``head`` on planted features
    and return the runner."""
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'wstal',
                 f'{head}_x3d-feat_600-iter_synthetic.py'))
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    cfg.model.head.num_classes = 3
    if cfg.model.embed_layers:
        cfg.model.embed_channels = 32
    use_feature_set(cfg, ann_file, feat_dir, 8, num_workers=0)
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = 50
    cfg.model.head.test_cfg = dict(
        cfg.model.head.get('test_cfg', {}), keep_sequences=True)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def attention_contrast(runner):
    """Mean attention inside the ground-truth segments minus outside, over
    the test videos."""
    dataset = runner.test_dataloader.dataset
    model = runner.model.eval()
    inside, outside = [], []
    for i in range(len(dataset)):
        item = dataset[i]
        [out] = model.test_step(
            dict(inputs=[item['inputs']],
                 data_samples=[item['data_samples']]))
        mask = torch.zeros(len(out.attention), dtype=torch.bool)
        for start, end, _ in dataset.get_data_info(i)['segments']:
            mask[int(start / 0.5):int(end / 0.5)] = True
        inside.append(out.attention[mask].mean())
        outside.append(out.attention[~mask].mean())
    return float(torch.stack(inside).mean() - torch.stack(outside).mean())


def test_mil_config_localizes_planted_actions(planted_features, tmp_path):
    """Trained from video labels with the shipped synthetic config on
    features where actions are plain to see, MIL localizes them."""
    runner = train_planted('mil', *planted_features, str(tmp_path))
    metrics = runner.test()
    assert metrics['mAP@0.30'] > 0.5, metrics
    assert metrics['acc/mean_average_precision'] > 0.8, metrics


def test_basnet_config_attends_to_planted_actions(planted_features,
                                                  tmp_path):
    """BaS-Net localizes the planted actions from its suppression T-CAS,
    its video scores classify the videos, and its filtering attention is
    higher on the actions than on the background."""
    runner = train_planted('basnet', *planted_features, str(tmp_path))
    metrics = runner.test()
    assert metrics['mAP@0.30'] > 0.8, metrics
    assert metrics['acc/mean_average_precision'] > 0.8, metrics
    assert attention_contrast(runner) > 0.05


def test_background_modeling_config_localizes_planted_actions(
        planted_features, tmp_path):
    """Background Modeling's attention separates actions from background,
    and its detections from the attention find them."""
    runner = train_planted('bgmodel', *planted_features, str(tmp_path),
                           iters=300)
    metrics = runner.test()
    assert metrics['mAP@0.30'] > 0.5, metrics
    assert attention_contrast(runner) > 0.1


def test_backtal_config_localizes_planted_actions(planted_features,
                                                  tmp_path):
    """BackTAL with clicks simulated from the segments localizes the
    planted actions."""
    runner = train_planted('backtal', *planted_features, str(tmp_path))
    clicks = runner.train_dataloader.dataset.get_data_info(0)[
        'background_clicks']
    assert clicks  # simulated by the config's dataset option
    metrics = runner.test()
    assert metrics['mAP@0.30'] > 0.5, metrics
