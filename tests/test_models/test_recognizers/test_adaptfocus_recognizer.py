import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.structures import LabelData

NUM_CLASSES = 4
LAYOUT = [[0, 2], [1], [3, 0, 1]]
LOSS = dict(type='AdaptFocusLoss', mode='adaptfocus')


def data_samples(videos, positions, num_positions=5, meta_keys=None):
    out = []
    for v, t in zip(videos, positions):
        sample = ActionDataSample()
        label = LabelData()
        label.item = torch.zeros(NUM_CLASSES)
        label.item[LAYOUT[v]] = 1
        sample.gt_labels = label
        meta = dict(video_index=v, clip_position=t,
                    num_positions=num_positions)
        keys = meta_keys or meta.keys()
        sample.set_metainfo({k: meta[k] for k in keys})
        out.append(sample)
    return out


# Stock heads, tiny, multi-label; features as their backbones give them.
HEADS = {
    'I3DHead': (dict(in_channels=16), lambda n: torch.rand(n, 16, 2, 3, 3),
                'fc_cls'),
    'SlowFastHead': (dict(in_channels=24),
                     lambda n: (torch.rand(n, 16, 2, 3, 3),
                                torch.rand(n, 8, 8, 3, 3)), 'fc_cls'),
    'X3DHead': (dict(in_channels=16), lambda n: torch.rand(n, 16, 2, 3, 3),
                'fc2'),
    'MViTHead': (dict(in_channels=16),
                 lambda n: ([torch.rand(n, 16, 2, 3, 3),
                             torch.rand(n, 16)], ), 'fc_cls'),
}


@pytest.mark.parametrize('head_type', sorted(HEADS))
def test_loss_with_each_stock_head(head_type):
    """loss_by_feat of the stock heads (multi_class=True) hands logits and
    multi-hot labels straight to loss_cls."""
    torch.manual_seed(0)
    kwargs, features, fc = HEADS[head_type]
    head = MODELS.build(
        dict(
            type=head_type,
            num_classes=NUM_CLASSES,
            multi_class=True,
            loss_cls=LOSS,
            **kwargs))
    head.init_weights()
    focus_loss = head.loss_cls
    focus_loss.saliency.set_instance_layout(LAYOUT)
    focus_loss.set_schedule(gamma=0.5, warmup=False)
    samples = data_samples([0, 1, 2, 0], [0, 2, 4, 1])
    with focus_loss.clip_context(samples) as clip:
        losses = head.loss(features(4), samples)
    assert set(losses) == {'loss_cls'}
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    grad = getattr(head, fc).weight.grad
    assert grad is not None and grad.abs().sum() > 0
    assert focus_loss.saliency.spike_actionness.gt(0).all()
    assert 0 <= clip.diagnostics['above_threshold_ratio'] <= 1


def tiny_recognizer(**loss):
    return MODELS.build(
        dict(
            type='AdaptFocusRecognizer3D',
            backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=1),
            cls_head=dict(
                type='X3DHead',
                in_channels=432,
                num_classes=NUM_CLASSES,
                multi_class=True,
                loss_cls=dict(LOSS, **loss)),
            data_preprocessor=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')))


def test_recognizer_hands_metadata_and_adds_diagnostics():
    torch.manual_seed(0)
    model = tiny_recognizer()
    model.adaptfocus_loss.saliency.set_instance_layout(LAYOUT)
    model.adaptfocus_loss.set_schedule(gamma=1.0, warmup=False)
    inputs = torch.rand(2, 1, 3, 4, 32, 32)
    samples = data_samples([2, 1], [3, 0])
    losses = model.loss(inputs, samples)
    assert set(losses) == {
        'loss_cls', 'above_threshold_ratio', 'clip_focus_ratio',
        'action_focus_weight', 'spike_actionness'
    }
    # This step set every estimate of videos 2 and 1: a = p >= 0.75 p.
    assert losses['above_threshold_ratio'] == 1
    assert losses['clip_focus_ratio'] == 1
    loss, log_vars = model.parse_losses(losses)
    assert torch.equal(loss, losses['loss_cls'])  # diagnostics not summed
    assert 'spike_actionness' in log_vars
    saliency = model.adaptfocus_loss.saliency
    assert saliency.spike_actionness[:2].tolist() == [0, 0]  # video 0
    assert saliency.spike_actionness[2:].gt(0).all()
    assert saliency.spike_position[2:].tolist() == [0, 3, 3, 3]


def test_recognizer_errors():
    model = tiny_recognizer()
    model.adaptfocus_loss.saliency.set_instance_layout(LAYOUT)
    inputs = torch.rand(1, 1, 3, 4, 32, 32)
    samples = data_samples([0], [1],
                           meta_keys=('video_index', 'clip_position'))
    with pytest.raises(KeyError, match="'num_positions'"):
        model.loss(inputs, samples)
    with pytest.raises(TypeError, match='AdaptFocusLoss'):
        MODELS.build(
            dict(
                type='AdaptFocusRecognizer3D',
                backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25,
                              gamma_d=1),
                cls_head=dict(
                    type='X3DHead',
                    in_channels=432,
                    num_classes=NUM_CLASSES,
                    multi_class=True,
                    loss_cls=dict(type='BCELossWithLogits'))))
