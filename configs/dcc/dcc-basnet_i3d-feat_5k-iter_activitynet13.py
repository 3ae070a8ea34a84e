# DCC (denoised cross-video contrast) on BaS-Net, ActivityNet 1.3.
# Stage 2 of two; it starts from the BaS-Net that stage 1 trains:
#   python tools/train.py \
#       configs/wstal/basnet_i3d-feat_5k-iter_activitynet13.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet_i3d-feat_5k-iter_activitynet13.py
_base_ = ['../wstal/basnet_i3d-feat_5k-iter_activitynet13.py']

model = dict(
    neck=dict(
        type='DCCNeck',
        # One slot per (video, label) pair of the 10,024 training videos
        # (one label each assumed; DCCBetaHook logs the true count).
        bank_size=10024,
        num_clusters=2,
        num_regions=2,
        cas_key='base_cas'))
custom_hooks = [dict(type='DCCBetaHook', start=0.1, end=10000.0)]
load_from = 'work_dirs/basnet_i3d-feat_5k-iter_activitynet13/iter_5000.pth'
