# DCC (denoised cross-video contrast) on Background Modeling, ActivityNet 1.3.
# Stage 2 of two; it starts from the model that stage 1 trains:
#   python tools/train.py \
#       configs/dcc/bgmodel-embed_i3d-feat_5k-iter_activitynet13.py
#   python tools/train.py \
#       configs/dcc/dcc-bgmodel_i3d-feat_5k-iter_activitynet13.py
_base_ = ['./bgmodel-embed_i3d-feat_5k-iter_activitynet13.py']

model = dict(
    neck=dict(
        type='DCCNeck',
        bank_size=10024,  # see dcc-basnet_i3d-feat_5k-iter_activitynet13.py
        num_clusters=2,
        num_regions=2,
        # The base T-CAS: the classifier on every snippet.
        cas_key='snippet_logits'))
custom_hooks = [dict(type='DCCBetaHook', start=0.1, end=10000.0)]
load_from = ('work_dirs/bgmodel-embed_i3d-feat_5k-iter_activitynet13/'
             'iter_5000.pth')
