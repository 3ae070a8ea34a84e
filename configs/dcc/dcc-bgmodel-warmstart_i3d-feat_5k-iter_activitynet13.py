# DCC on Background Modeling, stage 2 read as a continuation: it starts
# from the stage-1 weights (load_from) and takes its pseudo-labels from the
# base T-CAS of the network being trained (no teacher). The paper's reading,
# from scratch with a frozen stage-1 teacher:
# dcc-bgmodel_i3d-feat_5k-iter_activitynet13.py.
#   python tools/train.py \
#       configs/dcc/bgmodel-embed_i3d-feat_5k-iter_activitynet13.py
#   python tools/train.py \
#       configs/dcc/dcc-bgmodel-warmstart_i3d-feat_5k-iter_activitynet13.py
_base_ = ['./dcc-bgmodel_i3d-feat_5k-iter_activitynet13.py']

model = dict(pseudo_label_teacher=None)
load_from = ('work_dirs/bgmodel-embed_i3d-feat_5k-iter_activitynet13/'
             'iter_5000.pth')
