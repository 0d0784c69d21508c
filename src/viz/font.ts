// biome-ignore-all format: the glyph table is laid out as a table
import type { RGBA, RGBAImage } from './image.js';

/**
 * A 5×7 bitmap font in the style of the HD44780 character ROM, so labels need no font files and no
 * canvas. Each glyph is 7 rows above the baseline, top first, as 2 hex digits a row (bit 4 is the
 * leftmost pixel), and g, j, p, q, y and the comma have 2 more rows below it (as the ROM's 5×10
 * glyphs do), so that "flipping" does not read "f1iPPin9". Characters without a glyph are drawn as '?'.
 */
const GLYPHS: Readonly<Record<string, string>> = {
  ' ': '00000000000000', '0': '0e11131519110e', '1': '040c040404040e', '2': '0e11010204081f', '3': '1f02040201110e',
  '4': '02060a121f0202', '5': '1f101e0101110e', '6': '0608101e11110e', '7': '1f010204080808', '8': '0e11110e11110e',
  '9': '0e11110f01020c', A: '0e1111111f1111', B: '1e11111e11111e', C: '0e11101010110e', D: '1c12111111121c',
  E: '1f10101e10101f', F: '1f10101e101010', G: '0e11101711110f', H: '1111111f111111', I: '0e04040404040e',
  J: '0702020202120c', K: '11121418141211', L: '1010101010101f', M: '111b1515111111', N: '11111915131111',
  O: '0e11111111110e', P: '1e11111e101010', Q: '0e11111115120d', R: '1e11111e141211', S: '0f10100e01011e',
  T: '1f040404040404', U: '1111111111110e', V: '11111111110a04', W: '1111111515150a', X: '11110a040a1111',
  Y: '1111110a040404', Z: '1f01020408101f', a: '00000e010f110f', b: '1010161911111e', c: '00000e1010110e',
  d: '01010d1311110f', e: '00000e111f100e', f: '0609081c080808', g: '00000f1111110f010e', h: '10101619111111',
  i: '04000c0404040e', j: '02000602020202120c', k: '10101214181412', l: '0c04040404040e', m: '00001a15151111',
  n: '00001619111111', o: '00000e1111110e', p: '00001e1111111e1010', q: '00000f1111110f0101', r: '00001619101010',
  s: '00000e100e011e', t: '08081c08080906', u: '0000111111130d', v: '00001111110a04', w: '0000111115150a',
  x: '0000110a040a11', y: '0000111111110f010e', z: '00001f0204081f', '.': '00000000000c0c', ',': '0000000000000c0408',
  ':': '000c0c000c0c00', ';': '000c0c000c0408', '!': '04040404000004', '?': '0e110102040004', '(': '02040808080402',
  ')': '08040202020408', '[': '0e08080808080e', ']': '0e02020202020e', '{': '02040408040402', '}': '08040402040408',
  '-': '0000001f000000', '+': '0004041f040400', '=': '00001f001f0000', '_': '0000000000001f', '/': '00010204081000',
  '\\': '00100804020100', '%': '18190204081303', '#': '0a0a1f0a1f0a0a', '*': '0004150e150400', '<': '02040810080402',
  '>': '08040201020408', '&': '0c12140815120d', '|': '04040404040404', '@': '0e11010d15150e', '$': '040f140e051e04',
  '^': '040a1100000000', "'": '0c040800000000', '"': '0a0a0a00000000', '~': '00000815020000',
};

const GLYPH_WIDTH = 5;
/** Rows from the top of a line to the baseline. */
export const GLYPH_HEIGHT = 7;
/** Rows a line of text may paint: the glyphs and their descenders. */
export const TEXT_HEIGHT = 9;
/** Horizontal distance between glyph origins: the glyph and one blank column. */
const ADVANCE = GLYPH_WIDTH + 1;

/** Glyph rows as bit masks, decoded once. */
const ROWS: ReadonlyMap<string, Uint8Array> = new Map(
  Object.entries(GLYPHS).map(([ch, hex]) => {
    const rows = Uint8Array.from({ length: hex.length / 2 }, (_, r) => parseInt(hex.slice(2 * r, 2 * r + 2), 16));
    return [ch, rows];
  }),
);

/** Width in pixels of `text` drawn at `scale` (no trailing gap). */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale;
}

/** Draws `text` with its top-left corner at (x, y) (descenders reach TEXT_HEIGHT rows down), each font pixel a scale × scale square; clipped to the image. */
export function drawText(image: RGBAImage, text: string, x: number, y: number, color: RGBA, scale = 1): void {
  const { width, height, data } = image;
  const fallback = ROWS.get('?') as Uint8Array;
  for (let k = 0; k < text.length; k++) {
    const rows = ROWS.get(text[k]) ?? fallback;
    const left = x + k * ADVANCE * scale;
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < GLYPH_WIDTH; c++) {
        if (((rows[r] >> (GLYPH_WIDTH - 1 - c)) & 1) === 0) continue;
        for (let py = y + r * scale; py < y + (r + 1) * scale; py++) {
          if (py < 0 || py >= height) continue;
          for (let px = left + c * scale; px < left + (c + 1) * scale; px++) {
            if (px < 0 || px >= width) continue;
            const o = (py * width + px) * 4;
            data[o] = color[0];
            data[o + 1] = color[1];
            data[o + 2] = color[2];
            data[o + 3] = color[3];
          }
        }
      }
    }
  }
}
