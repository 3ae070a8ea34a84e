# AdaptFocus on synthetic long videos: the weak baseline's tiny X3D, data and
# schedule, trained with the AdaptFocus loss (action and clip focusing on
# online spike-actionness estimates) after a noisy warm-up of 20% of the
# iterations. mode='noisy' | 'clip_only' | 'action_only' gives the ablations.
_base_ = ['../weak/weak_x3d-tiny_8x4_30e_synthetic.py']

model = dict(
    type='AdaptFocusRecognizer3D',
    cls_head=dict(
        loss_cls=dict(
            _delete_=True,
            type='AdaptFocusLoss',
            mode='adaptfocus',
            weighting='exponential',
            theta=0.75)))

custom_hooks = [dict(type='AdaptFocusHook', warmup_ratio=0.2)]
