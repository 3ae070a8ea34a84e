# DCC (denoised cross-video contrast) on Background Modeling, synthetic set.
# Stage 2 of two; it starts from the model that stage 1 trains:
#   python tools/train.py \
#       configs/dcc/bgmodel-embed_x3d-feat_600-iter_synthetic.py
#   python tools/train.py \
#       configs/dcc/dcc-bgmodel_x3d-feat_600-iter_synthetic.py
_base_ = ['./bgmodel-embed_x3d-feat_600-iter_synthetic.py']

model = dict(
    neck=dict(
        type='DCCNeck',
        bank_size=92,  # see dcc-basnet_x3d-feat_600-iter_synthetic.py
        projection_channels=128,
        hidden_channels=128,
        num_clusters=2,
        num_regions=2,
        # The base T-CAS: the classifier on every snippet.
        cas_key='snippet_logits'))
custom_hooks = [dict(type='DCCBetaHook', start=0.1, end=10000.0)]
load_from = 'work_dirs/bgmodel-embed_x3d-feat_600-iter_synthetic/iter_600.pth'
