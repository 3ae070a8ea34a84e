# A WS-TAL localizer on snippet features: one temporal convolution (kernel 3)
# embeds the features, the head (set by the method config) gives video
# scores, a T-CAS and an attention, then detections.
model = dict(
    type='WeakLocalizer',
    in_channels=2048,
    embed_channels=2048,
    embed_layers=1,
    kernel_size=3,
    dropout=0.7,
    head=dict(num_classes=20))
