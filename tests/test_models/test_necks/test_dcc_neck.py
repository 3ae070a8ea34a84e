"""The DCC neck: region features (eqs. 5-6), InfoNCE (eq. 7), its place in
the localizer."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample

from mmwsal.models.localizers import weak_localizer
from mmwsal.models.necks import (DCCNeck, batched_kmeans, confidence_voting,
                                 region_pooling, snippet_pseudo_labels)

NUM_CLASSES, DIM, T = 3, 6, 12


def samples(labels, video_index=None):
    """Data samples with the given label lists (and video indices, None
    for an unknown one)."""
    out = []
    for i, classes in enumerate(labels):
        sample = ActionDataSample()
        label = torch.zeros(NUM_CLASSES, dtype=torch.long)
        label[list(classes)] = 1
        sample.set_gt_labels(label)
        meta = dict(video_id=f'v{i}', snippet_seconds=0.5, duration=6.0)
        if video_index is not None and video_index[i] is not None:
            meta['video_index'] = video_index[i]
        sample.set_metainfo(meta)
        out.append(sample)
    return out


def make_neck(**kwargs):
    torch.manual_seed(0)
    cfg = dict(in_channels=DIM, num_classes=NUM_CLASSES, bank_size=6,
               projection_channels=8, hidden_channels=8, num_clusters=3,
               num_regions=3)
    cfg.update(kwargs)
    return DCCNeck(**cfg)


def test_region_pooling():
    pool = region_pooling(7, 3)
    assert pool.shape == (4, 7)
    torch.testing.assert_close(pool[0], torch.full((7, ), 1 / 7))
    # parts [0, 2), [2, 4), [4, 7)
    assert pool[1].nonzero().flatten().tolist() == [0, 1]
    assert pool[3].nonzero().flatten().tolist() == [4, 5, 6]
    torch.testing.assert_close(pool.sum(1), torch.ones(4))
    assert region_pooling(7, 1).shape == (1, 7)  # M = 1: the video only
    assert region_pooling(2, 3)[1:].sum(1).tolist() == [0., 1., 1.]


@pytest.mark.parametrize('denoise', [True, False])
def test_region_features_follow_eqs_5_and_6(denoise):
    neck = make_neck(denoise=denoise)
    gen = torch.Generator().manual_seed(0)
    feats = torch.randn(2, DIM, T, generator=gen)
    cas = torch.randn(2, T, NUM_CLASSES + 1, generator=gen)
    labels = torch.tensor([[1., 0., 1.], [0., 1., 0.]])
    out = neck.region_features(feats, dict(base_cas=cas), labels)
    assert out['rows'].tolist() == [0, 0, 1]
    assert out['classes'].tolist() == [0, 2, 1]

    pseudo = snippet_pseudo_labels(cas)
    if denoise:
        clusters, _ = batched_kmeans(feats.transpose(1, 2), 3)
        conf = confidence_voting(clusters, pseudo, 3)
    else:
        conf = torch.ones_like(pseudo)
    x = neck(feats).detach()
    bounds = [(0, T), (0, 4), (4, 8), (8, 12)]
    for n, (b, c) in enumerate([(0, 0), (0, 2), (1, 1)]):
        for m, (start, end) in enumerate(bounds):
            act = torch.zeros(8)
            bkg = torch.zeros(8)
            for t in range(start, end):
                act += pseudo[b, t, c] * conf[b, t, c] * x[b, t]
                bkg += (1 - pseudo[b, t, c]) * conf[b, t, c] * x[b, t]
            torch.testing.assert_close(out['action'][n, m],
                                       F.normalize(act, dim=0))
            torch.testing.assert_close(out['background'][n, m],
                                       F.normalize(bkg, dim=0))


def plain_dcc_loss(anchors, candidates, temperature=0.1):
    """Eq. 7 written out: every anchor (action region of a video and class)
    against candidates given as dicts (feature, kind, video, class, key),
    with the positive and negative sets listed in sec. 3.2."""
    terms = []
    for a in anchors:
        if not a['feature'].any():
            continue
        pos, neg = [], []
        for c in candidates:
            if c is a or not c['feature'].any():
                continue
            same_video = c['video'] == a['video']
            same_class = c['class'] == a['class']
            if same_video and not same_class:
                continue  # another label of the anchor's own video
            sim = math.exp(float(a['feature'] @ c['feature']) / temperature)
            if c['kind'] == 'action' and same_class:
                pos.append(sim)  # same class, this video or another
            elif c['kind'] == 'background':
                neg.append(sim)  # background, this video or another
            else:
                neg.append(sim)  # action of another class, another video
        if pos:
            terms.append(-math.log(sum(pos) / (sum(pos) + sum(neg))))
    return sum(terms) / len(terms)


def test_loss_matches_a_plain_loop_over_positives_and_negatives():
    neck = make_neck().train()
    gen = torch.Generator().manual_seed(3)
    # The bank: video 7 (class 0), a copy of batch video 2 with its class 1
    # and with another class, and an unknown video; some zero regions.
    bank_action = F.normalize(torch.randn(4, 4, 8, generator=gen), dim=-1)
    bank_background = F.normalize(torch.randn(4, 4, 8, generator=gen),
                                  dim=-1)
    bank_action[3, 2] = 0
    bank_background[0, 1] = 0
    neck.bank.enqueue(bank_action, bank_background,
                      torch.tensor([0, 1, 2, 0]), torch.tensor([7, 2, 2, -1]))
    feats = torch.randn(4, DIM, T, generator=gen)
    cas = torch.randn(4, T, NUM_CLASSES + 1, generator=gen)
    cas[3] = cas[3, :1]  # constant: every snippet is an action of class 2
    data = samples([[0, 1], [1], [0], [2]], [2, 5, None, None])
    neck.set_beta(2.5)
    loss = neck.loss(feats, dict(base_cas=cas), data)['loss_dcc']

    # the regions the loss saw (the bank has taken the batch since)
    neck.eval()
    labels = torch.stack([s.gt_labels.item for s in data]).float()
    with torch.no_grad():
        regions = neck.region_features(feats, dict(base_cas=cas), labels)
    assert not regions['background'][-1].any()  # no background in video 3
    video_of_row = [2, 5, 'row2', 'row3']
    batch, anchors = [], []
    for n, (row, cls) in enumerate(
            zip(regions['rows'].tolist(), regions['classes'].tolist())):
        for kind in ('action', 'background'):
            for m in range(4):
                item = dict(feature=regions[kind][n, m], kind=kind,
                            video=video_of_row[row], **{'class': cls})
                batch.append(item)
                if kind == 'action':
                    anchors.append(item)
    bank = []
    for i, (video, cls) in enumerate([(7, 0), (2, 1), (2, 2), (None, 0)]):
        for kind, feats_ in (('action', bank_action),
                             ('background', bank_background)):
            for m in range(4):
                bank.append(
                    dict(feature=feats_[i, m].half().float(), kind=kind,
                         video=video if video is not None else object(),
                         **{'class': cls}))
    want = plain_dcc_loss(anchors, batch + bank)
    assert loss.item() == pytest.approx(2.5 * want, rel=1e-5)


def test_no_positive_gives_a_zero_loss_attached_to_the_graph():
    neck = make_neck(num_regions=1)  # one region: no positive in-video
    feats = torch.randn(1, DIM, T, requires_grad=True)
    cas = torch.randn(1, T, NUM_CLASSES + 1)
    loss = neck.loss(feats, dict(base_cas=cas), samples([[1]]))['loss_dcc']
    assert loss.item() == 0
    loss.backward()
    assert all(p.grad is not None for p in neck.projection.parameters())


def test_bank_updates_in_training_only():
    neck = make_neck()
    feats = torch.randn(2, DIM, T)
    cas = torch.randn(2, T, NUM_CLASSES + 1)
    neck.eval()
    neck.loss(feats, dict(base_cas=cas), samples([[0], [1, 2]], [4, 9]))
    assert neck.bank.num_filled == 0
    neck.train()
    neck.loss(feats, dict(base_cas=cas), samples([[0], [1, 2]], [4, 9]))
    assert neck.bank.labels.tolist() == [0, 1, 2, -1, -1, -1]
    assert neck.bank.videos.tolist() == [4, 9, 9, -1, -1, -1]
    assert int(neck.bank.pointer) == 3


def test_missing_base_tcas_names_the_key():
    neck = make_neck()
    with pytest.raises(KeyError, match='snippet_logits'):
        neck.loss(torch.randn(1, DIM, T), dict(tcas=torch.randn(1, T, 3)),
                  samples([[0]]))
    with pytest.raises(KeyError, match="'hidden'"):
        make_neck(feat_key='hidden').loss(
            torch.randn(1, DIM, T), dict(base_cas=torch.randn(1, T, 4)),
            samples([[0]]))


def test_embeddings_from_a_head_output_and_pseudo_labels_from_others():
    """feat_key: the contrast is on a head output, not the localizer's
    embedding; pseudo_label_outputs: the pseudo-labels come from another
    model's base T-CAS (a teacher's). l_dcc is L_dcc before beta."""
    gen = torch.Generator().manual_seed(4)
    feats = torch.randn(3, DIM, T, generator=gen)
    hidden = torch.randn(3, DIM, T, generator=gen)
    own = torch.randn(3, T, NUM_CLASSES + 1, generator=gen)
    other = torch.randn(3, T, NUM_CLASSES + 1, generator=gen)
    data = samples([[0], [1, 2], [0]], [0, 1, 2])

    def loss(neck, *args, **kwargs):
        return neck.eval().loss(*args, **kwargs)['loss_dcc'].item()

    plain = make_neck()
    with_key = make_neck(feat_key='hidden')  # the same weights (seed 0)
    outputs = dict(base_cas=own, hidden=hidden)
    assert loss(with_key, feats, outputs, data) == pytest.approx(
        loss(plain, hidden, outputs, data), rel=1e-6)
    assert loss(with_key, feats, outputs, data) != pytest.approx(
        loss(plain, feats, outputs, data), rel=1e-3)
    # the teacher's CAS replaces the head's, the embeddings stay
    from_teacher = loss(plain, feats, outputs, data,
                        pseudo_label_outputs=dict(base_cas=other))
    assert from_teacher == pytest.approx(
        loss(plain, feats, dict(base_cas=other), data), rel=1e-6)
    assert from_teacher != pytest.approx(
        loss(plain, feats, outputs, data), rel=1e-3)
    plain.set_beta(4.0)
    out = plain.loss(feats, outputs, data)
    assert not out['l_dcc'].requires_grad
    assert out['loss_dcc'].item() == pytest.approx(4 * out['l_dcc'].item(),
                                                   rel=1e-6)


def localizer(head, neck=True, **kwargs):
    torch.manual_seed(0)
    cfg = dict(type='WeakLocalizer', in_channels=DIM, embed_channels=8,
               dropout=0.0, head=dict(type=head, num_classes=NUM_CLASSES))
    if neck:
        cfg['neck'] = dict(
            type='DCCNeck', bank_size=5, num_clusters=2, num_regions=2,
            projection_channels=8, hidden_channels=8,
            cas_key=dict(BaSNetHead='base_cas',
                         BackgroundModelingHead='snippet_logits')[head])
    cfg.update(kwargs)
    return MODELS.build(cfg)


@pytest.mark.parametrize('head', ['BaSNetHead', 'BackgroundModelingHead'])
def test_localizer_adds_the_loss_and_predicts_as_without_it(head):
    model = localizer(head).train()
    inputs = torch.randn(4, T, DIM)
    data = samples([[0], [1], [0, 2], [1]], [0, 1, 2, 3])
    losses = model(inputs, data, mode='loss')
    assert 'loss_dcc' in losses and torch.isfinite(losses['loss_dcc'])
    sum(losses.values()).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert model.neck.bank.num_filled == 5

    plain = localizer(head, neck=False).eval()
    model.load_state_dict(plain.state_dict(), strict=False)
    model.eval()
    test = [torch.randn(T, DIM)]
    [a] = model(test, samples([[0]]), mode='predict')
    [b] = plain(test, samples([[0]]), mode='predict')
    assert torch.equal(a.pred_instances.scores, b.pred_instances.scores)


def test_localizer_without_embedding_warns(monkeypatch):
    logged = []
    monkeypatch.setattr(weak_localizer, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    model = localizer('BaSNetHead', embed_layers=0)
    assert model.neck.projection[0].in_features == DIM
    assert len(logged) == 1 and 'embed_layers=0' in logged[0]
    localizer('BaSNetHead')
    assert len(logged) == 1
    # the head's own embeddings: nothing to warn about
    model = on_the_features()
    assert len(logged) == 1
    assert model.neck.projection[0].in_features == 5


def on_the_features():
    """BaS-Net on the features themselves, DCC on its CAS module's hidden
    features (as configs/dcc/dcc-basnet_*)."""
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='WeakLocalizer', in_channels=DIM, embed_layers=0,
             head=dict(type='BaSNetHead', num_classes=NUM_CLASSES,
                       cas_channels=5, filter_channels=4, dropout=0.0),
             neck=dict(type='DCCNeck', feat_key='base_feats', in_channels=5,
                       bank_size=5, num_clusters=2, num_regions=2,
                       projection_channels=8, hidden_channels=8)))


def test_the_contrast_reaches_the_cas_module_of_basnet():
    model = on_the_features().train()
    losses = model(torch.randn(4, T, DIM), samples([[0], [1], [0, 2], [1]],
                                                   [0, 1, 2, 3]),
                   mode='loss')
    losses['loss_dcc'].backward()
    cas = model.head.cas_module
    for p in (cas.conv1.weight, cas.conv2.weight):
        assert p.grad is not None and p.grad.abs().sum() > 0
    # the classifier and the filter are MIL's alone
    assert model.head.filter[0].weight.grad is None
    assert cas.classifier.weight.grad is None
