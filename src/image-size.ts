import { Unzlib } from 'fflate';
import { LrpKerasError } from './errors.js';

/**
 * An untrusted image's size, read from its header before it is decoded: a decoder allocates what the
 * header declares (and fast-png inflates whatever a PNG's data holds), so a few kilobytes could ask
 * for gigabytes. `checkImageSize` refuses images above a pixel budget and PNGs whose compressed data
 * inflates beyond what their header declares (a zlib bomb behind a small IHDR).
 */

/** An image refused for its size (a server answers 413, not 400). */
export class ImageTooLargeError extends LrpKerasError {}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Inflated IDAT bytes are fed this many compressed bytes at a time, so one push inflates at most ~1 MiB (deflate's limit is 1032:1). */
const INFLATE_STEP = 1024;

const u32 = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const u16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];

/** Width and height from a PNG's IHDR or a JPEG's first SOF marker; undefined when not found (the decoder then reports). */
function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (PNG_SIGNATURE.every((v, i) => bytes[i] === v)) {
    return bytes.length >= 24 ? { width: u32(bytes, 16), height: u32(bytes, 20) } : undefined;
  }
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
    } else if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
    } else if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: u16(bytes, at + 7), height: u16(bytes, at + 5) };
    } else if (marker === 0xda) {
      return undefined; // scan data before any frame header
    } else {
      at += 2 + u16(bytes, at + 2);
    }
  }
  return undefined;
}

/** The most bytes a PNG's image data may inflate to: the rows with their filter bytes, with room for Adam7's extra rows. */
function pngInflatedBound(bytes: Uint8Array, width: number, height: number): number {
  const depth = bytes[24];
  const channels = PNG_CHANNELS[bytes[25]] ?? 4;
  return 2 * height * (Math.ceil((width * channels * depth) / 8) + 1) + 1024;
}

/** Inflates a PNG's IDAT chunks in small steps, counting the output; throws as soon as it passes `bound`. */
function checkPngInflation(bytes: Uint8Array, bound: number): void {
  let inflated = 0;
  const stream = new Unzlib((chunk) => {
    inflated += chunk.length;
    if (inflated > bound) throw new ImageTooLargeError(`the PNG's image data inflates to more than the ${bound} bytes its header allows`);
  });
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = u32(bytes, at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
    if (type === 'IDAT') {
      for (let i = 0; i < data.length; i += INFLATE_STEP) {
        try {
          stream.push(data.subarray(i, i + INFLATE_STEP));
        } catch (e) {
          if (e instanceof LrpKerasError) throw e;
          return; // corrupt data: the decoder reports it
        }
      }
    }
    if (type === 'IEND') return;
    at += 12 + length;
  }
}

/** Refuses an image above `maxPixels` pixels (from its header) and a PNG that inflates beyond its header's size. */
export function checkImageSize(bytes: Uint8Array, maxPixels: number): void {
  const size = imageSize(bytes);
  if (!size) return;
  const pixels = size.width * size.height;
  if (pixels > maxPixels)
    throw new ImageTooLargeError(`the image is ${size.width}×${size.height} (${pixels} pixels), more than the limit of ${maxPixels}`);
  if (bytes[0] === 0x89) checkPngInflation(bytes, pngInflatedBound(bytes, size.width, size.height));
}
