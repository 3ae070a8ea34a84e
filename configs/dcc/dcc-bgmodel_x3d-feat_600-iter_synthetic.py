# DCC (denoised cross-video contrast) on Background Modeling, synthetic set.
# Stage 2 of two, as the paper reads it: a fresh network trains with DCC,
# its pseudo-labels from the frozen stage-1 model (pseudo_label_teacher;
# see dcc-basnet_i3d-feat_5k-iter_thumos14.py):
#   python tools/train.py \
#       configs/dcc/bgmodel-embed_x3d-feat_600-iter_synthetic.py
#   python tools/train.py \
#       configs/dcc/dcc-bgmodel_x3d-feat_600-iter_synthetic.py
# The other reading, stage 2 continuing from the stage-1 weights with its
# own pseudo-labels: dcc-bgmodel-warmstart_x3d-feat_600-iter_synthetic.py.
_base_ = ['./bgmodel-embed_x3d-feat_600-iter_synthetic.py']

model = dict(
    head=dict(
        # DCC's inference (see dcc-bgmodel_i3d-feat_5k-iter_thumos14.py;
        # chance 1/7 with 6 classes, 1/13 with 12).
        test_cfg=dict(
            cas='snippet',
            tcas_norm='softmax',
            source='cas',
            thresholds=dict(start=0.0, stop=0.9125, step=0.025),
            class_threshold=0.2)),
    neck=dict(
        type='DCCNeck',
        bank_size=92,  # see dcc-basnet_x3d-feat_600-iter_synthetic.py
        projection_channels=128,
        hidden_channels=128,
        num_clusters=2,
        num_regions=2,
        # The base T-CAS: the classifier on every snippet.
        cas_key='snippet_logits'),
    pseudo_label_teacher=dict(
        checkpoint=('work_dirs/bgmodel-embed_x3d-feat_600-iter_synthetic/'
                    'iter_600.pth')))
# beta as the contrast's share of the head's losses (see
# dcc-basnet_i3d-feat_5k-iter_thumos14.py).
custom_hooks = [
    dict(type='DCCBetaHook', start=0.01, end=1.0, balance='loss')
]
