# DCC (denoised cross-video contrast) on BaS-Net, synthetic long videos.
# Stage 2 of two, as the paper reads it: a fresh BaS-Net trains with DCC,
# its pseudo-labels from the frozen stage-1 BaS-Net (pseudo_label_teacher;
# see dcc-basnet_i3d-feat_5k-iter_thumos14.py):
#   python tools/train.py \
#       configs/wstal/basnet_x3d-feat_600-iter_synthetic.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py
# The other reading, stage 2 continuing from the stage-1 weights with its
# own pseudo-labels: dcc-basnet-warmstart_x3d-feat_600-iter_synthetic.py.
_base_ = ['../wstal/basnet_x3d-feat_600-iter_synthetic.py']

model = dict(
    head=dict(
        # DCC's inference (see the THUMOS14 config); chance is 1/7 with the
        # 6 classes of the synthetic set (1/13 with the 12 of the context
        # features of benchmarks/wstal_synthetic.py), below theta_v = 0.2.
        test_cfg=dict(
            branch='base',
            score_branch='supp',
            tcas_norm='softmax',
            thresholds=dict(start=0.0, stop=0.9125, step=0.025),
            class_threshold=0.2)),
    neck=dict(
        type='DCCNeck',
        feat_key='base_feats',
        in_channels=256,  # cas_channels
        # a projection as narrow as the 256-wide CAS module
        projection_channels=128,
        hidden_channels=128,
        # One slot per (video, label) pair of the training set;
        # benchmarks/wstal_synthetic.py sets its own, DCCBetaHook logs yours.
        bank_size=92,
        # T = 48 as ActivityNet's 50: K = M = 2 as the paper there.
        num_clusters=2,
        num_regions=2,
        cas_key='base_cas'),
    pseudo_label_teacher=dict(
        checkpoint=('work_dirs/basnet_x3d-feat_600-iter_synthetic/'
                    'iter_600.pth')))
# beta as the contrast's share of the head's losses (see the THUMOS14
# config).
custom_hooks = [
    dict(type='DCCBetaHook', start=0.01, end=1.0, balance='loss')
]
