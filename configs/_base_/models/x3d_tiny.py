# X3D-S with one block per stage width (gamma_d=1): under 1M parameters, small
# enough to train on a CPU in minutes. Multi-label: sigmoid + BCE, and test
# views averaged as raw scores (softmax over classes is wrong for
# multi-label).
model = dict(
    type='Recognizer3D',
    backbone=dict(type='X3D', gamma_w=1, gamma_b=2.25, gamma_d=1),
    cls_head=dict(
        type='X3DHead',
        in_channels=432,
        num_classes=6,
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
    train_cfg=None,
    # Five of the synthetic configs' ten test views per forward, so that the
    # CPU runs go through the chunked testing of the large models.
    test_cfg=dict(max_testing_views=5))
