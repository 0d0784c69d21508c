import { convertIndexedToRgb, decode as decodePng, encode as encodePng, hasPngSignature, type DecodedPng } from 'fast-png';
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { LrpKerasError } from '../errors.js';
import type { RGBAImage } from './image.js';

/**
 * Image bytes in and out, in pure JavaScript so browsers and isolates work too: PNG through fast-png,
 * JPEG through jpeg-js.
 */

/** A decoded image: 8 bits a sample, row-major, `channels` samples a pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface DecodedImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Encodes an RGBA image as an 8-bit RGBA PNG. */
export function toPNG(image: RGBAImage): Uint8Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new LrpKerasError(`image of ${width}×${height} needs ${width * height * 4} RGBA bytes, has ${data.length}`);
  }
  return encodePng({ width, height, data, channels: 4, depth: 8 });
}

/**
 * jpeg-js, loaded as CommonJS (as bundlers and Node load it), returns `Buffer.from(bytes)`; runtimes
 * without Node's Buffer (browsers, Workers) get a stand-in for the duration of the call.
 */
function withBuffer<T>(encode: () => T): T {
  const global = globalThis as { Buffer?: unknown };
  if (global.Buffer !== undefined) return encode();
  global.Buffer = { from: (bytes: ArrayLike<number>) => Uint8Array.from(bytes) };
  try {
    return encode();
  } finally {
    delete global.Buffer;
  }
}

/** Encodes an RGBA image as a baseline JPEG (alpha dropped) at `quality` 1–100; default 90. */
export function toJPEG(image: RGBAImage, quality = 90): Uint8Array {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) {
    throw new LrpKerasError(`image of ${width}×${height} needs ${width * height * 4} RGBA bytes, has ${data.length}`);
  }
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100))
    throw new LrpKerasError(`JPEG quality must be an integer from 1 to 100, got ${quality}`);
  const bytes = withBuffer(() => encodeJpeg({ width, height, data }, quality).data);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** Decodes PNG or JPEG bytes, told apart by their magic bytes, to 8-bit samples. */
export function decodeImage(bytes: Uint8Array | ArrayBuffer): DecodedImage {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (hasPngSignature(data)) return codec('PNG', () => pngToEightBit(decodePng(data)));
  if (JPEG_MAGIC.every((b, i) => data[i] === b)) {
    return codec('JPEG', () => {
      // RGB output: jpeg-js expands grayscale JPEGs to three equal channels.
      const jpeg = decodeJpeg(data, { useTArray: true, formatAsRGBA: false });
      return { width: jpeg.width, height: jpeg.height, channels: 3, data: jpeg.data };
    });
  }
  const head = Array.from(data.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new LrpKerasError(`unknown image format (starts with ${head || 'nothing'}); expected PNG or JPEG`);
}

/** Runs a codec, reporting its failures (truncated or corrupt data) as LrpKerasErrors. */
function codec(format: string, decode: () => DecodedImage): DecodedImage {
  try {
    return decode();
  } catch (e) {
    throw new LrpKerasError(`corrupt ${format}: ${(e as Error).message}`);
  }
}

/** PNGs may be indexed, 16-bit or 1/2/4-bit gray; all become 8-bit samples. */
function pngToEightBit(png: DecodedPng): DecodedImage {
  const { width, height, depth } = png;
  if (png.palette) {
    return { width, height, channels: png.palette[0]?.length ?? 3, data: convertIndexedToRgb(png) };
  }
  const channels = png.channels;
  if (depth === 8) return { width, height, channels, data: png.data as Uint8Array };
  const out = new Uint8Array(width * height * channels);
  if (depth === 16) {
    // 65535 / 257 = 255: the exact rescaling, rounded.
    for (let i = 0; i < out.length; i++) out[i] = Math.round(png.data[i] / 257);
    return { width, height, channels, data: out };
  }
  // Sub-byte depths are gray only; each row starts on a byte boundary, leftmost pixel in the high bits.
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = png.data[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (((byte >> (8 - depth - (bit & 7))) & max) * 255) / max;
    }
  }
  return { width, height, channels, data: out };
}
