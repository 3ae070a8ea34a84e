# DCC (denoised cross-video contrast) on BaS-Net, synthetic long videos.
# Stage 2 of two; it starts from the BaS-Net that stage 1 trains:
#   python tools/train.py \
#       configs/wstal/basnet_x3d-feat_600-iter_synthetic.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet_x3d-feat_600-iter_synthetic.py
_base_ = ['../wstal/basnet_x3d-feat_600-iter_synthetic.py']

model = dict(
    neck=dict(
        type='DCCNeck',
        # The (video, label) pairs of the 45 training videos of the 60-video
        # set of benchmarks/wstal_synthetic.py; DCCBetaHook logs yours.
        bank_size=92,
        # A 256-wide embedding: a projection as narrow.
        projection_channels=128,
        hidden_channels=128,
        # T = 48 as ActivityNet's 50: K = M = 2 as the paper there.
        num_clusters=2,
        num_regions=2,
        cas_key='base_cas'))
custom_hooks = [dict(type='DCCBetaHook', start=0.1, end=10000.0)]
load_from = 'work_dirs/basnet_x3d-feat_600-iter_synthetic/iter_600.pth'
