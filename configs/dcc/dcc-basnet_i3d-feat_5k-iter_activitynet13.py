# DCC (denoised cross-video contrast) on BaS-Net, ActivityNet 1.3.
# Stage 2 of two, as the paper reads it: a fresh BaS-Net trains with DCC,
# its pseudo-labels from the frozen stage-1 BaS-Net (pseudo_label_teacher;
# see dcc-basnet_i3d-feat_5k-iter_thumos14.py):
#   python tools/train.py \
#       configs/wstal/basnet_i3d-feat_5k-iter_activitynet13.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet_i3d-feat_5k-iter_activitynet13.py
# The other reading, stage 2 continuing from the stage-1 weights with its
# own pseudo-labels: dcc-basnet-warmstart_i3d-feat_5k-iter_activitynet13.py.
_base_ = ['../wstal/basnet_i3d-feat_5k-iter_activitynet13.py']

model = dict(
    head=dict(
        # DCC's inference (see the THUMOS14 config); chance is 1/201 with
        # 200 classes, far below theta_v = 0.2.
        test_cfg=dict(
            branch='base',
            score_branch='supp',
            tcas_norm='softmax',
            thresholds=dict(start=0.0, stop=0.9125, step=0.025),
            class_threshold=0.2)),
    neck=dict(
        type='DCCNeck',
        feat_key='base_feats',
        in_channels=2048,  # cas_channels
        # One slot per (video, label) pair of the 10,024 training videos
        # (one label each assumed; DCCBetaHook logs the true count).
        bank_size=10024,
        num_clusters=2,
        num_regions=2,
        cas_key='base_cas'),
    pseudo_label_teacher=dict(
        checkpoint=('work_dirs/basnet_i3d-feat_5k-iter_activitynet13/'
                    'iter_5000.pth')))
# beta as the contrast's share of the head's losses (see the THUMOS14
# config).
custom_hooks = [
    dict(type='DCCBetaHook', start=0.01, end=1.0, balance='loss')
]
