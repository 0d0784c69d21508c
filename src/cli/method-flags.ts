import type { AnalyzeOptions } from '../analyze/options.js';
import { parseInteger, parseList, usageError } from './flags.js';

/** `explain`'s flags that become method options: Grad-CAM's layer, occlusion's window, inner targets, conditions. */
export interface MethodFlags {
  layer?: string;
  window?: string | number;
  stride?: string | number;
  targetLayer?: string;
  channel?: string | number;
  condition?: string;
}

/** One heatmap per sample: what it shows (a grid label and a file name suffix) and the options that make it. */
export interface View {
  label: string;
  suffix: string;
  options: Partial<AnalyzeOptions>;
}

/** "8" or "8,4": one integer for every spatial axis or one per axis. */
function perAxis(flag: string, value: string | number | undefined): number | number[] | undefined {
  if (value === undefined) return undefined;
  const list = parseList(value).map((v) => parseInteger(flag, v, 1));
  if (list.length === 0) throw usageError(`--${flag} must be an integer ≥ 1 or one per spatial axis (8,4), got '${String(value)}'`);
  return list.length === 1 ? list[0] : list;
}

/** "conv2d_3:12,40" → the layer and its channels. */
function parseCondition(value: string): { layer: string; channels: number[] } {
  const at = String(value).lastIndexOf(':');
  const layer = String(value).slice(0, at);
  const channels = at < 0 ? [] : parseList(String(value).slice(at + 1)).map((c) => parseInteger('condition', c, 0));
  if (at <= 0 || channels.length === 0)
    throw usageError(`--condition must be LAYER:CHANNEL[,CHANNEL…] (e.g. conv2d_3:12,40), got '${String(value)}'`);
  return { layer, channels };
}

/**
 * The options these flags give every call, and the heatmaps asked for per sample: one, or with
 * --condition one per channel (relevance through that channel of the layer only).
 */
export function methodViews(flags: MethodFlags): { options: Partial<AnalyzeOptions>; views: View[] } {
  const options: Partial<AnalyzeOptions> = {};
  if (flags.layer !== undefined) options.layer = String(flags.layer);
  const window = perAxis('window', flags.window);
  const stride = perAxis('stride', flags.stride);
  if (window !== undefined) options.window = window;
  if (stride !== undefined) options.stride = stride;
  let label = '';
  if ((flags.targetLayer === undefined) !== (flags.channel === undefined))
    throw usageError('--target-layer and --channel go together: the channel of that layer is explained');
  if (flags.targetLayer !== undefined) {
    const channel = parseInteger('channel', flags.channel, 0);
    options.target = { layer: String(flags.targetLayer), channel };
    label = `${flags.targetLayer}:${channel}`;
  }
  if (flags.condition === undefined) return { options, views: [{ label, suffix: '', options: {} }] };
  const { layer, channels } = parseCondition(flags.condition);
  return {
    options,
    views: channels.map((c) => ({
      label: `${label ? `${label} ` : ''}via ${layer}:${c}`,
      suffix: `_${layer}-${c}`,
      options: { condition: { layer, channels: [c] } },
    })),
  };
}
