"""WeakLocalizer(pseudo_label_teacher=...): DCC's second stage trained from
scratch with the pseudo-labels of a frozen first-stage model."""
import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.optim import build_optim_wrapper
from mmengine.runner import save_checkpoint

from mmwsal.models.necks import snippet_pseudo_labels

NUM_CLASSES, T = 3, 6
# Input features as wide as the teacher's CAS module and its classifier's
# outputs (three classes and the background), so that a hand-set teacher
# passes them through unchanged.
DIM = NUM_CLASSES + 1


def samples(labels):
    out = []
    for i, classes in enumerate(labels):
        sample = ActionDataSample()
        label = torch.zeros(NUM_CLASSES, dtype=torch.long)
        label[list(classes)] = 1
        sample.set_gt_labels(label)
        sample.set_metainfo(
            dict(video_id=f'v{i}', video_index=i, snippet_seconds=1.0,
                 duration=float(T)))
        out.append(sample)
    return out


def stage1_cfg():
    """The first stage: BaS-Net on the features themselves."""
    return dict(
        type='WeakLocalizer', in_channels=DIM, embed_layers=0,
        head=dict(type='BaSNetHead', num_classes=NUM_CLASSES,
                  filter_channels=4, cas_channels=DIM, dropout=0.0))


def stage2_cfg(checkpoint, **teacher):
    cfg = stage1_cfg()
    cfg['neck'] = dict(type='DCCNeck', feat_key='base_feats',
                       in_channels=DIM, bank_size=4, projection_channels=4,
                       hidden_channels=4, num_clusters=2, num_regions=2)
    cfg['pseudo_label_teacher'] = dict(checkpoint=checkpoint, **teacher)
    return cfg


def identity_teacher():
    """A first-stage BaS-Net whose base T-CAS is its input: both CAS
    convolutions pass the centre tap through (LeakyReLU keeps the
    non-negative inputs) and the classifier is the identity."""
    model = MODELS.build(stage1_cfg())
    cas = model.head.cas_module
    with torch.no_grad():
        for conv in (cas.conv1, cas.conv2):
            conv.weight.zero_()
            conv.weight[:, :, 1] = torch.eye(DIM)
            conv.bias.zero_()
        cas.classifier.weight.copy_(torch.eye(DIM)[:, :, None])
    return model


def video():
    """One video, ``(1, T, DIM)``: class 1 at snippets 2 and 3, background
    (the last column) elsewhere."""
    x = torch.zeros(1, T, DIM)
    x[0, :, 3] = 2.0
    x[0, 2:4, 3] = 0.0
    x[0, 2:4, 1] = 3.0
    return x


@pytest.fixture
def teacher_file(tmp_path):
    path = str(tmp_path / 'stage1.pth')
    save_checkpoint(identity_teacher().state_dict(), path)
    return path


def test_pseudo_labels_come_from_the_teacher(teacher_file):
    torch.manual_seed(0)
    model = MODELS.build(stage2_cfg(teacher_file))
    model.init_weights()
    model.train()
    seen = []
    region_features = model.neck.region_features

    def spy(feats, head_outputs, labels):
        seen.append((feats, head_outputs))
        return region_features(feats, head_outputs, labels)

    model.neck.region_features = spy
    x = video()
    losses = model(x, samples([[1]]), mode='loss')
    [(feats, outputs)] = seen
    # the teacher's base T-CAS is the input ...
    torch.testing.assert_close(outputs['base_cas'], x)
    # ... which gives these pseudo-labels (eq. 3 by hand: class 1 has
    # softmax 0.870 at snippets 2-3 and 0.096 elsewhere, mean 0.354; the
    # background 0.043 and 0.711, mean 0.488)
    pseudo = snippet_pseudo_labels(outputs['base_cas'])[0]
    assert pseudo[:, 1].tolist() == [0, 0, 1, 1, 0, 0]
    assert pseudo[:, 3].tolist() == [1, 1, 0, 0, 1, 1]
    # the student's own base T-CAS is not that
    own = model.head(x.transpose(1, 2))
    assert not torch.allclose(own['base_cas'], x, atol=1e-2)
    # the contrast shapes the student's embeddings (its CAS module's)
    torch.testing.assert_close(feats, own['base_feats'])
    assert torch.isfinite(losses['loss_dcc'])


def test_the_teacher_receives_no_gradient_and_does_not_change(teacher_file):
    torch.manual_seed(0)
    model = MODELS.build(stage2_cfg(teacher_file))
    model.init_weights()
    model.train()
    assert not model.teacher.training and model.head.training
    before = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='Adam', lr=0.1, weight_decay=0.1)))
    x = torch.rand(2, T, DIM)
    for _ in range(2):
        losses = model(x, samples([[0], [1, 2]]), mode='loss')
        optim.update_params(sum(v for k, v in losses.items() if 'loss' in k))
    teacher_params = list(model.teacher.parameters())
    assert teacher_params and all(not p.requires_grad and p.grad is None
                                  for p in teacher_params)
    for name, value in model.teacher.state_dict().items():
        assert torch.equal(value, before[name]), name
    # no optimizer state for the teacher; the student's are trained
    state = optim.optimizer.state
    assert not any(p in state for p in teacher_params)
    assert all(p in state for p in model.head.parameters())
    assert all(p in state for p in model.neck.parameters())


def test_state_dict_round_trip_carries_the_teacher(teacher_file):
    torch.manual_seed(0)
    model = MODELS.build(stage2_cfg(teacher_file))
    model.init_weights()
    state = model.state_dict()
    teacher_keys = {k for k in state if k.startswith('teacher.')}
    assert teacher_keys == {
        f'teacher.{k}'
        for k in identity_teacher().state_dict()
    }
    assert state['teacher_loaded'].item() == 1

    torch.manual_seed(1)
    fresh = MODELS.build(stage2_cfg('no/such/file.pth'))
    x = video()
    with pytest.raises(RuntimeError, match='no trained weights'):
        fresh(x, samples([[1]]), mode='loss')
    fresh.load_state_dict(state, strict=True)  # no init_weights: no file
    for key in teacher_keys:
        assert torch.equal(fresh.state_dict()[key], state[key]), key
    model.eval()
    fresh.eval()
    a = model(x, samples([[1]]), mode='loss')
    b = fresh(x, samples([[1]]), mode='loss')
    torch.testing.assert_close(a['loss_dcc'], b['loss_dcc'])


def test_teacher_errors(teacher_file, tmp_path):
    model = MODELS.build(stage2_cfg(str(tmp_path / 'missing.pth')))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        model.init_weights()
    other = stage1_cfg()
    other['head']['num_classes'] = 2
    other_file = str(tmp_path / 'other.pth')
    save_checkpoint(MODELS.build(other).state_dict(), other_file)
    with pytest.raises(RuntimeError, match='other.pth'):
        MODELS.build(stage2_cfg(other_file)).init_weights()
    with pytest.raises(ValueError, match='checkpoint'):
        MODELS.build(stage2_cfg(teacher_file, momentum=0.9))
    no_neck = stage1_cfg()
    no_neck['pseudo_label_teacher'] = dict(checkpoint=teacher_file)
    with pytest.raises(ValueError, match='neck'):
        MODELS.build(no_neck)


def test_a_teacher_of_another_architecture(teacher_file):
    """``model`` builds the teacher from its own config: here the student
    has a wider CAS module than the first stage that saved the file."""
    cfg = stage2_cfg(teacher_file, model=stage1_cfg())
    cfg['head'] = dict(cfg['head'], cas_channels=8)
    cfg['neck']['in_channels'] = 8
    model = MODELS.build(cfg)
    model.init_weights()
    assert model.head.cas_module.conv1.out_channels == 8
    assert model.teacher.head.cas_module.conv1.out_channels == DIM
    torch.testing.assert_close(
        model.teacher_outputs(video())['base_cas'], video())
