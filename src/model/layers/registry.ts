// biome-ignore-all format: the class table groups the names of one family on one line
import type { LayerSpec } from '../config.js';
import { activationLayer, eluLayer, leakyReluLayer, preluLayer, reluLayerBuilder, softmaxLayer, thresholdedReluLayer } from './activation.js';
import type { LayerBuilder } from './context.js';
import { conv1dTransposeLayer, conv2dTransposeLayer } from './conv-transpose.js';
import {
  conv1dLayer, conv2dLayer, depthwiseConv1dLayer, depthwiseConv2dLayer, separableConv1dLayer, separableConv2dLayer,
} from './convolution.js';
import { batchNormalizationLayer, denseLayer, identityLayer } from './core.js';
import {
  addLayer, averageLayer, concatenateLayer, maximumLayer, mergeLayer, minimumLayer, multiplyLayer, subtractLayer,
} from './merging.js';
import { multiHeadAttentionLayer } from './attention.js';
import { layerNormalizationLayer } from './normalization.js';
import {
  avgPool1dLayer, avgPool2dLayer, globalAvgPool2dLayer, globalMaxPool1dLayer, globalMaxPool2dLayer,
  maxPool1dLayer, maxPool2dLayer,
} from './pooling.js';
import {
  cropping1dLayer, cropping2dLayer, flattenLayer, permuteLayer, repeatVectorLayer, reshapeLayer, upSampling1dLayer, upSampling2dLayer,
  zeroPadding1dLayer, zeroPadding2dLayer,
} from './reshaping.js';
import { centerCropLayer, normalizationLayer, rescalingLayer, resizingLayer } from './preprocessing.js';
import { bidirectionalLayer, recurrentLayer } from './recurrent.js';
import { embeddingLayer, globalAvgPool1dMasked, maskingLayer } from './sequence.js';
import { isOperationNode, opLayer } from './tf-ops.js';
import { timeDistributed } from './time-distributed.js';

/** Random augmentation layers: identities at inference, where the model is run. */
const RANDOM_AUGMENTATIONS = [
  'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomContrast', 'RandomBrightness', 'RandomHeight',
  'RandomWidth', 'RandomGrayscale', 'RandomHue', 'RandomSaturation', 'RandomSharpness', 'RandomShear', 'RandomColorJitter',
  'RandomColorDegeneration', 'RandomPosterization', 'RandomInvert', 'RandomErasing', 'RandomGaussianBlur', 'RandomPerspective',
  'RandomElasticTransform',
];

/** Every supported Keras layer class (with Keras 1 names) and how it lowers to graph nodes. */
export const LAYER_BUILDERS: Readonly<Record<string, LayerBuilder>> = Object.freeze(Object.assign(Object.create(null), {
  Dense: denseLayer,
  Conv1D: conv1dLayer, Convolution1D: conv1dLayer,
  Conv2D: conv2dLayer, Convolution2D: conv2dLayer,
  DepthwiseConv1D: depthwiseConv1dLayer, DepthwiseConv2D: depthwiseConv2dLayer,
  SeparableConv1D: separableConv1dLayer, SeparableConv2D: separableConv2dLayer,
  MaxPooling1D: maxPool1dLayer, MaxPool1D: maxPool1dLayer, MaxPooling2D: maxPool2dLayer, MaxPool2D: maxPool2dLayer,
  AveragePooling1D: avgPool1dLayer, AvgPool1D: avgPool1dLayer, AveragePooling2D: avgPool2dLayer, AvgPool2D: avgPool2dLayer,
  GlobalMaxPooling1D: globalMaxPool1dLayer, GlobalMaxPool1D: globalMaxPool1dLayer,
  GlobalMaxPooling2D: globalMaxPool2dLayer, GlobalMaxPool2D: globalMaxPool2dLayer,
  GlobalAveragePooling1D: globalAvgPool1dMasked, GlobalAvgPool1D: globalAvgPool1dMasked,
  GlobalAveragePooling2D: globalAvgPool2dLayer, GlobalAvgPool2D: globalAvgPool2dLayer,
  Flatten: flattenLayer, Reshape: reshapeLayer, Permute: permuteLayer,
  ZeroPadding1D: zeroPadding1dLayer, ZeroPadding2D: zeroPadding2dLayer,
  Cropping1D: cropping1dLayer, Cropping2D: cropping2dLayer,
  UpSampling1D: upSampling1dLayer, UpSampling2D: upSampling2dLayer,
  Dropout: identityLayer, SpatialDropout1D: identityLayer, SpatialDropout2D: identityLayer, SpatialDropout3D: identityLayer,
  GaussianNoise: identityLayer, GaussianDropout: identityLayer, AlphaDropout: identityLayer, ActivityRegularization: identityLayer,
  BatchNormalization: batchNormalizationLayer,
  Activation: activationLayer, ReLU: reluLayerBuilder, LeakyReLU: leakyReluLayer, ELU: eluLayer,
  ThresholdedReLU: thresholdedReluLayer, Softmax: softmaxLayer,
  Add: addLayer, Average: averageLayer, Concatenate: concatenateLayer, Merge: mergeLayer,
  Subtract: subtractLayer, Multiply: multiplyLayer, Maximum: maximumLayer, Minimum: minimumLayer,
  Conv1DTranspose: conv1dTransposeLayer, Convolution1DTranspose: conv1dTransposeLayer,
  Conv2DTranspose: conv2dTransposeLayer, Convolution2DTranspose: conv2dTransposeLayer,
  PReLU: preluLayer, LayerNormalization: layerNormalizationLayer,
  Rescaling: rescalingLayer, Normalization: normalizationLayer, Resizing: resizingLayer, CenterCrop: centerCropLayer,
  RepeatVector: repeatVectorLayer,
  MultiHeadAttention: multiHeadAttentionLayer, TFOpLambda: opLayer, SlicingOpLambda: opLayer,
  Embedding: embeddingLayer, Masking: maskingLayer,
  SimpleRNN: recurrentLayer('SimpleRNN'), LSTM: recurrentLayer('LSTM'), GRU: recurrentLayer('GRU'),
  CuDNNLSTM: recurrentLayer('CuDNNLSTM'), CuDNNGRU: recurrentLayer('CuDNNGRU'), RNN: recurrentLayer('RNN'), Bidirectional: bidirectionalLayer,
  TimeDistributed: timeDistributed((className) => LAYER_BUILDERS[className]),
}, Object.fromEntries(RANDOM_AUGMENTATIONS.map((name) => [name, identityLayer]))));

/** Why well-known layers are refused, for a message more useful than "unsupported". */
export const UNSUPPORTED_REASONS: Readonly<Record<string, string>> = Object.freeze(Object.assign(Object.create(null), {
  Lambda: 'a Lambda layer holds arbitrary Python code',
  Dot: 'Dot has no LRP rule here',
  RandomCrop: 'RandomCrop at inference crops or resizes differently across Keras versions',
}));

/** How a config entry lowers: Keras 3 operation nodes (`keras.src.ops…`) by their op, layers by their class. */
export const builderFor = (layer: LayerSpec): LayerBuilder | undefined =>
  isOperationNode(layer) ? opLayer : Object.hasOwn(LAYER_BUILDERS, layer.className) ? LAYER_BUILDERS[layer.className] : undefined;
