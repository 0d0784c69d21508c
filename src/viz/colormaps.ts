import { LrpKerasError } from '../errors.js';

/**
 * Colour maps: t ∈ [0, 1] → RGB bytes. Diverging maps put zero relevance at t = 0.5, so a
 * symmetric relevance r ∈ [-1, 1] is looked up at t = (r + 1) / 2; sequential maps put it at t = 0.
 *
 * bwr, seismic, hot, gray and jet are matplotlib's definitions (`_cm.py`) evaluated exactly at t.
 * matplotlib instead samples them into 256 entries at i / 255 and picks entry ⌊256·t⌋: at those
 * sample points our bytes are its colours rounded, in between it steps where we interpolate (jet(0.5)
 * is (123, 255, 123) here, (125, 255, 122) there), and only so is bwr(0.5) exactly white.
 * viridis is matplotlib's 256-entry table, looked up as matplotlib does. coldnhot and wred are
 * Zennit's (`image.py`), with its node positions.
 */

/** Writes the colour at t (clamped to [0, 1]) as RGB bytes into out[at], out[at + 1], out[at + 2]. */
export type Colormap = (t: number, out: Uint8Array | Uint8ClampedArray, at: number) => void;

export type ColormapName = 'bwr' | 'seismic' | 'coldnhot' | 'wred' | 'hot' | 'gray' | 'jet' | 'viridis';

/** One channel as knots [x0, y0, x1, y1, …] with ascending x from 0 to 1 and y in [0, 1]. */
type Knots = readonly number[];

/** Piecewise-linear interpolation of one channel; few knots, so a linear scan is fastest. */
function interpolate(knots: Knots, t: number): number {
  let k = 2;
  while (k < knots.length - 2 && t > knots[k]) k += 2;
  const x0 = knots[k - 2];
  const x1 = knots[k];
  return x1 === x0 ? knots[k + 1] : knots[k - 1] + ((knots[k + 1] - knots[k - 1]) * (t - x0)) / (x1 - x0);
}

const clamp01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t);

/** A map given per channel, like matplotlib's `segmentdata` (all our maps are continuous: y0 = y1). */
function segmented(red: Knots, green: Knots, blue: Knots): Colormap {
  return (t, out, at) => {
    const u = clamp01(t);
    out[at] = Math.round(255 * interpolate(red, u));
    out[at + 1] = Math.round(255 * interpolate(green, u));
    out[at + 2] = Math.round(255 * interpolate(blue, u));
  };
}

/** Colours at given positions, shared by all channels; `stops` is [[x, r, g, b], …] with r, g, b in [0, 1]. */
function stopped(stops: readonly (readonly number[])[]): Colormap {
  const channel = (c: number): number[] => stops.flatMap((s) => [s[0], s[c]]);
  return segmented(channel(1), channel(2), channel(3));
}

/** Evenly spaced colours, as matplotlib's `LinearSegmentedColormap.from_list`. */
const evenly = (colors: readonly (readonly number[])[]): Colormap => stopped(colors.map((c, i) => [i / (colors.length - 1), ...c]));

/**
 * Zennit's colour-map language places node i at palette index p_i ∈ [0, 255] (t = p_i / 255);
 * colours are hex bytes. Nodes are given here already resolved to [index, 0xRRGGBB].
 */
const zennit = (nodes: readonly (readonly [number, number])[]): Colormap =>
  stopped(nodes.map(([p, rgb]) => [p / 255, (rgb >> 16) / 255, ((rgb >> 8) & 255) / 255, (rgb & 255) / 255]));

/** matplotlib's viridis, 256 entries rounded to bytes (what we output anyway), 16 entries a line. */
const VIRIDIS_HEX =
  '44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769' +
  '48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a' +
  '472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85' +
  '4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b' +
  '3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d' +
  '33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e' +
  '2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e' +
  '26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d' +
  '21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88' +
  '1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81' +
  '28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74' +
  '3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863' +
  '5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d' +
  '84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32' +
  'addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a' +
  'd8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725';

/** A table of n RGB entries looked up as matplotlib's `ListedColormap`: entry ⌊n·t⌋, clamped. */
function listed(table: Uint8Array): Colormap {
  const n = table.length / 3;
  return (t, out, at) => {
    const i = 3 * Math.min(n - 1, Math.floor(n * clamp01(t)));
    out[at] = table[i];
    out[at + 1] = table[i + 1];
    out[at + 2] = table[i + 2];
  };
}

const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));

/**
 * Diverging maps have a neutral middle for zero relevance, negative below, positive above; sequential
 * maps run from nothing to most, so zero relevance is their start (see `HeatmapOptions.sequential`).
 */
export const COLORMAP_KINDS: Readonly<Record<ColormapName, 'diverging' | 'sequential'>> = {
  bwr: 'diverging',
  seismic: 'diverging',
  coldnhot: 'diverging',
  wred: 'sequential',
  hot: 'sequential',
  gray: 'sequential',
  jet: 'sequential',
  viridis: 'sequential',
};

export const colormaps: Readonly<Record<ColormapName, Colormap>> = {
  bwr: evenly([
    [0, 0, 1],
    [1, 1, 1],
    [1, 0, 0],
  ]),
  seismic: evenly([
    [0, 0, 0.3],
    [0, 0, 1],
    [1, 1, 1],
    [1, 0, 0],
    [0.5, 0, 0],
  ]),
  // Zennit '0ff,00f,80:000,f00,ff0,fff': unindexed nodes spread evenly (and truncated) between indexed ones.
  coldnhot: zennit([
    [0, 0x00ffff],
    [64, 0x0000ff],
    [128, 0x000000],
    [170, 0xff0000],
    [212, 0xffff00],
    [255, 0xffffff],
  ]),
  // Zennit 'fff,f00'.
  wred: zennit([
    [0, 0xffffff],
    [255, 0xff0000],
  ]),
  hot: segmented([0, 0.0416, 0.365079, 1, 1, 1], [0, 0, 0.365079, 0, 0.746032, 1, 1, 1], [0, 0, 0.746032, 0, 1, 1]),
  gray: segmented([0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]),
  jet: segmented(
    [0, 0, 0.35, 0, 0.66, 1, 0.89, 1, 1, 0.5],
    [0, 0, 0.125, 0, 0.375, 1, 0.64, 1, 0.91, 0, 1, 0],
    [0, 0.5, 0.11, 1, 0.34, 1, 0.65, 0, 1, 0],
  ),
  viridis: listed(fromHex(VIRIDIS_HEX)),
};

/** A colour map by name (an LrpKerasError for an unknown one), or the given function itself. */
export function resolveColormap(colormap: ColormapName | Colormap): Colormap {
  if (typeof colormap === 'function') return colormap;
  if (!Object.hasOwn(colormaps, colormap)) {
    throw new LrpKerasError(`unknown colormap '${String(colormap)}'; known: ${Object.keys(colormaps).join(', ')}`);
  }
  return colormaps[colormap];
}

/** The colour at t as [r, g, b] bytes: for one-off look-ups; images use the Colormap directly. */
export function colorAt(colormap: ColormapName | Colormap, t: number): [number, number, number] {
  const rgb = new Uint8Array(3);
  resolveColormap(colormap)(t, rgb, 0);
  return [rgb[0], rgb[1], rgb[2]];
}
