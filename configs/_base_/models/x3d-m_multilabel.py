# X3D-M for multi-label recognition: a sigmoid + BCE head (multi_class=True,
# no label smoothing) and test views averaged as raw scores.
# The AdaptFocus paper uses X3D-L; MMAction2's zoo ships only X3D-S and X3D-M
# (converted from PySlowFast), so the Charades configs use X3D-M, the larger
# of the two, with the paper's X3D-L clips (32x3).
model = dict(
    type='Recognizer3D',
    backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=2.2),
    cls_head=dict(
        type='X3DHead',
        num_classes=400,
        in_channels=432,
        spatial_type='avg',
        dropout_ratio=0.5,
        fc1_bias=False,
        multi_class=True,
        loss_cls=dict(type='BCELossWithLogits'),
        average_clips='score'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[114.75, 114.75, 114.75],
        std=[57.38, 57.38, 57.38],
        format_shape='NCTHW'),
    # Test views go through the backbone 10 at a time rather than all 30 at
    # once, to bound GPU memory; needs test batch_size 1.
    test_cfg=dict(max_testing_views=10))

# MMAction2 model zoo, configs/recognition/x3d/metafile.yml:
# x3d_m_16x5x1_facebook-kinetics400-rgb (76.4 top-1, ported from PySlowFast).
kinetics400_checkpoint = (
    'https://download.openmmlab.com/mmaction/v1.0/recognition/x3d/facebook/'
    'x3d_m_16x5x1_facebook-kinetics400-rgb_20201027-3f42382a.pth')
