import { LrpKerasError } from '../errors.js';

/** An 8-bit RGBA raster, row-major, 4 bytes a pixel: the layout of the browser's `ImageData`. */
export interface RGBAImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** An RGBA colour as bytes. */
export type RGBA = readonly [number, number, number, number];

/** A new image filled with one colour. */
export function solidImage(width: number, height: number, color: RGBA): RGBAImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = color[0];
    data[i + 1] = color[1];
    data[i + 2] = color[2];
    data[i + 3] = color[3];
  }
  return { width, height, data };
}

/** Enlarges an image by an integer factor, each pixel becoming a factor × factor block (no smoothing). */
export function upscaleNearest(image: RGBAImage, factor: number): RGBAImage {
  if (!Number.isInteger(factor) || factor < 1) throw new LrpKerasError(`scale must be an integer ≥ 1, got ${factor}`);
  if (factor === 1) return image;
  const { width, height, data } = image;
  const outWidth = width * factor;
  const out = new Uint8ClampedArray(outWidth * height * factor * 4);
  // Build each output row once, then copy it to the factor − 1 rows below it.
  for (let y = 0; y < height; y++) {
    const rowStart = y * factor * outWidth * 4;
    let o = rowStart;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      for (let r = 0; r < factor; r++, o += 4) {
        out[o] = data[i];
        out[o + 1] = data[i + 1];
        out[o + 2] = data[i + 2];
        out[o + 3] = data[i + 3];
      }
    }
    for (let r = 1; r < factor; r++) out.copyWithin(rowStart + r * outWidth * 4, rowStart, rowStart + outWidth * 4);
  }
  return { width: outWidth, height: height * factor, data: out };
}

/** Copies `src` into `dst` with its top-left corner at (x, y); the caller keeps it inside `dst`. */
export function blit(dst: RGBAImage, src: RGBAImage, x: number, y: number): void {
  const rowBytes = src.width * 4;
  for (let row = 0; row < src.height; row++) {
    const from = row * rowBytes;
    dst.data.set(src.data.subarray(from, from + rowBytes), ((y + row) * dst.width + x) * 4);
  }
}
