# builtin:sadtalker-arch: the layer structure and tensor shapes of SadTalker's face renderer
# (facerender.yaml at 256 px: num_kp 15, feature_channel 32, reshape_depth 16, a 27-frame
# coefficient window) with seeded random weights. Architecture only, for sizing and benchmarks:
# real weights come through docs/sadtalker-export.md.
#
# TorchScript compiled at load time, one "#@ kind" section per module kind. Java builds the module
# tree (SadTalkerArch) and defines a kind's section on every module of that kind; the tokens
# PADDING, DILATION, ONES and ZEROS are replaced by int lists of the convolution's rank.
# Only aten builtins resolve here (torch.convolution, torch.grid_sampler, ...), not
# torch.nn.functional. Frames must render to the same bytes in any batch, so small products are
# explicit sums rather than matrix multiplications.

#@ conv
def forward(self, x: Tensor) -> Tensor:
    # On the CPU, oneDNN's batched convolutions in this libtorch build give results that depend
    # on the batch (wrong by whole units once channels reach ~70; batch 1 matches a plain loop):
    # convolve frame by frame there. Activations still grow with the batch; only the scratch
    # space is per frame.
    if x.is_cuda or x.size(0) == 1:
        return torch.convolution(x, self.weight, self.bias, ONES, PADDING, DILATION, False, ZEROS, 1)
    frames = [torch.convolution(x[i:i + 1], self.weight, self.bias, ONES, PADDING, DILATION, False,
                                ZEROS, 1) for i in range(x.size(0))]
    return torch.cat(frames, 0)

#@ conv_nobias
def forward(self, x: Tensor) -> Tensor:
    if x.is_cuda or x.size(0) == 1:
        return torch.convolution(x, self.weight, None, ONES, PADDING, DILATION, False, ZEROS, 1)
    frames = [torch.convolution(x[i:i + 1], self.weight, None, ONES, PADDING, DILATION, False,
                                ZEROS, 1) for i in range(x.size(0))]
    return torch.cat(frames, 0)

#@ norm
def forward(self, x: Tensor) -> Tensor:
    # Batch norm in eval mode: running statistics, per channel.
    return torch.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,
                            False, 0.1, 1e-05, False)

#@ linear
def forward(self, x: Tensor) -> Tensor:
    return (x.unsqueeze(1) * self.weight.unsqueeze(0)).sum(2) + self.bias

#@ same
def forward(self, x: Tensor) -> Tensor:
    return torch.relu(self.norm.forward(self.conv.forward(x)))

#@ same_lrelu
def forward(self, x: Tensor) -> Tensor:
    return torch.leaky_relu(self.norm.forward(self.conv.forward(x)), 0.01)

#@ down2d
def forward(self, x: Tensor) -> Tensor:
    x = torch.relu(self.norm.forward(self.conv.forward(x)))
    return torch.avg_pool2d(x, [2, 2], [2, 2], [0, 0], False, True, None)

#@ down3d
def forward(self, x: Tensor) -> Tensor:
    x = torch.relu(self.norm.forward(self.conv.forward(x)))
    return torch.avg_pool3d(x, [1, 2, 2], [1, 2, 2], [0, 0, 0], False, True, None)

#@ up3d
def forward(self, x: Tensor) -> Tensor:
    x = torch.upsample_nearest3d(x, [x.size(2), x.size(3) * 2, x.size(4) * 2], None, None, None)
    return torch.relu(self.norm.forward(self.conv.forward(x)))

#@ res3d
def forward(self, x: Tensor) -> Tensor:
    out = self.conv1.forward(torch.relu(self.norm1.forward(x)))
    out = self.conv2.forward(torch.relu(self.norm2.forward(out)))
    return out + x

#@ spade
def forward(self, x: Tensor, seg: Tensor) -> Tensor:
    normalized = torch.instance_norm(x, None, None, None, None, True, 0.1, 1e-05, False)
    seg = torch.upsample_nearest2d(seg, [x.size(2), x.size(3)], None, None)
    actv = torch.relu(self.shared.forward(seg))
    return normalized * (1.0 + self.gamma.forward(actv)) + self.beta.forward(actv)

#@ spade_block
def forward(self, x: Tensor, seg: Tensor) -> Tensor:
    dx = self.conv_0.forward(torch.leaky_relu(self.norm_0.forward(x, seg), 0.2))
    dx = self.conv_1.forward(torch.leaky_relu(self.norm_1.forward(dx, seg), 0.2))
    return x + dx

#@ spade_block_shortcut
def forward(self, x: Tensor, seg: Tensor) -> Tensor:
    x_s = self.conv_s.forward(self.norm_s.forward(x, seg))
    dx = self.conv_0.forward(torch.leaky_relu(self.norm_0.forward(x, seg), 0.2))
    dx = self.conv_1.forward(torch.leaky_relu(self.norm_1.forward(dx, seg), 0.2))
    return x_s + dx

#@ root
def grid3d(self, d: int, h: int, w: int, like: Tensor) -> Tensor:
    # [d, h, w, 3] of (x, y, z) in [-1, 1], x fastest: grid_sample's order. Always float32,
    # whatever autocast made of `like`: a bf16 grid rounds every sampling position (31 dB frames
    # on a GPU, where autocast runs grid_sampler in its widest input type). dtype 6 is
    # ScalarType Float: torch.float32 does not resolve in TorchScript defined from C++.
    x = torch.linspace(-1.0, 1.0, w, dtype=6, device=like.device)
    y = torch.linspace(-1.0, 1.0, h, dtype=6, device=like.device)
    z = torch.linspace(-1.0, 1.0, d, dtype=6, device=like.device)
    xx = x.view(1, 1, w).expand(d, h, w)
    yy = y.view(1, h, 1).expand(d, h, w)
    zz = z.view(d, 1, 1).expand(d, h, w)
    return torch.stack([xx, yy, zz], 3)

def keypoints(self, source: Tensor) -> Tensor:
    # KPDetector: a band-limited 1/4 downsampling, KPHourglass (5 down 2D, 1x1 to
    # max_features x depth, 5 up 3D), a 3x3x3 head, then each heatmap's softmax mean.
    x = torch.constant_pad_nd(source, [6, 6, 6, 6], 0.0)
    x = torch.conv2d(x, self.antialias, None, [1, 1], [0, 0], [1, 1], 3)
    x = x[:, :, ::4, ::4]
    x = self.kp_down0.forward(x)
    x = self.kp_down1.forward(x)
    x = self.kp_down2.forward(x)
    x = self.kp_down3.forward(x)
    x = self.kp_down4.forward(x)
    x = self.kp_reshape.forward(x)
    n = x.size(0)
    x = x.view(n, x.size(1) // 16, 16, x.size(2), x.size(3))
    x = self.kp_up0.forward(x)
    x = self.kp_up1.forward(x)
    x = self.kp_up2.forward(x)
    x = self.kp_up3.forward(x)
    x = self.kp_up4.forward(x)
    heat = self.kp_head.forward(x)
    k = heat.size(1)
    d = heat.size(2)
    h = heat.size(3)
    w = heat.size(4)
    heat = torch.softmax(heat.view(n, k, d * h * w) / 0.1, 2).view(n, k, d, h, w, 1)
    grid = self.grid3d(d, h, w, heat).view(1, 1, d, h, w, 3)
    return (heat * grid).sum([2, 3, 4])

def appearance(self, source: Tensor) -> Tensor:
    # The generator's source encoder: [n, feature_channel, depth 16, H/4, W/4].
    x = self.app_first.forward(source)
    x = self.app_down0.forward(x)
    x = self.app_down1.forward(x)
    x = self.app_second.forward(x)
    n = x.size(0)
    x = x.view(n, x.size(1) // 16, 16, x.size(2), x.size(3))
    x = self.app_res0.forward(x)
    x = self.app_res1.forward(x)
    x = self.app_res2.forward(x)
    x = self.app_res3.forward(x)
    x = self.app_res4.forward(x)
    return self.app_res5.forward(x)

def mapping(self, window: Tensor) -> List[Tensor]:
    # MappingNet over a [n, 70, 27] window: yaw, pitch, roll bins, translation, expression.
    out = self.map_first.forward(window)
    out = self.map_enc0.forward(torch.leaky_relu(out, 0.1)) + out[:, :, 3:-3]
    out = self.map_enc1.forward(torch.leaky_relu(out, 0.1)) + out[:, :, 3:-3]
    out = self.map_enc2.forward(torch.leaky_relu(out, 0.1)) + out[:, :, 3:-3]
    out = out.mean(2)
    return [self.map_yaw.forward(out), self.map_pitch.forward(out), self.map_roll.forward(out),
            self.map_t.forward(out), self.map_exp.forward(out)]

def radians(self, bins: Tensor) -> Tensor:
    index = torch.arange(bins.size(1), dtype=bins.dtype, device=bins.device)
    degrees = (torch.softmax(bins, 1) * index).sum(1) * 3.0 - 99.0
    return (degrees / 180.0 * 3.14).view(-1, 1)

def rotation(self, a: Tensor, b: Tensor) -> Tensor:
    return (a.unsqueeze(3) * b.unsqueeze(1)).sum(2)

def transform(self, kp: Tensor, head: List[Tensor]) -> Tensor:
    # keypoint_transformation: rotate the canonical keypoints, shift them, add the expression.
    yaw = self.radians(head[0])
    pitch = self.radians(head[1])
    roll = self.radians(head[2])
    one = torch.ones_like(yaw)
    zero = torch.zeros_like(yaw)
    pitch_m = torch.cat([one, zero, zero, zero, torch.cos(pitch), -torch.sin(pitch),
                         zero, torch.sin(pitch), torch.cos(pitch)], 1).view(-1, 3, 3)
    yaw_m = torch.cat([torch.cos(yaw), zero, torch.sin(yaw), zero, one, zero,
                       -torch.sin(yaw), zero, torch.cos(yaw)], 1).view(-1, 3, 3)
    roll_m = torch.cat([torch.cos(roll), -torch.sin(roll), zero, torch.sin(roll),
                        torch.cos(roll), zero, zero, zero, one], 1).view(-1, 3, 3)
    rot = self.rotation(self.rotation(pitch_m, yaw_m), roll_m)
    rotated = (rot.unsqueeze(1) * kp.unsqueeze(2)).sum(3)
    t = head[3]
    shift = torch.stack([torch.zeros_like(t[:, 1]), t[:, 1], torch.zeros_like(t[:, 1])], 1)
    return rotated + shift.unsqueeze(1) + head[4].view(kp.size(0), -1, 3)

def encode_source(self, source: Tensor) -> Tensor:
    # Once per clip: canonical keypoints, the 3D feature volume and the source's keypoints
    # (its pose from a neutral window), packed as [n, volume + 45 + 45 + 2 (h, w)].
    n = source.size(0)
    canonical = self.keypoints(source)
    feature = self.appearance(source)
    neutral = torch.zeros([n, 70, 27], dtype=source.dtype, device=source.device)
    kp_source = self.transform(canonical, self.mapping(neutral))
    size = torch.tensor([feature.size(3), feature.size(4)], dtype=source.dtype,
                        device=source.device).view(1, 2).expand(n, 2)
    return torch.cat([feature.reshape(n, -1), canonical.reshape(n, -1),
                      kp_source.reshape(n, -1), size], 1)

def dense_motion(self, feature: Tensor, kp_d: Tensor, kp_s: Tensor) -> List[Tensor]:
    # DenseMotionNetwork: the compressed source deformed by each keypoint's motion (15 + the
    # background), with the keypoint heatmaps, through a 3D hourglass into a softmax mask that
    # blends the motions, and an occlusion map.
    n = feature.size(0)
    d = feature.size(2)
    h = feature.size(3)
    w = feature.size(4)
    k = kp_d.size(1)
    f = torch.relu(self.dm_norm.forward(self.dm_compress.forward(feature)))
    c = f.size(1)
    grid = self.grid3d(d, h, w, f).view(1, 1, d, h, w, 3)
    moved = grid - kp_d.view(n, k, 1, 1, 1, 3) + kp_s.view(n, k, 1, 1, 1, 3)
    sparse = torch.cat([grid.expand(n, 1, d, h, w, 3), moved], 1)
    repeated = f.unsqueeze(1).expand(n, k + 1, c, d, h, w).reshape(n * (k + 1), c, d, h, w)
    # Sampling in float32 under autocast: the input and the grid alike.
    deformed = torch.grid_sampler(
        repeated.float(), sparse.float().reshape(n * (k + 1), d, h, w, 3), 0, 0, False)
    deformed = deformed.view(n, k + 1, c, d, h, w)
    g_d = torch.exp(-0.5 * ((grid - kp_d.view(n, k, 1, 1, 1, 3)) ** 2).sum(5) / 0.01)
    g_s = torch.exp(-0.5 * ((grid - kp_s.view(n, k, 1, 1, 1, 3)) ** 2).sum(5) / 0.01)
    heat = torch.cat([torch.zeros_like(g_d[:, 0:1]), g_d - g_s], 1).unsqueeze(2)
    e0 = torch.cat([heat, deformed], 2).view(n, (k + 1) * (c + 1), d, h, w)
    e1 = self.dm_down0.forward(e0)
    e2 = self.dm_down1.forward(e1)
    e3 = self.dm_down2.forward(e2)
    e4 = self.dm_down3.forward(e3)
    e5 = self.dm_down4.forward(e4)
    out = torch.cat([self.dm_up0.forward(e5), e4], 1)
    out = torch.cat([self.dm_up1.forward(out), e3], 1)
    out = torch.cat([self.dm_up2.forward(out), e2], 1)
    out = torch.cat([self.dm_up3.forward(out), e1], 1)
    out = torch.cat([self.dm_up4.forward(out), e0], 1)
    prediction = self.dm_final.forward(out)
    mask = torch.softmax(self.dm_mask.forward(prediction), 1)
    mask = torch.where(mask < 1e-3, torch.zeros_like(mask), mask).unsqueeze(5)
    deformation = (sparse * mask).sum(1)
    occlusion = torch.sigmoid(self.dm_occlusion.forward(prediction.reshape(n, -1, h, w)))
    return [deformation, occlusion]

def forward(self, source: Tensor, coeffs: Tensor) -> Tensor:
    # source: encode_source's output [n or 1, ...] (an image batch [n, 3, H, W] is encoded here);
    # coeffs: windows [n, 70, W >= 25] (27 in SadTalker) or single frames [n, 70].
    n = coeffs.size(0)
    if source.dim() == 4:
        source = self.encode_source(source)
    if source.size(0) != n:
        source = source.expand(n, source.size(1))
    if coeffs.dim() == 2:
        coeffs = coeffs.unsqueeze(2).expand(n, coeffs.size(1), 27)
    assert coeffs.size(1) == 70, "builtin:sadtalker-arch reads 70 coefficients per frame"
    assert coeffs.size(2) >= 25, "builtin:sadtalker-arch needs windows of 25 frames or more"
    c = self.dm_compress.weight.size(1)
    length = source.size(1)
    h = int(source[0, length - 2])
    w = int(source[0, length - 1])
    volume = c * 16 * h * w
    feature = source[:, 0:volume].reshape(n, c, 16, h, w)
    canonical = source[:, volume:volume + 45].reshape(n, 15, 3)
    kp_source = source[:, volume + 45:volume + 90].reshape(n, 15, 3)
    kp_driving = self.transform(canonical, self.mapping(coeffs))
    motion = self.dense_motion(feature, kp_driving, kp_source)
    # OcclusionAwareSPADEGenerator: warp the volume, flatten depth, third, fourth, occlusion.
    out = torch.grid_sampler(feature.float(), motion[0].float(), 0, 0, False)
    out = out.reshape(n, c * 16, h, w)
    out = self.g_fourth.forward(self.g_third.forward(out)) * motion[1]
    # SPADEDecoder: six blocks at H/4, two up blocks, each normalised by the warped features.
    x = self.dec_fc.forward(out)
    x = self.dec_mid0.forward(x, out)
    x = self.dec_mid1.forward(x, out)
    x = self.dec_mid2.forward(x, out)
    x = self.dec_mid3.forward(x, out)
    x = self.dec_mid4.forward(x, out)
    x = self.dec_mid5.forward(x, out)
    x = torch.upsample_nearest2d(x, [h * 2, w * 2], None, None)
    x = self.dec_up0.forward(x, out)
    x = torch.upsample_nearest2d(x, [h * 4, w * 4], None, None)
    x = self.dec_up1.forward(x, out)
    return torch.sigmoid(self.dec_img.forward(torch.leaky_relu(x, 0.2)))
