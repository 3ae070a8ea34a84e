# Background Modeling behind the localizer's temporal-convolution embedding:
# stage 1 of DCC on Background Modeling
# (dcc-bgmodel_i3d-feat_5k-iter_activitynet13.py).
# configs/wstal/ feeds this head the features as they are, which would
# leave the contrastive loss of stage 2 nothing to shape.
_base_ = ['../wstal/bgmodel_i3d-feat_5k-iter_activitynet13.py']

model = dict(embed_layers=1)
