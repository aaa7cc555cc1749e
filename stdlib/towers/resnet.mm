# CLIP's ModifiedResNet (Radford et al., 2021), in the layout of OpenAI's released code
# (`clip/model.py`; Hugging Face has no ResNet CLIP): a stem of three 3x3 convolutions with
# an average pool, bottleneck stages that downsample with average pooling ("anti-aliased"
# strided convolutions), and an attention pool (one query: the mean token) in place of the
# global average pool.
#
# BatchNorm is std/towers/resnet2d.mm's (running statistics as buffers, eval mode by default).
# The names are OpenAI's (`visual.X` of the checkpoint is `vision_model.X`), the downsample
# branch's `downsample.0` / `downsample.1` included.

import "std/nn/layers.mm"
import { BatchNorm } from "std/towers/resnet2d.mm"

## A bias-free square convolution (every convolution of the ModifiedResNet is one).
block Conv2d(in_channels: Int, out_channels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
  param weight: [out_channels, in_channels, kernel, kernel] init kaiming_normal
  forward(x: [B, in_channels, H, W])
    -> [B, out_channels, (H + 2 * padding - kernel) // stride + 1, (W + 2 * padding - kernel) // stride + 1] {
    return conv2d(x, weight, stride: stride, padding: padding)
  }
}

## OpenAI's Bottleneck: 1x1, 3x3, (average pool when strided), 1x1 with expansion 4.
block Bottleneck(inplanes: Int, planes: Int, stride: Int = 1) {
  let outplanes = planes * 4
  conv1 = Conv2d(inplanes, planes, 1)
  bn1 = BatchNorm(planes)
  conv2 = Conv2d(planes, planes, 3, padding: 1)
  bn2 = BatchNorm(planes)
  conv3 = Conv2d(planes, outplanes, 1)
  bn3 = BatchNorm(outplanes)
  # OpenAI's nn.Sequential "-1" (AvgPool2d), "0" (conv), "1" (bn): the pool has no weights and
  # is applied in forward, so the two that do keep their state-dict names.
  downsample = sequential(Conv2d(inplanes, outplanes, 1), BatchNorm(outplanes)) if stride > 1 || inplanes != outplanes
  forward(x: [B, inplanes, H, W]) -> [B, outplanes, H // stride, W // stride] {
    let out = relu(bn2(conv2(relu(bn1(conv1(x))))))
    let identity = x
    if stride > 1 {
      out = avg_pool2d(out, stride)
    }
    if stride > 1 {
      identity = avg_pool2d(x, stride)
    }
    if stride > 1 || inplanes != outplanes {
      identity = downsample(identity)
    }
    return relu(bn3(conv3(out)) + identity)
  }
}

## Attention pooling: the mean of the feature map's tokens is prepended as the one query;
## positions are learned; `c_proj` (the attention's output projection) maps to output_dim.
block AttentionPool2d(spacial_dim: Int, embed_dim: Int, heads: Int, output_dim: Int = embed_dim)
  where embed_dim % heads == 0 {
  param positional_embedding: [spacial_dim ** 2 + 1, embed_dim] init normal(std: embed_dim ** -0.5)
  k_proj = Linear(embed_dim, embed_dim)
  q_proj = Linear(embed_dim, embed_dim)
  v_proj = Linear(embed_dim, embed_dim)
  c_proj = Linear(embed_dim, output_dim)
  forward(x: [B, embed_dim, spacial_dim, spacial_dim]) -> [B, output_dim] {
    let tokens = flatten(x, start: 2).T                                     # [B, HW, C]
    let seq = concat([mean(tokens, [1], keepdim: true), tokens], axis: 1) + positional_embedding
    let pooled = attention(q_proj(seq[:, 0:1]), k_proj(seq), v_proj(seq), heads: heads)
    return squeeze(c_proj(pooled), 1)
  }
}

## CLIP's ModifiedResNet. RN50: layers [3, 4, 6, 3], width 64, heads 32, output_dim 1024.
## `last_hidden_state` is the last stage's feature map; `pooler_output` the attention pool.
tower ModifiedResNet(layers: [Int] = [3, 4, 6, 3], output_dim: Int = 1024, heads: Int = 32,
                     image: Int = 224, width: Int = 64)
  where image % 32 == 0 {
  let grid = image / 32
  conv1 = Conv2d(3, width / 2, 3, stride: 2, padding: 1)
  bn1 = BatchNorm(width / 2)
  conv2 = Conv2d(width / 2, width / 2, 3, padding: 1)
  bn2 = BatchNorm(width / 2)
  conv3 = Conv2d(width / 2, width, 3, padding: 1)
  bn3 = BatchNorm(width)
  layer1 = repeat layers[0] as i Bottleneck(if i == 0 then width else width * 4, width)
  layer2 = repeat layers[1] as i Bottleneck(if i == 0 then width * 4 else width * 8, width * 2,
                                            stride: if i == 0 then 2 else 1)
  layer3 = repeat layers[2] as i Bottleneck(if i == 0 then width * 8 else width * 16, width * 4,
                                            stride: if i == 0 then 2 else 1)
  layer4 = repeat layers[3] as i Bottleneck(if i == 0 then width * 16 else width * 32, width * 8,
                                            stride: if i == 0 then 2 else 1)
  attnpool = AttentionPool2d(grid, width * 32, heads, output_dim)
  forward(pixel_values: [B, 3, image, image])
    -> (last_hidden_state: [B, width * 32, grid, grid], pooler_output: [B, output_dim]) {
    let x = relu(bn1(conv1(pixel_values)))
    x = relu(bn2(conv2(x)))
    x = relu(bn3(conv3(x)))
    x = avg_pool2d(x, 2)
    x = layer4(layer3(layer2(layer1(x))))
    last_hidden_state = x
    pooler_output = attnpool(x)
  }
}
