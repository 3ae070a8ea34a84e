# DCC (denoised cross-video contrast) on BaS-Net, the paper's setting.
# Stage 2 of two; it starts from the BaS-Net that stage 1 trains:
#   python tools/train.py \
#       configs/wstal/basnet_i3d-feat_5k-iter_thumos14.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet_i3d-feat_5k-iter_thumos14.py
_base_ = ['../wstal/basnet_i3d-feat_5k-iter_thumos14.py']

model = dict(
    neck=dict(
        type='DCCNeck',
        # One slot per (video, label) pair of the training set: 200 assumes
        # one label per validation video; DCCBetaHook logs the true count.
        bank_size=200,
        num_clusters=5,
        num_regions=5,
        cas_key='base_cas'))
custom_hooks = [dict(type='DCCBetaHook', start=0.1, end=10000.0)]
load_from = 'work_dirs/basnet_i3d-feat_5k-iter_thumos14/iter_5000.pth'
