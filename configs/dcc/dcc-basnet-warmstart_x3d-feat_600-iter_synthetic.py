# DCC on BaS-Net, stage 2 read as a continuation: it starts
# from the stage-1 weights (load_from) and takes its pseudo-labels from the
# base T-CAS of the network being trained (no teacher). The paper's reading,
# from scratch with a frozen stage-1 teacher:
# dcc-basnet_x3d-feat_600-iter_synthetic.py.
#   python tools/train.py \
#       configs/wstal/basnet_x3d-feat_600-iter_synthetic.py
#   python tools/train.py \
#       configs/dcc/dcc-basnet-warmstart_x3d-feat_600-iter_synthetic.py
_base_ = ['./dcc-basnet_x3d-feat_600-iter_synthetic.py']

model = dict(pseudo_label_teacher=None)
load_from = 'work_dirs/basnet_x3d-feat_600-iter_synthetic/iter_600.pth'
