# DCC (denoised cross-video contrast) on Background Modeling, THUMOS14.
# Stage 2 of two, as the paper reads it: a fresh network trains with DCC,
# its pseudo-labels from the frozen stage-1 model (pseudo_label_teacher;
# see dcc-basnet_i3d-feat_5k-iter_thumos14.py):
#   python tools/train.py \
#       configs/dcc/bgmodel-embed_i3d-feat_5k-iter_thumos14.py
#   python tools/train.py \
#       configs/dcc/dcc-bgmodel_i3d-feat_5k-iter_thumos14.py
# The other reading, stage 2 continuing from the stage-1 weights with its
# own pseudo-labels: dcc-bgmodel-warmstart_i3d-feat_5k-iter_thumos14.py.
_base_ = ['./bgmodel-embed_i3d-feat_5k-iter_thumos14.py']

model = dict(
    head=dict(
        # DCC's inference (see dcc-basnet_i3d-feat_5k-iter_thumos14.py):
        # theta_v = 0.2 on the video scores (p_fg; chance 1/21), proposals
        # from the base T-CAS (the classifier on every snippet, w x_t) as
        # softmax probabilities thresholded at 0:0.025:0.9.
        test_cfg=dict(
            cas='snippet',
            tcas_norm='softmax',
            source='cas',
            thresholds=dict(start=0.0, stop=0.9125, step=0.025),
            class_threshold=0.2)),
    neck=dict(
        type='DCCNeck',
        bank_size=200,  # see dcc-basnet_i3d-feat_5k-iter_thumos14.py
        num_clusters=5,
        num_regions=5,
        # The base T-CAS: the classifier on every snippet. The contrast
        # shapes the localizer's embedding (the head has none of its own).
        cas_key='snippet_logits'),
    pseudo_label_teacher=dict(
        checkpoint=('work_dirs/bgmodel-embed_i3d-feat_5k-iter_thumos14/'
                    'iter_5000.pth')))
# beta as the contrast's share of the head's losses (see
# dcc-basnet_i3d-feat_5k-iter_thumos14.py).
custom_hooks = [
    dict(type='DCCBetaHook', start=0.01, end=1.0, balance='loss')
]
