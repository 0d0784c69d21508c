import { LrpKerasError } from '../errors.js';
import { colorAt, COLORMAP_KINDS, type ColormapName } from './colormaps.js';

/**
 * Tokens coloured by relevance: a self-contained HTML fragment or page (inline styles only, a legend,
 * each token's value in its title and accessible name, text black or white by WCAG contrast) and
 * ANSI-coloured terminal text. Relevance maps to the colour map symmetrically: 0 is the map's centre
 * (white for bwr), ±scale its ends; scale defaults to the largest |relevance| of the tokens drawn.
 * Empty tokens (the padding positions `encodeText` returns as '') are not drawn.
 */
export interface TextHeatmapOptions {
  /** A diverging colour map (default bwr: red positive, blue negative). */
  colormap?: ColormapName;
  /** |relevance| shown at full colour (default the largest |relevance| of the tokens). */
  scale?: number;
  /** A heading above the text (HTML) or line (terminal). */
  title?: string;
  /** Draw the colour legend (default true). */
  legend?: boolean;
}

export interface TokenColour {
  token: string;
  relevance: number;
  background: [number, number, number];
  foreground: [number, number, number];
}

/** WCAG 2 relative luminance of an sRGB colour. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number): number => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever contrasts more with the background (WCAG contrast ratio). */
export function readableOn(background: [number, number, number]): [number, number, number] {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? [0, 0, 0] : [255, 255, 255];
}

/** Each token with its colours; checks that tokens and relevance match and the map is diverging. */
export function tokenColours(tokens: readonly string[], relevance: ArrayLike<number>, options: TextHeatmapOptions = {}): TokenColour[] {
  if (tokens.length !== relevance.length)
    throw new LrpKerasError(`text heatmap: ${tokens.length} tokens but ${relevance.length} relevance values`);
  const colormap = options.colormap ?? 'bwr';
  if (COLORMAP_KINDS[colormap] !== 'diverging')
    throw new LrpKerasError(`text heatmap: colormap '${colormap}' is not diverging; use bwr, seismic or coldnhot`);
  const scale = relevanceScale(drawn(tokens, relevance), options.scale);
  return tokens.map((token, i) => {
    const r = relevance[i];
    const background = colorAt(colormap, scale > 0 ? (r / scale + 1) / 2 : 0.5);
    return { token, relevance: r, background, foreground: readableOn(background) };
  });
}

/** The relevance of the tokens drawn (padding, '', is not), which the colour scale spans. */
const drawn = (tokens: readonly string[], relevance: ArrayLike<number>): number[] =>
  Array.from(relevance).filter((_, i) => tokens[i] !== '');

function relevanceScale(relevance: ArrayLike<number>, given: number | undefined): number {
  if (given !== undefined) {
    if (!(given > 0) || !Number.isFinite(given)) throw new LrpKerasError(`text heatmap: scale must be a positive number, got ${given}`);
    return given;
  }
  let max = 0;
  for (let i = 0; i < relevance.length; i++) {
    if (!Number.isFinite(relevance[i])) throw new LrpKerasError(`text heatmap: relevance of token ${i} is ${relevance[i]}`);
    max = Math.max(max, Math.abs(relevance[i]));
  }
  return max;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const css = ([r, g, b]: [number, number, number]): string => `rgb(${r},${g},${b})`;
const signed = (v: number): string => (v >= 0 ? '+' : '−') + Math.abs(v).toPrecision(3);

/**
 * The heatmap as an HTML fragment (a `<figure>`), or with `page` a whole document: no scripts, no
 * external files. Tokens are `<span>`s with `data-relevance`, a title and an accessible name.
 */
export function textHeatmapHTML(
  tokens: readonly string[],
  relevance: ArrayLike<number>,
  options: TextHeatmapOptions & { page?: boolean } = {},
): string {
  const colours = tokenColours(tokens, relevance, options);
  const scale = relevanceScale(drawn(tokens, relevance), options.scale);
  const spans = colours
    .filter((c) => c.token !== '')
    .map((c) => {
      const label = `${c.token}: ${signed(c.relevance)}`;
      return `<span class="tok" style="background:${css(c.background)};color:${css(c.foreground)}" data-relevance="${c.relevance}" title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}">${escapeHtml(c.token)}</span>`;
    })
    .join(' ');
  const map = options.colormap ?? 'bwr';
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `${css(colorAt(map, t))} ${t * 100}%`).join(',');
  const legend =
    options.legend === false
      ? ''
      : `<figcaption class="legend"><span>${signed(-scale)}</span><span class="bar" role="img" aria-label="colour scale from ${signed(-scale)} (against) through 0 to ${signed(scale)} (for the prediction)" style="background:linear-gradient(to right,${stops})"></span><span>${signed(scale)}</span></figcaption>`;
  const title = options.title ? `<h2>${escapeHtml(options.title)}</h2>` : '';
  const style =
    '<style>.lrp-text{font:18px/2.2 system-ui,sans-serif;max-width:60em}.lrp-text .tok{padding:.15em .3em;border-radius:.25em;white-space:pre}.lrp-text .legend{display:flex;align-items:center;gap:.5em;font-size:14px}.lrp-text .bar{display:inline-block;width:12em;height:1em;border:1px solid #888}.lrp-text h2{font-size:18px;margin:0 0 .3em}</style>';
  const figure = `<figure class="lrp-text">${style}${title}<p>${spans}</p>${legend}</figure>`;
  if (!options.page) return figure;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(options.title ?? 'relevance per token')}</title></head><body>${figure}</body></html>\n`;
}

/** The heatmap as terminal text: 24-bit ANSI background colours (or, with `color: false`, values in brackets). */
export function textHeatmapANSI(
  tokens: readonly string[],
  relevance: ArrayLike<number>,
  options: TextHeatmapOptions & { color?: boolean } = {},
): string {
  const colours = tokenColours(tokens, relevance, options);
  const scale = relevanceScale(drawn(tokens, relevance), options.scale);
  const paint = (bg: [number, number, number], fg: [number, number, number], text: string): string =>
    `\x1b[48;2;${bg.join(';')}m\x1b[38;2;${fg.join(';')}m${text}\x1b[0m`;
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  if (options.color === false) {
    lines.push(
      colours
        .filter((c) => c.token !== '')
        .map((c) => `${c.token}[${signed(c.relevance)}]`)
        .join(' '),
    );
  } else {
    lines.push(
      colours
        .filter((c) => c.token !== '')
        .map((c) => paint(c.background, c.foreground, ` ${c.token} `))
        .join(''),
    );
    if (options.legend !== false) {
      const map = options.colormap ?? 'bwr';
      const bar = Array.from({ length: 21 }, (_, k) => paint(colorAt(map, k / 20), [0, 0, 0], ' ')).join('');
      lines.push(`${signed(-scale)} ${bar} ${signed(scale)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
