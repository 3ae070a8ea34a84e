# Background Modeling behind the localizer's temporal-convolution embedding:
# stage 1 of DCC on Background Modeling
# (dcc-bgmodel_x3d-feat_600-iter_synthetic.py).
# configs/wstal/ feeds this head the features as they are, which would
# leave the contrastive loss of stage 2 nothing to shape.
_base_ = ['../wstal/bgmodel_x3d-feat_600-iter_synthetic.py']

model = dict(embed_layers=1, embed_channels=256, dropout=0.5)
